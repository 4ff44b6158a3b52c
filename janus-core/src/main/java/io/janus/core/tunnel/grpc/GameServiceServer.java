package io.janus.core.tunnel.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.janus.api.ErrorDetail;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.TunnelAnswer;
import io.janus.api.TunnelDown;
import io.janus.api.TunnelGrpc;
import io.janus.api.TunnelKick;
import io.janus.api.TunnelUp;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.transport.EventLoops;
import io.janus.core.tunnel.InProcessTunnel;
import io.netty.channel.EventLoopGroup;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The game-service side of the tunnel: a gRPC server that runs the same {@link GameHandlers} a gateway
 * runs embedded ({@code on}, {@code onNonBlocking}, {@code onAsync}, {@code onSessionClosed}), for
 * sessions held by remote gateways. A game moves a service out of the gateway by starting one of these
 * with the handlers unchanged and pointing the gateway's routes at it.
 *
 * <pre>{@code
 * GameServiceServer server = GameServiceServer.builder()
 *         .address(new InetSocketAddress(9000))
 *         .advertisedAddress("10.0.0.5:9000")
 *         .service("player", handlers)
 *         .discovery(discovery)          // registers one instance per service; optional
 *         .build();
 * server.start().join();
 * }</pre>
 *
 * <p>Each gateway stream is one session of one service (tunnel.proto). Handlers see the session as the
 * gateway described it; their {@link GameRequest#pusher()} reaches the sessions that have a stream to
 * this server (pushes, kicks), and a session-closed listener runs when the gateway ends the session's last
 * stream to this server, unless the gateway handed the session over to another gateway (a resume there,
 * docs/protocol.md section 14.6: that gateway opens its own streams, and the session goes on).
 *
 * <p>Bounds: a stream runs at most {@code maxConcurrentCallsPerStream} calls at once (gRPC inbound flow
 * control: the server asks for the next call when one finishes, so a gateway cannot flood it). Pushes
 * and kicks to a gateway wait in a queue of at most {@code maxQueuedPerStream} while the stream is not
 * ready; the future a push returns completes with {@code true} once gRPC has taken the message, so a
 * handler that waits for it is paced by the network, and with {@code false} at once when the queue is
 * full or the stream has ended. Answers always have room (at most one per call in flight). At most
 * {@code maxStreams} streams are open at once. Blocking handlers run on a bounded executor, one call of a
 * session at a time, as in the gateway.
 *
 * @see GrpcTunnel the gateway side
 */
public final class GameServiceServer implements AutoCloseable {

    private static final RateLimitedLog log =
            new RateLimitedLog(LoggerFactory.getLogger(GameServiceServer.class), 10);
    private static final io.grpc.Context.Key<Metadata> HEADERS = io.grpc.Context.key("janus-tunnel-headers");
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final InetSocketAddress bindAddress;
    private final String advertisedAddress;
    private final String instanceId;
    private final Map<String, String> metadata;
    private final Map<String, GameHandlers> services;
    private final Discovery discovery;
    private final int maxConcurrentCallsPerStream;
    private final int maxQueuedPerStream;
    private final int maxStreams;
    private final EventLoopGroup group;
    private final ExecutorService blocking;
    private final InProcessTunnel handlers;
    private final Map<String, ServiceInstance> localInstances = new LinkedHashMap<>();
    private final List<ServiceInstance> registered = new ArrayList<>();
    /** The newest stream of each session and of each player: where pushes, kicks and moves go. */
    private final ConcurrentMap<Long, ServerStream> bySession = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, ServerStream> byPlayer = new ConcurrentHashMap<>();
    /**
     * Streams open per session: one per service the session uses, and, for a moment, one per gateway
     * while a session moves between gateways. The session's close listeners run when its last stream
     * ends, unless that stream ended with a handover. At most one entry per open stream.
     */
    private final ConcurrentMap<Long, Integer> streamsOfSession = new ConcurrentHashMap<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final Pusher pusher = new StreamPusher();
    private volatile Server server;
    private volatile InetSocketAddress boundAddress;

    private GameServiceServer(Builder b) {
        this.bindAddress = b.address;
        this.instanceId = b.instanceId != null ? b.instanceId
                : "svc-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        this.advertisedAddress = b.advertisedAddress;
        this.metadata = Map.copyOf(b.metadata);
        this.services = Map.copyOf(b.services);
        this.discovery = b.discovery;
        this.maxConcurrentCallsPerStream = b.maxConcurrentCallsPerStream;
        this.maxQueuedPerStream = b.maxQueuedPerStream;
        this.maxStreams = b.maxStreams;
        this.group = EventLoops.newGroup(b.threads, "janus-service");
        this.blocking = new ThreadPoolExecutor(b.blockingThreads, b.blockingThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(b.blockingQueue), r -> {
                    Thread t = new Thread(r, "janus-service-blocking");
                    t.setDaemon(true);
                    return t;
                });
        this.handlers = new InProcessTunnel(services, pusher, blocking, b.maxQueuedPerSession);
        for (String service : services.keySet()) {
            localInstances.put(service, ServiceInstance.of(service, instanceId, InProcessTunnel.address(service),
                    Map.of()));
        }
    }

    /**
     * Starts building a server.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds, then registers one instance per service in discovery (when one was given).
     *
     * @return a future completed with the bound address once the instances are registered
     */
    public CompletableFuture<InetSocketAddress> start() {
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(io.grpc.Context.current().withValue(HEADERS, headers), call, headers,
                        next);
            }
        };
        Server s = NettyServerBuilder.forAddress(bindAddress)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                .channelType(EventLoops.serverSocketChannel(group))
                // Calls only dispatch to handlers, which never block the calling thread (blocking ones
                // run on the blocking executor).
                .directExecutor()
                .maxInboundMessageSize(4 << 20)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(ServerInterceptors.intercept(new TunnelService(), capture))
                .build();
        try {
            s.start();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        server = s;
        boundAddress = (InetSocketAddress) s.getListenSockets().get(0);
        if (discovery == null) {
            return CompletableFuture.completedFuture(boundAddress);
        }
        String advertised = advertisedAddress != null ? advertisedAddress
                : boundAddress.getAddress().getHostAddress() + ":" + boundAddress.getPort();
        List<CompletableFuture<Void>> registrations = new ArrayList<>();
        for (String service : services.keySet()) {
            ServiceInstance instance = ServiceInstance.of(service, instanceId, advertised, metadata);
            synchronized (registered) {
                registered.add(instance);
            }
            registrations.add(discovery.register(instance).toCompletableFuture());
        }
        return CompletableFuture.allOf(registrations.toArray(new CompletableFuture<?>[0])).thenApply(v -> boundAddress);
    }

    /** The bound address; {@code null} before {@link #start()}. */
    public InetSocketAddress address() {
        return boundAddress;
    }

    /** The instance id this server registers its services under. */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Reaches the sessions that have a stream to this server, for game code outside handlers.
     *
     * @return the pusher
     */
    public Pusher pusher() {
        return pusher;
    }

    /**
     * Tells the gateway holding a player's session to send the session's future calls for the stream's
     * service to another instance (for example when a room migrates). The gateway looks the instance up
     * in its discovery and goes back to its router's choice when the instance is gone.
     *
     * @param playerId the player
     * @param instanceId the instance id to move to, as registered in discovery
     * @return completed with whether the instruction was handed to gRPC
     */
    public CompletionStage<Boolean> move(long playerId, String instanceId) {
        requireNonNull(instanceId, "instanceId");
        ServerStream stream = byPlayer.get(playerId);
        return stream == null ? REFUSED : stream.push(TunnelDown.newBuilder()
                .setMove(io.janus.api.TunnelMove.newBuilder().setInstanceId(instanceId)).build());
    }

    /** Sessions with a stream open to this server. */
    public int openStreams() {
        return streams.get();
    }

    /**
     * Deregisters from discovery, stops accepting streams, ends the open ones (their calls fail at the
     * gateway with SERVICE_UNAVAILABLE, and the gateway routes the sessions elsewhere), and releases
     * the threads. Waits at most a few seconds.
     */
    @Override
    public void close() {
        if (discovery != null) {
            List<ServiceInstance> instances;
            synchronized (registered) {
                instances = new ArrayList<>(registered);
                registered.clear();
            }
            for (ServiceInstance instance : instances) {
                try {
                    discovery.deregister(instance).toCompletableFuture().get(2, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log.warn("Could not deregister {} from discovery", instance, e);
                }
            }
        }
        Server s = server;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handlers.close();
        blocking.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public String toString() {
        return "GameServiceServer{id=" + instanceId + ", services=" + services.keySet() + ", address="
                + boundAddress + "}";
    }

    private final class TunnelService extends TunnelGrpc.TunnelImplBase {
        @Override
        public StreamObserver<TunnelUp> open(StreamObserver<TunnelDown> responseObserver) {
            ServerCallStreamObserver<TunnelDown> down = (ServerCallStreamObserver<TunnelDown>) responseObserver;
            Metadata headers = HEADERS.get();
            SessionInfo session = headers == null ? null : TunnelHeaders.session(headers);
            String service = headers == null ? null : headers.get(TunnelHeaders.SERVICE);
            if (session == null || service == null) {
                down.onError(Status.INVALID_ARGUMENT.withDescription("missing or malformed janus-* headers")
                        .asRuntimeException());
                return NOOP;
            }
            ServiceInstance instance = localInstances.get(service);
            if (instance == null) {
                down.onError(Status.NOT_FOUND.withDescription("this server does not serve '" + service + "'")
                        .asRuntimeException());
                return NOOP;
            }
            if (streams.incrementAndGet() > maxStreams) {
                streams.decrementAndGet();
                down.onError(Status.RESOURCE_EXHAUSTED.withDescription("more than " + maxStreams + " streams")
                        .asRuntimeException());
                return NOOP;
            }
            ServerStream stream = new ServerStream(session, instance, down);
            // A session has a stream per service it uses; during a resume on another gateway
            // (docs/protocol.md, section 14.6) the new gateway's stream opens while the old one's ends.
            // Each lives its own life; pushes go to the newest.
            streamsOfSession.merge(session.sessionId(), 1, Integer::sum);
            bySession.put(session.sessionId(), stream);
            byPlayer.put(session.playerId(), stream);
            down.disableAutoRequest();
            down.setOnReadyHandler(stream::flush);
            down.setOnCancelHandler(stream::ended);
            down.request(maxConcurrentCallsPerStream);
            return stream;
        }
    }

    private static final CompletableFuture<Boolean> ACCEPTED = CompletableFuture.completedFuture(true);
    private static final CompletableFuture<Boolean> REFUSED = CompletableFuture.completedFuture(false);
    private static final CompletableFuture<Boolean> NO_FUTURE = new CompletableFuture<>();

    private static final StreamObserver<TunnelUp> NOOP = new StreamObserver<>() {
        @Override
        public void onNext(TunnelUp value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    };

    /** One gateway stream: one session's calls to one service. */
    private final class ServerStream implements StreamObserver<TunnelUp> {
        private final SessionInfo session;
        private final ServiceInstance instance;
        private final ServerCallStreamObserver<TunnelDown> down;
        private final ArrayDeque<TunnelDown> queued = new ArrayDeque<>();
        /** Parallel to {@link #queued}: the future of each queued push, {@code null} for answers. */
        private final ArrayDeque<CompletableFuture<Boolean>> queuedPushes = new ArrayDeque<>();
        private int pushesQueued;
        private boolean ended;
        /** The gateway handed the session over to another: the stream's end is not the session's. */
        private volatile boolean handedOver;

        ServerStream(SessionInfo session, ServiceInstance instance, ServerCallStreamObserver<TunnelDown> down) {
            this.session = session;
            this.instance = instance;
            this.down = down;
        }

        @Override
        public void onNext(TunnelUp up) {
            if (up.getHandover()) {
                handedOver = true;
                synchronized (this) {
                    if (!ended) {
                        down.request(1);
                    }
                }
                return;
            }
            io.opentelemetry.context.Context trace = up.getTraceContextCount() == 0
                    ? io.opentelemetry.context.Context.current()
                    : W3CTraceContextPropagator.getInstance().extract(io.opentelemetry.context.Context.current(),
                            up.getTraceContextMap(), GETTER);
            CompletionStage<Packet> answer;
            try (Scope scope = trace.makeCurrent()) {
                answer = handlers.request(session, instance, up.getPacket());
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            long callId = up.getCallId();
            answer.whenComplete((response, failure) -> {
                if (callId != 0) {
                    send(TunnelDown.newBuilder().setAnswer(answer(callId, response, failure)).build());
                }
                synchronized (this) {
                    if (!ended) {
                        down.request(1);
                    }
                }
            });
        }

        private TunnelAnswer answer(long callId, Packet response, Throwable failure) {
            TunnelAnswer.Builder a = TunnelAnswer.newBuilder().setCallId(callId);
            if (failure == null) {
                return a.setPacket(Packet.newBuilder().setBody(response.getBody()).setFlags(response.getFlags()))
                        .build();
            }
            JanusException known = JanusException.find(failure);
            int status;
            Reason reason;
            String message;
            if (known instanceof RequestException) {
                status = ((RequestException) known).status();
                reason = known.reason();
                message = String.valueOf(known.getMessage());
            } else if (known != null) {
                status = known.reason().getNumber();
                reason = known.reason();
                message = String.valueOf(known.getMessage());
            } else {
                status = Reason.INTERNAL_ERROR_VALUE;
                reason = Reason.INTERNAL_ERROR;
                message = "the game handler failed";
            }
            return a.setPacket(Packet.newBuilder().setStatus(status))
                    .setError(ErrorDetail.newBuilder().setReason(reason).setMessage(message)).build();
        }

        /** Sends an answer to the gateway, or queues it while the stream is not ready. */
        synchronized void send(TunnelDown answer) {
            if (ended) {
                return;
            }
            if (queued.isEmpty() && down.isReady()) {
                down.onNext(answer);
            } else {
                queued.add(answer);
                queuedPushes.add(NO_FUTURE);
            }
        }

        /**
         * Sends a push or kick, or queues it while the stream is not ready.
         *
         * @return completed with true once gRPC took it, false when refused or the stream ended
         */
        synchronized CompletableFuture<Boolean> push(TunnelDown message) {
            if (ended) {
                return REFUSED;
            }
            if (queued.isEmpty() && down.isReady()) {
                down.onNext(message);
                return ACCEPTED;
            }
            if (pushesQueued >= maxQueuedPerStream) {
                return REFUSED;
            }
            CompletableFuture<Boolean> taken = new CompletableFuture<>();
            queued.add(message);
            queuedPushes.add(taken);
            pushesQueued++;
            return taken;
        }

        void flush() {
            List<CompletableFuture<Boolean>> taken = new ArrayList<>();
            synchronized (this) {
                while (!ended && !queued.isEmpty() && down.isReady()) {
                    down.onNext(queued.poll());
                    CompletableFuture<Boolean> f = queuedPushes.poll();
                    if (f != NO_FUTURE) {
                        pushesQueued--;
                        taken.add(f);
                    }
                }
            }
            for (CompletableFuture<Boolean> f : taken) {
                f.complete(true);
            }
        }

        @Override
        public void onError(Throwable t) {
            ended(); // the gateway cancelled the stream or went away
        }

        @Override
        public void onCompleted() {
            // The gateway half-closed: the session ended (or, after a handover marker, moved to another
            // gateway). Answers still running are dropped.
            synchronized (this) {
                if (!ended) {
                    try {
                        down.onCompleted();
                    } catch (IllegalStateException e) {
                        // Already cancelled.
                    }
                }
            }
            ended();
        }

        void ended() {
            List<CompletableFuture<Boolean>> dropped;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                queued.clear();
                dropped = new ArrayList<>(queuedPushes);
                queuedPushes.clear();
                pushesQueued = 0;
            }
            for (CompletableFuture<Boolean> f : dropped) {
                f.complete(false);
            }
            streams.decrementAndGet();
            bySession.remove(session.sessionId(), this);
            byPlayer.remove(session.playerId(), this);
            boolean last = streamsOfSession.computeIfPresent(session.sessionId(), (id, n) -> n > 1 ? n - 1 : null)
                    == null;
            if (last && !handedOver) {
                handlers.sessionClosed(session);
            }
        }
    }

    /** Pushes and kicks through the streams of this server. */
    private final class StreamPusher implements Pusher {
        @Override
        public CompletionStage<Boolean> pushToPlayer(long playerId, Push push) {
            return send(byPlayer.get(playerId), push);
        }

        @Override
        public CompletionStage<Boolean> pushToSession(long sessionId, Push push) {
            return send(bySession.get(sessionId), push);
        }

        @Override
        public CompletionStage<Boolean> kick(long playerId, Reason reason, String message) {
            ServerStream stream = byPlayer.get(playerId);
            return stream == null ? REFUSED : stream.push(TunnelDown.newBuilder()
                    .setKick(TunnelKick.newBuilder().setReason(reason).setMessage(String.valueOf(message))).build());
        }

        /**
         * Reaches the sessions with a stream to this server only; for every session of every gateway,
         * use the push service of a gateway or janus-route-redis' pusher.
         */
        @Override
        public CompletionStage<Integer> broadcast(Push push, io.janus.core.game.Audience audience) {
            List<CompletableFuture<Boolean>> sent = new ArrayList<>();
            for (ServerStream stream : bySession.values()) {
                if (audience.test(stream.session)) {
                    sent.add(send(stream, push).toCompletableFuture());
                }
            }
            return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]))
                    .thenApply(ignored -> (int) sent.stream().filter(CompletableFuture::join).count());
        }

        @Override
        public CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message) {
            ServerStream stream = bySession.get(sessionId);
            return stream == null ? REFUSED : stream.push(TunnelDown.newBuilder()
                    .setKick(TunnelKick.newBuilder().setReason(reason).setMessage(String.valueOf(message))).build());
        }

        private CompletionStage<Boolean> send(ServerStream stream, Push push) {
            return stream == null ? REFUSED : stream.push(TunnelDown.newBuilder().setPush(push.toPacket()).build());
        }
    }

    /** Builds a {@link GameServiceServer}. */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        private String advertisedAddress;
        private String instanceId;
        private Map<String, String> metadata = Map.of();
        private final Map<String, GameHandlers> services = new LinkedHashMap<>();
        private Discovery discovery;
        private int maxConcurrentCallsPerStream = 64;
        private int maxQueuedPerStream = 1024;
        private int maxQueuedPerSession = 256;
        private int maxStreams = 200_000;
        private int threads = 0;
        private int blockingThreads = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
        private int blockingQueue = 10_000;

        private Builder() {
        }

        /** Where to listen; loopback and a free port by default. */
        public Builder address(InetSocketAddress address) {
            this.address = requireNonNull(address, "address");
            return this;
        }

        /** The {@code host:port} gateways use to reach this server; the bound address by default. */
        public Builder advertisedAddress(String hostPort) {
            this.advertisedAddress = requireNonNull(hostPort, "hostPort");
            return this;
        }

        /** The instance id registered in discovery, unique within each service; random by default. */
        public Builder instanceId(String id) {
            this.instanceId = requireNonNull(id, "id");
            return this;
        }

        /** Discovery metadata: color, version, weight, zone ({@link ServiceInstance}). */
        public Builder metadata(Map<String, String> metadata) {
            this.metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
            return this;
        }

        /** Serves a game service with its handlers. */
        public Builder service(String name, GameHandlers handlers) {
            services.put(requireNonNull(name, "name"), requireNonNull(handlers, "handlers"));
            return this;
        }

        /** Registers each service here on start and withdraws it on close; none by default. */
        public Builder discovery(Discovery discovery) {
            this.discovery = requireNonNull(discovery, "discovery");
            return this;
        }

        /** Calls of one stream that run at once (default 64). */
        public Builder maxConcurrentCallsPerStream(int n) {
            this.maxConcurrentCallsPerStream = positive("maxConcurrentCallsPerStream", n);
            return this;
        }

        /** Messages to a gateway that wait while its stream is not ready (default 1024). */
        public Builder maxQueuedPerStream(int n) {
            this.maxQueuedPerStream = positive("maxQueuedPerStream", n);
            return this;
        }

        /** Streams open at once (default 200,000). */
        public Builder maxStreams(int n) {
            this.maxStreams = positive("maxStreams", n);
            return this;
        }

        /** Event loop threads; 0 (default) for Netty's default. */
        public Builder threads(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("threads: " + n + " (expected: >= 0)");
            }
            this.threads = n;
            return this;
        }

        /** Threads and queue of the executor where blocking handlers run. */
        public Builder blockingThreads(int threads, int queueCapacity) {
            this.blockingThreads = positive("blockingThreads", threads);
            this.blockingQueue = positive("queueCapacity", queueCapacity);
            return this;
        }

        private static int positive(String name, int n) {
            if (n <= 0) {
                throw new IllegalArgumentException(name + ": " + n + " (expected: > 0)");
            }
            return n;
        }

        /** Builds the server; nothing is bound until {@link GameServiceServer#start()}. */
        public GameServiceServer build() {
            if (services.isEmpty()) {
                throw new IllegalStateException("no service: call service(name, handlers)");
            }
            return new GameServiceServer(this);
        }
    }
}
