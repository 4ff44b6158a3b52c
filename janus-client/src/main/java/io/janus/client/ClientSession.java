package io.janus.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.ErrorDetail;
import io.janus.api.Heartbeat;
import io.janus.api.Kick;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.protocol.SystemPackets;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in session with a gateway: requests with futures, push listeners, an automatic heartbeat
 * that measures the round-trip time, and the reason it closed. Thread-safe: requests may be sent from
 * any thread; futures and listeners complete on the session's event loop.
 */
public final class ClientSession implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ClientSession.class);

    private final Channel channel;
    private final long requestTimeoutMillis;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final List<PushListener> pushListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CloseReason> closeFuture = new CompletableFuture<>();
    private final AtomicReference<CloseReason> kickReason = new AtomicReference<>();
    private final CompletableFuture<ClientSession> loggedIn = new CompletableFuture<>();
    private volatile LoginResponse login;
    private volatile long rttMillis = -1;
    private volatile ScheduledFuture<?> heartbeat;

    private static final class Pending {
        final CompletableFuture<Packet> future = new CompletableFuture<>();
        ScheduledFuture<?> timeout;
    }

    ClientSession(Channel channel, long requestTimeoutMillis) {
        this.channel = requireNonNull(channel, "channel");
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    /** The handler that feeds this session; installed after the packet codec. */
    ChannelInboundHandlerAdapter handler() {
        return new Handler();
    }

    CompletableFuture<ClientSession> login(io.janus.api.LoginRequest request) {
        call(SystemPackets.packet(SystemSeq.LOGIN, 0, request), false).whenComplete((packet, failure) -> {
            if (failure != null) {
                loggedIn.completeExceptionally(failure);
                channel.close();
                return;
            }
            try {
                LoginResponse response = LoginResponse.parseFrom(packet.getBody());
                login = response;
                startHeartbeat(response.getHeartbeatIntervalMs());
                loggedIn.complete(this);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                loggedIn.completeExceptionally(e);
                channel.close();
            }
        });
        return loggedIn;
    }

    /** The gateway's answer to the login. */
    public LoginResponse loginResponse() {
        return login;
    }

    /** The session id the gateway assigned. */
    public long sessionId() {
        return login.getSessionId();
    }

    /** The authenticated player id. */
    public long playerId() {
        return login.getPlayerId();
    }

    /** The round-trip time measured by the last heartbeat, in milliseconds, or -1 before the first. */
    public long rttMillis() {
        return rttMillis;
    }

    /** Whether the connection is open. */
    public boolean isActive() {
        return channel.isActive();
    }

    /**
     * Sends a request.
     *
     * @param module the game module, above 0
     * @param seq the command
     * @param body the payload
     * @return a future completed with the response body, or exceptionally with a
     *         {@link RequestException} (the gateway's or the game's status) or a
     *         {@link SessionClosedException}
     */
    public CompletableFuture<ByteString> request(int module, int seq, ByteString body) {
        return request(module, seq, 0, body);
    }

    /**
     * Sends a request about a target object (a room, a match).
     *
     * @param module the game module, above 0
     * @param seq the command
     * @param obj the target object id
     * @param body the payload
     * @return a future completed with the response body, or exceptionally as for
     *         {@link #request(int, int, ByteString)}
     */
    public CompletableFuture<ByteString> request(int module, int seq, long obj, ByteString body) {
        if (module <= 0) {
            throw new IllegalArgumentException("module: " + module + " (expected: > 0; 0 is the system module)");
        }
        Packet packet = Packet.newBuilder().setModule(module).setSeq(seq).setObj(obj).setBody(body).build();
        return call(packet, true).thenApply(Packet::getBody);
    }

    /**
     * Sends a one-way message (index 0): the gateway routes it but sends no answer.
     *
     * @param module the game module, above 0
     * @param seq the command
     * @param obj the target object id
     * @param body the payload
     */
    public void send(int module, int seq, long obj, ByteString body) {
        if (module <= 0) {
            throw new IllegalArgumentException("module: " + module + " (expected: > 0; 0 is the system module)");
        }
        channel.writeAndFlush(Packet.newBuilder().setModule(module).setSeq(seq).setObj(obj).setBody(body).build(),
                channel.voidPromise());
    }

    /**
     * Sends a heartbeat now and completes with the round-trip time in milliseconds.
     *
     * @return the round-trip time
     */
    public CompletableFuture<Long> heartbeat() {
        long sent = System.nanoTime();
        long last = rttMillis;
        return call(SystemPackets.packet(SystemSeq.HEARTBEAT, 0, Heartbeat.newBuilder()
                .setClientTimeMs(System.currentTimeMillis())
                .setLastRttMs((int) Math.max(0, Math.min(last, Integer.MAX_VALUE)))
                .build()), true)
                .thenApply(p -> {
                    long rtt = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                    rttMillis = rtt;
                    return rtt;
                });
    }

    private CompletableFuture<Packet> call(Packet packet, boolean checkLimits) {
        CloseReason closed = closeFuture.getNow(null);
        if (closed != null || !channel.isActive()) {
            return CompletableFuture.failedFuture(new SessionClosedException(
                    closed != null ? closed : new CloseReason(Reason.OK, "not connected", false)));
        }
        LoginResponse limits = login;
        if (checkLimits && limits != null) {
            if (pending.size() >= limits.getMaxPendingRequests()) {
                return CompletableFuture.failedFuture(RequestException.of(Reason.TOO_MANY_PENDING_REQUESTS,
                        "more than " + limits.getMaxPendingRequests() + " requests in flight (the gateway's limit)"));
            }
            if (packet.getSerializedSize() > limits.getMaxFrameLength()) {
                return CompletableFuture.failedFuture(RequestException.of(Reason.FRAME_TOO_LARGE,
                        "a packet of " + packet.getSerializedSize() + " bytes exceeds the gateway's maxFrameLength "
                                + limits.getMaxFrameLength()));
            }
        }
        Pending p = new Pending();
        int index;
        do {
            index = nextIndex.incrementAndGet() & Integer.MAX_VALUE;
        } while (index == 0 || pending.putIfAbsent(index, p) != null);
        int key = index;
        p.timeout = channel.eventLoop().schedule(() -> {
            if (pending.remove(key, p)) {
                p.future.completeExceptionally(RequestException.of(Reason.REQUEST_TIMEOUT,
                        "no answer within " + requestTimeoutMillis + " ms"));
            }
        }, requestTimeoutMillis, TimeUnit.MILLISECONDS);
        channel.writeAndFlush(packet.toBuilder().setIndex(index).build()).addListener(f -> {
            if (!f.isSuccess() && pending.remove(key, p)) {
                p.timeout.cancel(false);
                p.future.completeExceptionally(new SessionClosedException(
                        new CloseReason(Reason.OK, "write failed: " + f.cause(), false)));
            }
        });
        return p.future;
    }

    /**
     * Adds a push listener.
     *
     * @param listener called for every push, on the event loop
     * @return this session
     */
    public ClientSession onPush(PushListener listener) {
        pushListeners.add(requireNonNull(listener, "listener"));
        return this;
    }

    /** A future completed with why the session ended. */
    public CompletableFuture<CloseReason> closeFuture() {
        return closeFuture;
    }

    /**
     * Logs out: the gateway answers, then closes the session with {@link Reason#LOGGED_OUT}.
     *
     * @return a future completed when the session is closed
     */
    public CompletableFuture<CloseReason> logout() {
        kickReason.compareAndSet(null, new CloseReason(Reason.LOGGED_OUT, "logged out", false));
        call(SystemPackets.packet(SystemSeq.LOGOUT, 0, com.google.protobuf.Empty.getDefaultInstance()), false);
        return closeFuture;
    }

    /** Closes the connection at once, without a logout. Pending requests fail with SessionClosedException. */
    @Override
    public void close() {
        kickReason.compareAndSet(null, new CloseReason(Reason.OK, "closed by the client", false));
        channel.close();
    }

    /** The underlying channel, for tests that need to misbehave on purpose. */
    Channel channel() {
        return channel;
    }

    private void startHeartbeat(long intervalMillis) {
        if (intervalMillis <= 0) {
            return;
        }
        heartbeat = channel.eventLoop().scheduleAtFixedRate(() -> {
            heartbeat().exceptionally(t -> null);
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void onPacket(Packet packet) {
        if (packet.getIndex() != 0) {
            Pending p = pending.remove(packet.getIndex());
            if (p == null) {
                return; // answered after its timeout
            }
            p.timeout.cancel(false);
            if (packet.getStatus() == 0) {
                p.future.complete(packet);
            } else {
                p.future.completeExceptionally(toException(packet));
            }
            return;
        }
        if (SystemPackets.is(packet, SystemSeq.KICK)) {
            Kick kick = SystemPackets.parse(Kick.parser(), packet.getBody());
            kickReason.set(new CloseReason(kick.getReason(), kick.getMessage(), kick.getReconnectAddress(), true));
            return;
        }
        for (PushListener listener : pushListeners) {
            try {
                listener.onPush(packet);
            } catch (RuntimeException e) {
                logger.warn("Push listener failed", e);
            }
        }
    }

    private static RequestException toException(Packet packet) {
        String message = "";
        try {
            ErrorDetail detail = ErrorDetail.parseFrom(packet.getBody());
            message = detail.getMessage();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            message = "status " + packet.getStatus();
        }
        return RequestException.fromStatus(packet.getStatus(), message);
    }

    private void onClosed() {
        ScheduledFuture<?> hb = heartbeat;
        if (hb != null) {
            hb.cancel(false);
        }
        CloseReason reason = kickReason.get();
        if (reason == null) {
            reason = new CloseReason(Reason.OK, "the connection ended", false);
        }
        SessionClosedException failure = new SessionClosedException(reason);
        for (Integer key : pending.keySet()) {
            Pending p = pending.remove(key);
            if (p != null) {
                p.timeout.cancel(false);
                p.future.completeExceptionally(failure);
            }
        }
        loggedIn.completeExceptionally(failure);
        closeFuture.complete(reason);
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            onPacket((Packet) msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            JanusException known = JanusException.find(cause);
            if (known != null) {
                kickReason.compareAndSet(null, new CloseReason(known.reason(), String.valueOf(known.getMessage()),
                        false));
            } else {
                logger.debug("Connection failed", cause);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            onClosed();
            super.channelInactive(ctx);
        }
    }

    @Override
    public String toString() {
        LoginResponse l = login;
        return "ClientSession{" + channel.remoteAddress()
                + (l == null ? "" : ", session=" + l.getSessionId() + ", player=" + l.getPlayerId()) + "}";
    }
}
