package io.janus.core.push;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.janus.api.Packet;
import io.janus.api.PushReply;
import io.janus.api.PushRequest;
import io.janus.api.PushServiceGrpc;
import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.JanusException;
import io.janus.core.PushException;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Serves janus-api's {@code PushService} for a gateway: each request is checked, then handed to the
 * gateway's pusher ({@code Gateway.pusher()}: the session directory's, cluster-wide with janus-route-redis).
 * A refused request fails with a gRPC status and the reason in the {@value #REASON_KEY} trailer; the same
 * reason is logged (rate limited) and counted in {@link GatewayStats#pushesRejected(Reason)}.
 *
 * <p>Limits: at most {@value #MAX_PLAYERS} players per request, a body of at most the gateway's maximum
 * frame length less the envelope, at most {@value #MAX_REQUEST_BYTES} bytes per request. Calls run on
 * the given event loops (the pusher never blocks); what is waiting to be handed on is bounded by the
 * pusher, which fails with {@link Reason#PUSH_BACKLOG_FULL} when full.
 */
public final class PushServer {

    /** The most players one request may name. */
    public static final int MAX_PLAYERS = 10_000;
    /** The largest request accepted, in bytes: 10,000 player ids and a maximum body fit. */
    public static final int MAX_REQUEST_BYTES = 1 << 20;
    /** The trailer that carries the {@link Reason} name of a refused request. */
    public static final String REASON_KEY = "janus-reason";
    /** Bytes of a packet's envelope (header fields and record overhead) kept free below the frame limit. */
    private static final int ENVELOPE_BYTES = 64;

    private static final Metadata.Key<String> REASON =
            Metadata.Key.of(REASON_KEY, Metadata.ASCII_STRING_MARSHALLER);
    private static final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(PushServer.class), 10);

    private final InetSocketAddress address;
    private final Pusher pusher;
    private final GatewayStats stats;
    private final int maxBodyBytes;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private volatile Server server;

    /**
     * Creates the server; {@link #start()} binds it.
     *
     * @param address where to listen
     * @param pusher where requests go
     * @param stats where outcomes are counted
     * @param maxFrameLength the gateway's maximum frame length, which bounds a push's body
     * @param boss the event loops that accept; not closed here
     * @param workers the event loops that serve calls; not closed here
     */
    public PushServer(InetSocketAddress address, Pusher pusher, GatewayStats stats, int maxFrameLength,
            EventLoopGroup boss, EventLoopGroup workers) {
        this.address = requireNonNull(address, "address");
        this.pusher = requireNonNull(pusher, "pusher");
        this.stats = requireNonNull(stats, "stats");
        this.maxBodyBytes = Math.max(0, maxFrameLength - ENVELOPE_BYTES);
        this.boss = requireNonNull(boss, "boss");
        this.workers = requireNonNull(workers, "workers");
    }

    /**
     * Binds and serves.
     *
     * @return a future completed with the bound address, or failed when it cannot bind
     */
    public CompletableFuture<InetSocketAddress> start() {
        Server s = NettyServerBuilder.forAddress(address)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .channelType(EventLoops.serverSocketChannel(workers))
                // The pusher never blocks: calls run where they arrive.
                .directExecutor()
                .maxInboundMessageSize(MAX_REQUEST_BYTES)
                .addService(new Service())
                .build();
        try {
            s.start();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        server = s;
        return CompletableFuture.completedFuture((InetSocketAddress) s.getListenSockets().get(0));
    }

    /** The bound address, or {@code null} before {@link #start()}. */
    public InetSocketAddress address() {
        Server s = server;
        return s == null ? null : (InetSocketAddress) s.getListenSockets().get(0);
    }

    /**
     * Stops accepting calls, lets those under way finish for up to {@code graceMillis}, then cancels the
     * rest.
     *
     * @param graceMillis how long calls under way may take
     * @return a future completed when the server has terminated
     */
    public CompletableFuture<Void> stop(long graceMillis) {
        Server s = server;
        if (s == null) {
            return CompletableFuture.completedFuture(null);
        }
        s.shutdown();
        CompletableFuture<Void> done = new CompletableFuture<>();
        // gRPC offers only a blocking wait; it runs on a thread of its own, never on an event loop.
        Thread waiter = new Thread(() -> {
            try {
                if (!s.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                    s.shutdownNow().awaitTermination(graceMillis, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.complete(null);
        }, "janus-push-stop");
        waiter.setDaemon(true);
        waiter.start();
        return done;
    }

    /**
     * Turns a request into a push and checks it.
     *
     * @param request the request
     * @param maxBodyBytes the largest body
     * @return the push
     * @throws PushException with {@link Reason#PUSH_INVALID} or {@link Reason#PUSH_TOO_MANY_TARGETS}
     */
    static Push toPush(PushRequest request, int maxBodyBytes) {
        if (!request.hasPacket()) {
            throw new PushException(Reason.PUSH_INVALID, "no packet (expected: the message to push)");
        }
        Packet packet = request.getPacket();
        if (packet.getModule() == 0) {
            throw new PushException(Reason.PUSH_INVALID, "module 0 is the system module (expected: a game module > 0)");
        }
        if (packet.getBody().size() > maxBodyBytes) {
            throw new PushException(Reason.PUSH_INVALID, "body of " + packet.getBody().size()
                    + " bytes exceeds " + maxBodyBytes + " (the gateway's maximum frame less the envelope)");
        }
        switch (request.getTargetCase()) {
            case PLAYERS:
                int n = request.getPlayers().getPlayerIdsCount();
                if (n > MAX_PLAYERS) {
                    throw new PushException(Reason.PUSH_TOO_MANY_TARGETS,
                            n + " players in one push (expected: at most " + MAX_PLAYERS + ")");
                }
                break;
            case BROADCAST:
                io.janus.api.Audience a = request.getBroadcast();
                if (a.hasZone() && a.getZone() < 0) {
                    throw new PushException(Reason.PUSH_INVALID, "zone " + a.getZone() + " (expected: >= 0)");
                }
                break;
            default:
                throw new PushException(Reason.PUSH_INVALID, "no target (expected: players or broadcast)");
        }
        return Push.of(packet);
    }

    private final class Service extends PushServiceGrpc.PushServiceImplBase {
        @Override
        public void push(PushRequest request, StreamObserver<PushReply> reply) {
            CompletionStage<Integer> accepted;
            try {
                Push push = toPush(request, maxBodyBytes);
                accepted = request.getTargetCase() == PushRequest.TargetCase.PLAYERS
                        ? pusher.multicast(request.getPlayers().getPlayerIdsList(), push)
                        : pusher.broadcast(push, Audience.of(request.getBroadcast()));
            } catch (RuntimeException e) {
                accepted = CompletableFuture.failedFuture(e);
            }
            accepted.whenComplete((n, failure) -> {
                try {
                    if (failure == null) {
                        stats.recordPush();
                        reply.onNext(PushReply.newBuilder().setAccepted(n).build());
                        reply.onCompleted();
                    } else {
                        refuse(reply, failure);
                    }
                } catch (RuntimeException e) {
                    // The caller cancelled or the server stopped: nobody is left to answer.
                }
            });
        }

        private void refuse(StreamObserver<PushReply> reply, Throwable failure) {
            JanusException known = JanusException.find(failure);
            Reason reason = known != null ? known.reason() : Reason.PUSH_UNAVAILABLE;
            String message = known != null ? known.getMessage() : "the push could not be handed on: " + failure;
            stats.recordPushRejected(reason);
            log.info("push refused: {} ({})", reason, message);
            Status status;
            switch (reason) {
                case PUSH_INVALID:
                case PUSH_TOO_MANY_TARGETS:
                    status = Status.INVALID_ARGUMENT;
                    break;
                case PUSH_BACKLOG_FULL:
                    status = Status.RESOURCE_EXHAUSTED;
                    break;
                default:
                    status = Status.UNAVAILABLE;
                    break;
            }
            Metadata trailers = new Metadata();
            trailers.put(REASON, reason.name());
            reply.onError(status.withDescription(reason + ": " + message).asRuntimeException(trailers));
        }
    }

    @Override
    public String toString() {
        return "PushServer{address=" + (server == null ? address : address()) + "}";
    }
}
