package io.janus.route.redis;

import io.janus.api.Reason;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
import io.janus.core.session.SessionRegistry;
import io.janus.core.spi.Identity;
import io.janus.core.spi.SessionDirectoryContext;
import io.janus.core.spi.SessionHandovers;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local side of one gateway for directory tests, without sockets: its session registry, a local
 * pusher that records what the directory hands it, and its event loop. Redis, the part under test, is
 * real.
 */
final class TestGateway implements SessionDirectoryContext, AutoCloseable {

    private static final AtomicLong SESSION_IDS = new AtomicLong(1000);

    /** What the local pusher was asked to do. */
    static final class Delivery {
        final String kind;
        final List<Long> ids;
        final Push push;
        final Audience audience;
        final Reason reason;

        Delivery(String kind, List<Long> ids, Push push, Audience audience, Reason reason) {
            this.kind = kind;
            this.ids = ids;
            this.push = push;
            this.audience = audience;
            this.reason = reason;
        }

        @Override
        public String toString() {
            return kind + ids + (reason != null ? " " + reason : "") + (audience != null ? " " + audience : "");
        }
    }

    private final String gatewayId;
    private final Map<String, String> properties;
    private final EventLoopGroup loop = new DefaultEventLoopGroup(1);
    private final ConcurrentMap<Long, TestSession> sessions = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    private final Pusher pusher = new RecordingPusher();

    TestGateway(String gatewayId) {
        this(gatewayId, Map.of());
    }

    TestGateway(String gatewayId, Map<String, String> properties) {
        this.gatewayId = gatewayId;
        this.properties = Map.copyOf(properties);
    }

    /** Opens a logged-in session of a player on this gateway. */
    SessionInfo login(long playerId) {
        return login(playerId, 0, Identity.DEFAULT_COLOR);
    }

    SessionInfo login(long playerId, int zone, String color) {
        long id = SESSION_IDS.incrementAndGet();
        SessionInfo info = new SessionInfo(id, gatewayId, "tcp", "127.0.0.1:1", Identity.of(playerId, zone, color));
        sessions.put(id, new TestSession(info));
        return info;
    }

    /** Ends a session as its connection would, without telling the directory. */
    void drop(SessionInfo info) {
        TestSession s = sessions.remove(info.sessionId());
        if (s != null) {
            s.closed.complete(Reason.OK);
        }
    }

    boolean isOpen(SessionInfo info) {
        TestSession s = sessions.get(info.sessionId());
        return s != null && s.isActive();
    }

    Reason closeReason(SessionInfo info) {
        TestSession s = sessions.get(info.sessionId());
        return s == null ? null : s.closed.getNow(null);
    }

    List<Delivery> deliveries(String kind) {
        List<Delivery> out = new ArrayList<>();
        for (Delivery d : deliveries) {
            if (d.kind.equals(kind)) {
                out.add(d);
            }
        }
        return out;
    }

    @Override
    public String gatewayId() {
        return gatewayId;
    }

    @Override
    public Pusher localPusher() {
        return pusher;
    }

    @Override
    public SessionRegistry sessions() {
        return new SessionRegistry() {
            @Override
            public Session session(long sessionId) {
                return sessions.get(sessionId);
            }

            @Override
            public Session sessionOfPlayer(long playerId) {
                for (TestSession s : sessions.values()) {
                    if (s.info.playerId() == playerId && s.isActive()) {
                        return s;
                    }
                }
                return null;
            }

            @Override
            public int size() {
                return sessions.size();
            }

            @Override
            public int playerCount() {
                return sessions.size();
            }

            @Override
            public Collection<Session> sessions() {
                return new ArrayList<>(sessions.values());
            }
        };
    }

    @Override
    public EventLoopGroup workerGroup() {
        return loop;
    }

    /** What the directory asked of this gateway's handover side, and what it answers. */
    final RecordingHandovers handovers = new RecordingHandovers();

    @Override
    public SessionHandovers handovers() {
        return handovers;
    }

    /** Answers exports with {@link #state} (or fails with {@link #refusal}) and records every call. */
    static final class RecordingHandovers implements SessionHandovers {
        volatile byte[] state = {1, 2, 3};
        volatile RuntimeException refusal;
        final ConcurrentLinkedQueue<String> calls = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<byte[]> delivered = new ConcurrentLinkedQueue<>();

        @Override
        public CompletionStage<byte[]> export(long sessionId, long playerId, String toGateway) {
            calls.add("export " + sessionId + " to " + toGateway);
            RuntimeException r = refusal;
            return r != null ? CompletableFuture.failedFuture(r) : CompletableFuture.completedFuture(state);
        }

        @Override
        public List<byte[]> committed(long sessionId, String toGateway) {
            calls.add("committed " + sessionId + " to " + toGateway);
            return List.of(new byte[] {9});
        }

        @Override
        public void aborted(long sessionId) {
            calls.add("aborted " + sessionId);
        }

        @Override
        public void deliver(long sessionId, List<byte[]> packets) {
            calls.add("deliver " + sessionId + " x" + packets.size());
            delivered.addAll(packets);
        }
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public void close() throws InterruptedException {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** Records every call; kicks close the named session of the registry. */
    private final class RecordingPusher implements Pusher {
        @Override
        public CompletionStage<Boolean> pushToPlayer(long playerId, Push push) {
            boolean found = sessions().sessionOfPlayer(playerId) != null;
            deliveries.add(new Delivery("player", List.of(playerId), push, null, null));
            return CompletableFuture.completedFuture(found);
        }

        @Override
        public CompletionStage<Boolean> pushToSession(long sessionId, Push push) {
            deliveries.add(new Delivery("session", List.of(sessionId), push, null, null));
            return CompletableFuture.completedFuture(sessions.containsKey(sessionId));
        }

        @Override
        public CompletionStage<Boolean> kick(long playerId, Reason reason, String message) {
            deliveries.add(new Delivery("kick", List.of(playerId), null, null, reason));
            Session s = sessions().sessionOfPlayer(playerId);
            if (s != null) {
                s.close(reason, message);
            }
            return CompletableFuture.completedFuture(s != null);
        }

        @Override
        public CompletionStage<Integer> multicast(Collection<Long> playerIds, Push push) {
            deliveries.add(new Delivery("multicast", List.copyOf(playerIds), push, null, null));
            int found = 0;
            for (Long id : playerIds) {
                if (sessions().sessionOfPlayer(id) != null) {
                    found++;
                }
            }
            return CompletableFuture.completedFuture(found);
        }

        @Override
        public CompletionStage<Integer> broadcast(Push push, Audience audience) {
            deliveries.add(new Delivery("broadcast", List.of(), push, audience, null));
            return CompletableFuture.completedFuture(sessions.size());
        }

        @Override
        public CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message) {
            deliveries.add(new Delivery("kickSession", List.of(sessionId), null, null, reason));
            TestSession s = sessions.get(sessionId);
            if (s != null) {
                s.close(reason, message);
            }
            return CompletableFuture.completedFuture(s != null);
        }
    }

    /** A logged-in session without a connection. */
    private static final class TestSession implements Session {
        final SessionInfo info;
        final CompletableFuture<Reason> closed = new CompletableFuture<>();
        final ConcurrentMap<String, Object> attributes = new ConcurrentHashMap<>();

        TestSession(SessionInfo info) {
            this.info = info;
        }

        @Override
        public long id() {
            return info.sessionId();
        }

        @Override
        public String transport() {
            return info.transport();
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public Identity identity() {
            return info.identity();
        }

        @Override
        public SessionInfo info() {
            return info;
        }

        @Override
        public boolean isActive() {
            return !closed.isDone();
        }

        @Override
        public ConcurrentMap<String, Object> attributes() {
            return attributes;
        }

        @Override
        public boolean push(Push push) {
            return isActive();
        }

        @Override
        public boolean notice(String text) {
            return isActive();
        }

        @Override
        public long rttMillis() {
            return -1;
        }

        @Override
        public void close(Reason reason, String message) {
            closed.complete(reason);
        }

        @Override
        public CompletableFuture<Reason> closeFuture() {
            return closed;
        }
    }
}
