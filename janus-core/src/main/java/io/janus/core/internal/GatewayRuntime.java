package io.janus.core.internal;

import static java.util.Objects.requireNonNull;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.SessionOptions;
import io.janus.core.game.Pusher;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.ResumeTicket;
import io.janus.core.protocol.HandshakeError;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SecureServerHandler;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.Authenticator;
import io.janus.core.routing.LocalSessionDirectory;
import io.janus.core.spi.Router;
import io.janus.core.spi.SessionDirectory;
import io.janus.core.spi.Tunnel;
import io.janus.core.telemetry.GatewayTelemetry;
import io.janus.core.telemetry.SessionMdc;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.opentelemetry.api.OpenTelemetry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the session pipeline of one gateway shares: options, counters, the session registry and
 * the plugged-in authenticator, router and tunnel. Built by {@link io.janus.core.Gateway}.
 */
public final class GatewayRuntime {

    /** The logger that names why each session closed. */
    public static final String SESSION_LOGGER = "io.janus.core.session";

    private static final Logger sessionLogger = LoggerFactory.getLogger(SESSION_LOGGER);

    /** How long a resume ticket outlives the resume window (docs/protocol.md, section 14). */
    static final long TICKET_GRACE_MILLIS = 60_000;

    /** Client addresses with a handshake-rate bucket of their own; others share one. */
    private static final int MAX_TRACKED_ADDRESSES = 65_536;

    private final String gatewayId;
    private final GatewayIdentity identity;
    private final ClientAttestation attestation;
    private final SessionOptions options;
    private final GatewayStats stats;
    private final DefaultSessionRegistry registry = new DefaultSessionRegistry();
    private final ConnectionLimiter limiter;
    private final HandshakeLimiter handshakes;
    private final Authenticator authenticator;
    private final Dispatcher dispatcher;
    private final Tunnel tunnel;
    private final Router router;
    private final LocalPusher pusher;
    /** Set once by the gateway before it starts; the local directory until then. */
    private volatile SessionDirectory directory;
    private final GatewayTelemetry telemetry;
    private final RateLimitedLog closeLog = new RateLimitedLog(sessionLogger, 50);
    private final long idPrefix;
    private final AtomicLong idCounter = new AtomicLong();
    /** The drain notice once the gateway drains; {@code null} before. */
    private volatile Packet drainKick;
    private volatile String drainMessage;
    /** Sessions detached now; at most maxConnections (they hold no connection the limiter counts). */
    private final java.util.concurrent.atomic.AtomicInteger detachedSessions =
            new java.util.concurrent.atomic.AtomicInteger();
    /** The key resume tickets are sealed with; random per process unless the gateway sets one. */

    private volatile byte[] resumeTicketKey = randomKey();
    private final Handovers handovers = new Handovers(this);

    /**
     * Creates the runtime.
     *
     * @param gatewayId this gateway's id
     * @param identity the gateway's key and certificate
     * @param attestation which client apps may log in; {@link ClientAttestation#NONE} for any
     * @param options session limits
     * @param stats counters
     * @param authenticator checks logins
     * @param router routes packets
     * @param tunnel carries packets to game services
     * @param openTelemetry where metrics and traces go; {@link OpenTelemetry#noop()} for nowhere
     */
    public GatewayRuntime(String gatewayId, GatewayIdentity identity, ClientAttestation attestation,
            SessionOptions options, GatewayStats stats, Authenticator authenticator, Router router, Tunnel tunnel,
            OpenTelemetry openTelemetry) {
        this.gatewayId = requireNonNull(gatewayId, "gatewayId");
        this.identity = requireNonNull(identity, "identity");
        this.attestation = requireNonNull(attestation, "attestation");
        this.options = requireNonNull(options, "options");
        this.stats = requireNonNull(stats, "stats");
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.tunnel = requireNonNull(tunnel, "tunnel");
        this.router = router;
        this.telemetry = new GatewayTelemetry(openTelemetry, stats, this::sessionsByTransport,
                this::outboundQueuedBytes);
        this.dispatcher = new Dispatcher(requireNonNull(router, "router"), tunnel, options, stats, telemetry);
        this.limiter = new ConnectionLimiter(options.maxConnections(), options.maxConnectionsPerIp());
        this.handshakes = new HandshakeLimiter(options.handshakesPerSecondPerIp(), options.handshakeBurstPerIp(),
                options.handshakesPerSecond(), MAX_TRACKED_ADDRESSES, System.nanoTime());
        this.pusher = new LocalPusher(registry);
        this.directory = new LocalSessionDirectory(pusher);
        // Session ids: 23 random bits that tell gateways apart, then a 40-bit counter.
        this.idPrefix = (new SecureRandom().nextLong() & 0x7FFFFFL) << 40;
    }

    /**
     * A pusher that reaches the sessions of this gateway only. Game-service pushes for tunnels are
     * routed through it too.
     *
     * @return the local pusher
     */
    public Pusher localPusher() {
        return pusher;
    }

    /**
     * Sets the session directory that logins register with; called once by the gateway, before it
     * starts.
     *
     * @param directory the directory
     */
    public void directory(SessionDirectory directory) {
        this.directory = requireNonNull(directory, "directory");
    }

    /**
     * Sets the key resume tickets are sealed with (docs/protocol.md, section 14); called once by the
     * gateway, before it starts. Gateways that share it accept each other's tickets.
     *
     * @param key {@link ResumeTicket#KEY_LENGTH} bytes; copied
     */
    public void resumeTicketKey(byte[] key) {
        if (requireNonNull(key, "key").length != ResumeTicket.KEY_LENGTH) {
            throw new IllegalArgumentException("resumeTicketKey: " + key.length + " bytes (expected: "
                    + ResumeTicket.KEY_LENGTH + ")");
        }
        this.resumeTicketKey = key.clone();
    }

    byte[] resumeTicketKey() {
        return resumeTicketKey;
    }

    private static byte[] randomKey() {
        byte[] key = new byte[ResumeTicket.KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /**
     * Counts a session that detaches.
     *
     * @param force whether to count it beyond the bound (a session detached for a resume under way)
     * @return whether it may detach; without {@code force}, false when {@code maxConnections} sessions
     *     are detached already
     */
    boolean reserveDetached(boolean force) {
        if (force) {
            detachedSessions.incrementAndGet();
            return true;
        }
        int limit = options.maxConnections();
        while (true) {
            int now = detachedSessions.get();
            if (now >= limit) {
                return false;
            }
            if (detachedSessions.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A detached session attached again or ended. */
    void releaseDetached() {
        detachedSessions.decrementAndGet();
    }

    /** Sessions detached now, waiting for a resume. */
    public int detachedSessions() {
        return detachedSessions.get();
    }

    /**
     * This gateway's side of session handovers, which the session directory calls (docs/protocol.md,
     * section 14.6).
     *
     * @return the handovers
     */
    public io.janus.core.spi.SessionHandovers handovers() {
        return handovers;
    }

    /** Takes over a session another gateway holds, for a resume here; see {@link Handovers#takeOver}. */
    java.util.concurrent.CompletionStage<DefaultSession> takeOver(ResumeTicket ticket, Channel ch, String transport) {
        return handovers.takeOver(ticket, ch, transport);
    }

    /**
     * The resumable session with this id held by this gateway, attached or detached, or {@code null}.
     * When it is {@code null}, a resume asks the session directory for the gateway that holds the session
     * ({@link #takeOver}).
     *
     * @param sessionId the id from a resume ticket
     * @return the session, or {@code null} when none is resumable
     */
    DefaultSession resumableSession(long sessionId) {
        DefaultSession session = registry.get(sessionId);
        if (session == null || !session.isResumable() || session.isClosing() || session.isFinished()) {
            return null;
        }
        return session;
    }

    /** The session directory. */
    public SessionDirectory directory() {
        return directory;
    }

    /** The router, told when sessions close. */
    Router router() {
        return router;
    }

    /** The OpenTelemetry instruments and tracer; closed by the gateway when it stops. */
    public GatewayTelemetry telemetry() {
        return telemetry;
    }

    /**
     * Open sessions per transport name, for metrics.
     *
     * @return a new map; transports without sessions are absent
     */
    public Map<String, Integer> sessionsByTransport() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DefaultSession session : registry.all()) {
            counts.merge(session.transport(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Bytes queued for clients and not yet written to the network, over all sessions; read from each
     * channel's outbound buffer, so the sum is approximate while writes happen.
     *
     * @return the bytes
     */
    public long outboundQueuedBytes() {
        long total = 0;
        for (DefaultSession session : registry.all()) {
            ChannelOutboundBuffer buffer = session.channel().unsafe().outboundBuffer();
            if (buffer != null) {
                total += buffer.totalPendingWriteBytes();
            }
        }
        return total;
    }

    /** The session registry. */
    public DefaultSessionRegistry registry() {
        return registry;
    }

    /** The session options. */
    public SessionOptions options() {
        return options;
    }

    /** The counters. */
    public GatewayStats stats() {
        return stats;
    }

    String gatewayId() {
        return gatewayId;
    }

    ClientAttestation attestation() {
        return attestation;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    Tunnel tunnel() {
        return tunnel;
    }

    long nextSessionId() {
        return idPrefix | (idCounter.incrementAndGet() & 0xFF_FFFF_FFFFL);
    }

    /**
     * Installs the session pipeline on a channel of whole frames; see
     * {@link io.janus.core.spi.TransportContext#initSession}.
     *
     * @param channel the channel
     * @param transport the transport name
     */
    public void initSession(Channel channel, String transport) {
        InetAddress address = addressOf(channel.remoteAddress());
        // Both checks run at accept, before anything is allocated for the connection or any
        // cryptographic work: a flood is refused at the cost of one small write.
        Reason rate = handshakes.tryAcquire(address, System.nanoTime());
        Reason admitted = rate == Reason.OK ? limiter.tryAcquire(address) : rate;
        if (admitted != Reason.OK) {
            stats.recordSessionClosed(admitted);
            closeLog.info("connection from {} over {} refused: {}", channel.remoteAddress(), transport, admitted);
            // Tell the client why, in clear (no handshake happened): one HandshakeError, then close.
            channel.eventLoop().execute(() -> channel.writeAndFlush(
                    HandshakeError.of(admitted, admitted == Reason.HANDSHAKE_RATE_LIMITED
                            ? "too many new connections; retry later" : "connection limit reached")
                            .encode(channel.alloc()))
                    .addListener(ChannelFutureListener.CLOSE));
            return;
        }
        channel.closeFuture().addListener(f -> limiter.release(address));
        channel.config().setWriteBufferWaterMark(
                new WriteBufferWaterMark(options.outboundLowWaterMark(), options.outboundHighWaterMark()));
        channel.config().setMessageSizeEstimator(PacketSizeEstimator.INSTANCE);
        channel.pipeline().addLast("janus-idle",
                new IdleStateHandler(options.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        channel.pipeline().addLast(SecureServerHandler.name(), new SecureServerHandler(identity,
                options.compressionThreshold(), options.maxInflatedBytes(), options.recordsPerKey()));
        // Between the secure handler and the codec: numbers every encoded packet of a resumable session.
        channel.pipeline().addLast(ReplayHandler.NAME, new ReplayHandler());
        channel.pipeline().addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
        channel.pipeline().addLast("janus-session",
                new SessionHandler(this, new DefaultSession(nextSessionId(), channel, transport, this)));
    }

    private static InetAddress addressOf(SocketAddress address) {
        return address instanceof InetSocketAddress ? ((InetSocketAddress) address).getAddress() : null;
    }

    /**
     * Drains every session (docs/architecture.md, "Drain"): each stops dispatching new game requests
     * (they are answered with {@link Reason#SERVER_DRAIN}), and is closed with a KICK carrying
     * {@link Reason#SERVER_DRAIN}, {@code message} and {@code reconnectAddress} once the requests it
     * has in flight are answered; sessions still open after {@code timeoutMillis} are closed with the
     * same kick at once. Never blocks; call it once, after the transports stopped accepting.
     *
     * @param message the kick's detail
     * @param reconnectAddress where clients should reconnect, or {@code null} for none
     * @param timeoutMillis how long sessions may take to finish their requests
     * @return a future completed when every session is closed
     */
    public CompletableFuture<Void> drainSessions(String message, String reconnectAddress, long timeoutMillis) {
        Packet kick = SystemPackets.kick(Reason.SERVER_DRAIN, message, reconnectAddress);
        drainMessage = message;
        // Published before the registry is walked: a session registered concurrently either is in the
        // walk or sees the kick in drainIfDraining.
        drainKick = kick;
        List<CompletableFuture<Reason>> closing = new ArrayList<>();
        for (DefaultSession session : registry.all()) {
            closing.add(session.drain(kick, message));
        }
        CompletableFuture<Void> done = CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]));
        // Runs on the JDK's delay thread, like completeOnTimeout: closing only queues writes and closes.
        new CompletableFuture<Void>().completeOnTimeout(null, timeoutMillis, TimeUnit.MILLISECONDS).thenRun(() -> {
            if (done.isDone()) {
                return;
            }
            int left = 0;
            for (DefaultSession session : registry.all()) {
                if (!session.isClosing()) {
                    left++;
                }
                session.close(Reason.SERVER_DRAIN, message + " (drain timeout: requests still in flight)", kick);
            }
            sessionLogger.info("drain timeout after {} ms: closed {} sessions with requests still in flight",
                    timeoutMillis, left);
        });
        return done;
    }

    /** Drains a session that registered after {@link #drainSessions} walked the registry. */
    void drainIfDraining(DefaultSession session) {
        Packet kick = drainKick;
        if (kick != null) {
            session.drain(kick, drainMessage);
        }
    }

    /** Connections counted by the limiter now. */
    public int openConnections() {
        return limiter.total();
    }

    void logDetach(DefaultSession session) {
        try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
            closeLog.info("session {} detached: its connection ended; resumable for {} ms remote={} transport={}",
                    session.id(), options.resumeWindow().toMillis(), session.remoteAddress(), session.transport());
        }
    }

    void logResume(DefaultSession session, long replayed) {
        try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
            closeLog.info("session {} resumed: {} packets replayed remote={} transport={}", session.id(), replayed,
                    session.remoteAddress(), session.transport());
        }
    }

    void logHandingOver(DefaultSession session, String toGateway, int packets) {
        try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
            closeLog.info("session {} handing over to gateway {}: {} packets unacknowledged", session.id(), toGateway,
                    packets);
        }
    }

    void logHandoverAborted(DefaultSession session) {
        try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
            closeLog.info("session {} handover aborted: resumable here again", session.id());
        }
    }

    void logMoved(DefaultSession session, String toGateway, int forwarded) {
        try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
            closeLog.info("session {} closed: {} (resumed on gateway {}; {} late packets forwarded) player={}",
                    session.id(), Reason.SESSION_MOVED, toGateway, forwarded, session.identity().playerId());
        }
    }

    void logTakenOver(DefaultSession session, String fromGateway) {
        try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
            closeLog.info("session {} taken over from gateway {} remote={} transport={}", session.id(), fromGateway,
                    session.remoteAddress(), session.transport());
        }
    }

    void logClose(DefaultSession session, Reason reason, String message) {
        if (reason == Reason.OK) {
            return;
        }
        try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
            closeLog.info("session {} closed: {} ({}) remote={} transport={} player={}", session.id(), reason,
                    message, session.remoteAddress(), session.transport(),
                    session.identity() == null ? "-" : session.identity().playerId());
        }
    }
}
