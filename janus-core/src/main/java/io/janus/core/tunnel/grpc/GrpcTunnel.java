package io.janus.core.tunnel.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.TunnelAnswer;
import io.janus.api.TunnelDown;
import io.janus.api.TunnelGrpc;
import io.janus.api.TunnelUp;
import io.janus.core.RequestException;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.routing.InstanceHealth;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.Tunnel;
import io.janus.core.transport.EventLoops;
import io.janus.core.tunnel.InProcessTunnel;
import io.netty.channel.EventLoopGroup;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The tunnel to remote game services over gRPC (janus-api's tunnel.proto; docs/tunnel.md). One channel
 * per game-service address, running on the gateway's worker event loops; one bidirectional stream per
 * (session, instance), opened by the session's first request to it and half-closed when the session
 * ends. Addresses {@code inproc:NAME} go to the embedded services, so a gateway can mix both.
 *
 * <p>Flow control and bounds: a call is written at once while the stream is ready; otherwise it waits
 * in the stream's queue of at most {@code maxQueuedPerStream} calls, and past that it fails at once with
 * {@link Reason#OVERLOADED} ("the game service is not reading"). Calls awaiting an answer are bounded by
 * the session's own pending-request limit (the gateway refuses more before they reach the tunnel), and
 * each carries the gateway's deadline, which the gateway enforces on its side too. Nothing waits for
 * ever: when a stream breaks or the service ends it, every call still open fails with
 * {@link Reason#SERVICE_UNAVAILABLE}, the instance is reported to {@link InstanceHealth} so the router
 * avoids it, and the session's next request opens a stream to whatever instance the router picks.
 *
 * <p>What the service sends down besides answers: pushes (to this session's client), kicks (close the
 * session with a reason) and moves (send this session's future calls for the service to another
 * instance, looked up in discovery). Each request's trace context travels in its {@code TunnelUp}
 * (W3C {@code traceparent}).
 */
public final class GrpcTunnel implements Tunnel {

    private static final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(GrpcTunnel.class), 10);
    private static final Packet NO_ANSWER = Packet.getDefaultInstance();

    private final Pusher pusher;
    private final InProcessTunnel local;
    private final EventLoopGroup group;
    private final Discovery discovery;
    private final InstanceHealth health;
    private final int timeoutMillis;
    private final int maxQueuedPerStream;
    private final int maxInboundMessageBytes;
    private final ConcurrentMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, SessionStreams> sessions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Creates the tunnel.
     *
     * @param pusher delivers pushes and kicks to the gateway's sessions
     * @param local the embedded services' tunnel for {@code inproc:} addresses, or {@code null}
     * @param group the gateway's worker event loops, where the channels run
     * @param discovery where moved sessions' instances are looked up
     * @param health where failing instances are reported
     * @param timeoutMillis the gateway's request deadline, told to services
     * @param maxQueuedPerStream calls that may wait for a stream that is not ready
     * @param maxInboundMessageBytes the largest message accepted from a service
     */
    public GrpcTunnel(Pusher pusher, InProcessTunnel local, EventLoopGroup group, Discovery discovery,
            InstanceHealth health, int timeoutMillis, int maxQueuedPerStream, int maxInboundMessageBytes) {
        this.pusher = requireNonNull(pusher, "pusher");
        this.local = local;
        this.group = requireNonNull(group, "group");
        this.discovery = requireNonNull(discovery, "discovery");
        this.health = requireNonNull(health, "health");
        this.timeoutMillis = timeoutMillis;
        if (maxQueuedPerStream < 0 || maxInboundMessageBytes <= 0) {
            throw new IllegalArgumentException("maxQueuedPerStream: " + maxQueuedPerStream
                    + ", maxInboundMessageBytes: " + maxInboundMessageBytes + " (expected: >= 0, > 0)");
        }
        this.maxQueuedPerStream = maxQueuedPerStream;
        this.maxInboundMessageBytes = maxInboundMessageBytes;
    }

    @Override
    public CompletionStage<Packet> request(SessionInfo session, ServiceInstance instance, Packet packet) {
        if (instance.address().startsWith(InProcessTunnel.SCHEME)) {
            return local != null ? local.request(session, instance, packet)
                    : failed(Reason.SERVICE_UNAVAILABLE, "no embedded service at " + instance.address());
        }
        if (closed) {
            return failed(Reason.SERVICE_UNAVAILABLE, "the gateway is stopping");
        }
        SessionStreams streams = sessions.computeIfAbsent(session.sessionId(), id -> new SessionStreams(session));
        return streams.stream(streams.target(instance)).call(packet);
    }

    @Override
    public void sessionClosed(SessionInfo session) {
        SessionStreams streams = sessions.remove(session.sessionId());
        if (streams != null) {
            streams.finish();
        }
        if (local != null) {
            local.sessionClosed(session);
        }
    }

    @Override
    public List<ServiceInstance> openStreams(SessionInfo session) {
        SessionStreams streams = sessions.get(session.sessionId());
        return streams == null ? List.of() : streams.instances();
    }

    /**
     * Ends the session's streams with a handover marker (tunnel.proto, {@code TunnelUp.handover}), so that
     * the game services keep the session, which the gateway that took it over serves from now on.
     */
    @Override
    public void sessionMoved(SessionInfo session) {
        SessionStreams streams = sessions.remove(session.sessionId());
        if (streams != null) {
            streams.finish(true);
        }
        if (local != null) {
            local.sessionClosed(session);
        }
    }

    /**
     * Opens a stream to each remote instance the other gateway had one to, when discovery still lists it,
     * so that its game service hears of the session from this gateway, and of its end.
     */
    @Override
    public void sessionAdopted(SessionInfo session, List<ServiceInstance> instances) {
        if (closed || instances.isEmpty()) {
            return;
        }
        SessionStreams streams = sessions.computeIfAbsent(session.sessionId(), id -> new SessionStreams(session));
        for (ServiceInstance wanted : instances) {
            if (wanted.address().startsWith(InProcessTunnel.SCHEME)) {
                continue;
            }
            for (ServiceInstance candidate : discovery.instances(wanted.service())) {
                if (candidate.id().equals(wanted.id()) && health.isUsable(candidate)) {
                    streams.stream(candidate);
                    break;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (SessionStreams streams : sessions.values()) {
            streams.finish();
        }
        sessions.clear();
        for (ManagedChannel channel : channels.values()) {
            channel.shutdown();
        }
        for (ManagedChannel channel : channels.values()) {
            try {
                if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }
        channels.clear();
        if (local != null) {
            local.close();
        }
    }

    /** Streams open for a session, by instance, and where moves sent the session. */
    private final class SessionStreams {
        private final SessionInfo session;
        private final Map<String, Stream> byInstance = new HashMap<>();
        private final Map<String, String> moved = new HashMap<>();
        private boolean finished;

        SessionStreams(SessionInfo session) {
            this.session = session;
        }

        synchronized ServiceInstance target(ServiceInstance routed) {
            String movedTo = moved.get(routed.service());
            if (movedTo == null || movedTo.equals(routed.id())) {
                return routed;
            }
            for (ServiceInstance candidate : discovery.instances(routed.service())) {
                if (candidate.id().equals(movedTo) && health.isUsable(candidate)) {
                    return candidate;
                }
            }
            moved.remove(routed.service()); // the instance it moved to is gone: back to the router's choice
            return routed;
        }

        synchronized Stream stream(ServiceInstance instance) {
            Stream stream = byInstance.get(instance.id());
            if (stream == null || stream.isClosed()) {
                stream = new Stream(this, instance);
                if (!finished) {
                    byInstance.put(instance.id(), stream);
                }
                stream.open(channel(instance.address()), session);
                if (finished) {
                    stream.finish();
                }
            }
            return stream;
        }

        synchronized void move(String service, String instanceId) {
            moved.put(service, instanceId);
        }

        synchronized void remove(Stream stream) {
            byInstance.remove(stream.instance.id(), stream);
        }

        synchronized List<ServiceInstance> instances() {
            List<ServiceInstance> open = new ArrayList<>(byInstance.size());
            for (Stream stream : byInstance.values()) {
                open.add(stream.instance);
            }
            return open;
        }

        void finish() {
            finish(false);
        }

        void finish(boolean handover) {
            List<Stream> open;
            synchronized (this) {
                finished = true;
                open = new ArrayList<>(byInstance.values());
                byInstance.clear();
            }
            for (Stream stream : open) {
                stream.finish(handover);
            }
        }
    }

    private ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
                .usePlaintext()
                .eventLoopGroup(group)
                .channelType(EventLoops.socketChannel(group))
                // Callbacks only complete futures and queue writes: they may run on the event loops.
                .directExecutor()
                // A session's stream lives as long as the session; a failed one fails its requests
                // with SERVICE_UNAVAILABLE and the next request opens another. gRPC's retry layer
                // would only add a buffer and a listener hop to every message of every stream.
                .disableRetry()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .idleTimeout(5, TimeUnit.MINUTES)
                .maxInboundMessageSize(maxInboundMessageBytes)
                .build());
    }

    /** A call waiting for its answer. */
    private static final class Pending {
        final Packet request;
        final CompletableFuture<Packet> result;

        Pending(Packet request, CompletableFuture<Packet> result) {
            this.request = request;
            this.result = result;
        }
    }

    /** One session's stream to one instance. */
    private final class Stream implements ClientResponseObserver<TunnelUp, TunnelDown> {
        private final SessionStreams owner;
        private final ServiceInstance instance;
        private final Map<Long, Pending> pending = new LinkedHashMap<>();
        private final ArrayDeque<TunnelUp> queued = new ArrayDeque<>();
        private ClientCallStreamObserver<TunnelUp> up;
        private long lastCallId;
        private boolean closed;
        private boolean halfClosed;

        Stream(SessionStreams owner, ServiceInstance instance) {
            this.owner = owner;
            this.instance = instance;
        }

        void open(ManagedChannel channel, SessionInfo session) {
            io.grpc.Metadata headers = TunnelHeaders.of(session, instance.service());
            // The request that opens the stream also puts its trace context in the stream's metadata;
            // every request, this one included, carries its own in its TunnelUp.
            if (Span.current().getSpanContext().isValid()) {
                W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, (carrier, key, value) ->
                        carrier.put(io.grpc.Metadata.Key.of(key, io.grpc.Metadata.ASCII_STRING_MARSHALLER), value));
            }
            TunnelGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .open(this);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<TunnelUp> requestStream) {
            this.up = requestStream;
            requestStream.setOnReadyHandler(this::flush);
        }

        synchronized boolean isClosed() {
            return closed;
        }

        CompletableFuture<Packet> call(Packet packet) {
            CompletableFuture<Packet> result;
            synchronized (this) {
                if (closed) {
                    return failed(Reason.SERVICE_UNAVAILABLE,
                            "the stream to " + instance.service() + " instance " + instance.id() + " is closed");
                }
                long callId = packet.getIndex() == 0 ? 0 : ++lastCallId;
                TunnelUp.Builder message = TunnelUp.newBuilder().setCallId(callId).setPacket(packet)
                        .setTimeoutMs(timeoutMillis);
                if (Span.current().getSpanContext().isValid()) {
                    W3CTraceContextPropagator.getInstance().inject(Context.current(), message,
                            (carrier, key, value) -> carrier.putTraceContext(key, value));
                }
                if (!queued.isEmpty() || !up.isReady()) {
                    if (queued.size() >= maxQueuedPerStream) {
                        return failed(Reason.OVERLOADED, "game service " + instance.service() + " instance "
                                + instance.id() + " is not reading: " + queued.size() + " calls queued");
                    }
                    queued.add(message.build());
                } else {
                    up.onNext(message.build());
                }
                if (callId == 0) {
                    return CompletableFuture.completedFuture(NO_ANSWER);
                }
                result = new CompletableFuture<>();
                pending.put(callId, new Pending(packet, result));
                // A call the gateway gave up on (deadline) is forgotten; its late answer is ignored.
                result.whenComplete((r, t) -> {
                    if (result.isCancelled()) {
                        forget(callId);
                    }
                });
            }
            return result;
        }

        private synchronized void forget(long callId) {
            pending.remove(callId);
        }

        private synchronized void flush() {
            while (!closed && !halfClosed && !queued.isEmpty() && up.isReady()) {
                up.onNext(queued.poll());
            }
        }

        @Override
        public void onNext(TunnelDown down) {
            switch (down.getKindCase()) {
                case ANSWER:
                    answer(down.getAnswer());
                    break;
                case PUSH:
                    Packet p = down.getPush();
                    pusher.pushToSession(owner.session.sessionId(),
                            Push.of(p.getModule(), p.getSeq(), p.getObj(), p.getBody()));
                    break;
                case KICK:
                    Reason reason = down.getKick().getReason();
                    pusher.kick(owner.session.playerId(),
                            reason == Reason.OK || reason == Reason.UNRECOGNIZED ? Reason.KICKED : reason,
                            down.getKick().getMessage());
                    break;
                case MOVE:
                    owner.move(instance.service(), down.getMove().getInstanceId());
                    break;
                default:
                    log.warn("Ignored an empty message from {} instance {}", instance.service(), instance.id());
            }
        }

        private void answer(TunnelAnswer answer) {
            Pending call;
            synchronized (this) {
                call = pending.remove(answer.getCallId());
            }
            if (call == null) {
                return; // answered after the gateway's deadline, or never asked: nobody waits for it
            }
            health.succeeded(instance);
            Packet request = call.request;
            if (answer.hasError() || answer.getPacket().getStatus() != 0) {
                int status = answer.getPacket().getStatus() != 0 ? answer.getPacket().getStatus()
                        : answer.getError().getReasonValue();
                String message = answer.getError().getMessage();
                call.result.completeExceptionally(status == 0
                        ? RequestException.of(Reason.INTERNAL_ERROR, "the game service sent an error without a reason")
                        : RequestException.fromStatus(status, message));
                return;
            }
            call.result.complete(Packet.newBuilder()
                    .setModule(request.getModule())
                    .setSeq(request.getSeq())
                    .setIndex(request.getIndex())
                    .setObj(request.getObj())
                    .setBody(answer.getPacket().getBody())
                    .setFlags(answer.getPacket().getFlags())
                    .build());
        }

        @Override
        public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            boolean ours;
            synchronized (this) {
                ours = halfClosed;
            }
            if (!ours) {
                health.failed(instance);
                log.warn("Stream of session {} to {} instance {} ({}) failed: {}", owner.session.sessionId(),
                        instance.service(), instance.id(), instance.address(), status);
            }
            end("the stream to " + instance.service() + " instance " + instance.id() + " failed: "
                    + status.getCode());
        }

        @Override
        public void onCompleted() {
            end("game service " + instance.service() + " instance " + instance.id() + " ended the stream");
        }

        private void end(String why) {
            List<Pending> open;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                open = new ArrayList<>(pending.values());
                pending.clear();
                queued.clear();
            }
            owner.remove(this);
            for (Pending call : open) {
                call.result.completeExceptionally(RequestException.of(Reason.SERVICE_UNAVAILABLE, why));
            }
        }

        /**
         * The session ended: half-close the stream (the service learns the session is gone when it sees
         * the end); calls still open fail.
         */
        void finish() {
            finish(false);
        }

        /**
         * Half-closes the stream; with {@code handover}, after a marker that tells the service the session
         * moved to another gateway rather than ended. Calls still open fail.
         */
        void finish(boolean handover) {
            List<Pending> open;
            synchronized (this) {
                if (closed || halfClosed) {
                    return;
                }
                halfClosed = true;
                open = new ArrayList<>(pending.values());
                pending.clear();
                // Calls still queued were never sent; they fail with the others, unsent.
                queued.clear();
                if (handover) {
                    // One message past flow control at most: gRPC buffers it.
                    up.onNext(TunnelUp.newBuilder().setHandover(true).build());
                }
                up.onCompleted();
            }
            for (Pending call : open) {
                call.result.completeExceptionally(RequestException.of(Reason.SERVICE_UNAVAILABLE, "session closed"));
            }
        }
    }

    private static <T> CompletableFuture<T> failed(Reason reason, String message) {
        return CompletableFuture.failedFuture(RequestException.of(reason, message));
    }
}
