package io.janus.core.internal;

import com.google.protobuf.ByteString;
import io.janus.api.ErrorDetail;
import io.janus.api.Heartbeat;
import io.janus.api.LoginRequest;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.ResumeRequest;
import io.janus.api.ResumeResponse;
import io.janus.api.SystemSeq;
import io.janus.core.AuthenticationException;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.janus.core.RequestException;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.ResumeTicket;
import io.janus.core.protocol.HandshakeResult;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.AuthRequest;
import io.janus.core.spi.Identity;
import io.janus.core.telemetry.SessionMdc;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one session, at the end of its pipeline (docs/protocol.md, "Session states"):
 * wait for the login, authenticate, then serve requests and system commands until the session closes.
 * Runs on the session's event loop; every field is confined to it.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(SessionHandler.class);
    private static final RateLimitedLog unexpected = new RateLimitedLog(logger, 10);

    private enum State { AWAIT_LOGIN, AUTHENTICATING, ACTIVE, CLOSED }

    private final GatewayRuntime runtime;
    private final SessionOptions options;
    /** The connection's own session until a RESUME replaces it with the resumed one. */
    private DefaultSession session;
    /** Game packets that arrived behind the login, before authentication completed; bounded. */
    private final ArrayDeque<Packet> early = new ArrayDeque<>();
    private State state = State.AWAIT_LOGIN;
    private ScheduledFuture<?> loginDeadline;
    private TokenBucket requestRate;
    private boolean handshaken;
    /** Whether the LOGIN asked for a resumable session. */
    private boolean wantsResume;

    SessionHandler(GatewayRuntime runtime, DefaultSession session) {
        this.runtime = runtime;
        this.options = runtime.options();
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        runtime.registry().add(session);
        runtime.stats().recordConnectionAccepted();
        long millis = options.loginTimeout().toMillis();
        loginDeadline = ctx.executor().schedule(() -> {
            session.close(Reason.HANDSHAKE_TIMEOUT, "no completed login within " + millis + " ms");
        }, millis, TimeUnit.MILLISECONDS);
        // A connection accepted while the gateway began to drain, after the drain walked the registry.
        runtime.drainIfDraining(session);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Packet)) {
            ReferenceCountUtil.release(msg);
            throw new IllegalStateException("expected a Packet, got " + msg.getClass().getName());
        }
        Packet packet = (Packet) msg;
        if (session.isClosing()) {
            return;
        }
        if (state == State.ACTIVE && !session.isAttachedTo(ctx.channel())) {
            // A resume moved the session to a newer connection; this one is closing.
            return;
        }
        switch (state) {
            case AWAIT_LOGIN:
                onLogin(ctx, packet);
                break;
            case AUTHENTICATING:
                if (early.size() >= options.maxPendingRequests()) {
                    session.close(Reason.TOO_MANY_PENDING_REQUESTS, "more than " + options.maxPendingRequests()
                            + " packets sent before the login completed");
                } else {
                    early.add(packet);
                }
                break;
            case ACTIVE:
                onActive(ctx, packet);
                break;
            default:
                break;
        }
    }

    private void onLogin(ChannelHandlerContext ctx, Packet packet) {
        if (SystemPackets.is(packet, SystemSeq.RESUME) && packet.getIndex() != 0) {
            onResume(ctx, packet);
            return;
        }
        if (!SystemPackets.is(packet, SystemSeq.LOGIN) || packet.getIndex() == 0) {
            throw new ProtocolException(Reason.PROTOCOL_VIOLATION, "expected a login request (module 0, seq "
                    + SystemSeq.LOGIN_VALUE + ", index > 0) as the first packet, got module " + packet.getModule()
                    + " seq " + packet.getSeq() + " index " + packet.getIndex());
        }
        LoginRequest login = SystemPackets.parse(LoginRequest.parser(), packet.getBody());
        wantsResume = login.getResumable();
        state = State.AUTHENTICATING;
        HandshakeResult handshake = ctx.channel().attr(HandshakeResult.KEY).get();
        try {
            runtime.attestation().check(login, handshake.transcriptHash());
        } catch (AuthenticationException e) {
            loginDone(ctx, packet, null, e);
            return;
        }
        // Packets already decoded in this read are queued in `early`; read no more until the answer.
        ctx.channel().config().setAutoRead(false);
        CompletionStage<Identity> verdict;
        try (SessionMdc.Scope ignored = SessionMdc.enter(session.id(), null)) {
            verdict = runtime.authenticator().authenticate(
                    new AuthRequest(login.getToken(), ctx.channel().remoteAddress(), session.transport()));
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        // Refused only when the gateway is shutting down; the session goes with it.
        verdict.whenComplete((identity, failure) -> onLoop(ctx, () -> loginDone(ctx, packet, identity, failure),
                () -> { }));
    }

    private void loginDone(ChannelHandlerContext ctx, Packet login, Identity identity, Throwable failure) {
        if (state != State.AUTHENTICATING || session.isClosing()) {
            return;
        }
        if (failure != null || identity == null) {
            ctx.channel().config().setAutoRead(true);
            refuse(login, failure, Reason.AUTH_UNAVAILABLE, "the authenticator could not decide");
            return;
        }
        SessionInfo info = new SessionInfo(session.id(), runtime.gatewayId(), session.transport(),
                String.valueOf(ctx.channel().remoteAddress()), identity);
        // The session directory settles duplicates across gateways (the local registry, below, those
        // within this one); reading stays paused and later packets wait in `early` until it answers.
        CompletionStage<Void> claim;
        try {
            claim = runtime.directory().register(info, options.duplicateLoginPolicy());
        } catch (RuntimeException e) {
            claim = CompletableFuture.failedFuture(e);
        }
        claim.whenComplete((ignored, refusal) -> onLoop(ctx, () -> admitted(ctx, login, info, refusal), () -> {
            // The gateway is shutting down and the session with it: give the entry back.
            if (refusal == null) {
                runtime.directory().unregister(info);
            }
        }));
    }

    /**
     * Answers a refused login and closes the session: with the reason of an
     * {@link AuthenticationException}, or {@code otherwise} (logged with the cause) for any other failure.
     */
    private void refuse(Packet login, Throwable failure, Reason otherwise, String otherwiseMessage) {
        JanusException known = JanusException.find(failure);
        Reason reason;
        String message;
        if (known instanceof AuthenticationException) {
            reason = known.reason();
            message = known.getMessage();
        } else {
            reason = otherwise;
            message = otherwiseMessage;
            try (SessionMdc.Scope ignored = SessionMdc.enter(session.id(), null)) {
                unexpected.warn("Login of {} failed: {}", session, otherwiseMessage, failure);
            }
        }
        session.write(SystemPackets.error(login, reason, message));
        session.close(reason, message);
    }

    /** The session directory answered a login. */
    private void admitted(ChannelHandlerContext ctx, Packet login, SessionInfo info, Throwable refusal) {
        if (refusal == null) {
            if (state != State.AUTHENTICATING || session.isClosing()) {
                // Closed while the directory was deciding: channelInactive could not release the entry.
                runtime.directory().unregister(info);
                return;
            }
            session.directoryEntry(info);
        } else if (state != State.AUTHENTICATING || session.isClosing()) {
            return;
        }
        ctx.channel().config().setAutoRead(true);
        if (refusal != null) {
            refuse(login, refusal, Reason.DIRECTORY_UNAVAILABLE, "the session directory could not record the login");
            return;
        }
        Identity identity = info.identity();
        session.loggedIn(info);
        DefaultSessionRegistry.Binding binding =
                runtime.registry().bindPlayer(session, identity.playerId(), options.duplicateLoginPolicy());
        if (binding.rejected()) {
            String message = "player " + identity.playerId() + " already has a session";
            session.write(SystemPackets.error(login, Reason.DUPLICATE_LOGIN, message));
            session.close(Reason.DUPLICATE_LOGIN, message);
            return;
        }
        state = State.ACTIVE;
        requestRate = new TokenBucket(options.requestsPerSecond(), options.requestBurst(), System.nanoTime());
        loginDeadline.cancel(false);
        runtime.stats().recordLogin();
        LoginResponse.Builder response = LoginResponse.newBuilder()
                .setSessionId(session.id())
                .setPlayerId(identity.playerId())
                .setHeartbeatIntervalMs((int) options.heartbeatInterval().toMillis())
                .setIdleTimeoutMs((int) options.idleTimeout().toMillis())
                .setServerTimeMs(System.currentTimeMillis())
                .setMaxFrameLength(options.maxFrameLength())
                .setMaxPendingRequests(options.maxPendingRequests());
        if (wantsResume && !options.resumeWindow().isZero()) {
            // Numbering starts with this LoginResponse (docs/protocol.md, section 14).
            session.makeResumable(new ReplayBuffer(options.replayBufferPackets(), options.replayBufferBytes()),
                    replayHandler(ctx));
            HandshakeResult handshake = ctx.channel().attr(HandshakeResult.KEY).get();
            response.setResumeTicket(ByteString.copyFrom(session.issueTicket(handshake.resumeSecret())))
                    .setResumeWindowMs((int) options.resumeWindow().toMillis());
        }
        session.write(SystemPackets.packet(SystemSeq.LOGIN, login.getIndex(), response.build()));
        if (binding.displaced() != null) {
            binding.displaced().close(Reason.DUPLICATE_LOGIN,
                    "the player logged in again from " + ctx.channel().remoteAddress());
        }
        Packet next;
        while (state == State.ACTIVE && !session.isClosing() && (next = early.poll()) != null) {
            onActive(ctx, next);
        }
    }

    /**
     * Runs {@code task} on the connection's event loop: at once when called there, else as a task;
     * {@code rejected} runs instead when the event loop refuses it (the gateway is shutting down).
     */
    private static void onLoop(ChannelHandlerContext ctx, Runnable task, Runnable rejected) {
        if (ctx.executor().inEventLoop()) {
            task.run();
            return;
        }
        try {
            ctx.executor().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            rejected.run();
        }
    }

    private static ReplayHandler replayHandler(ChannelHandlerContext ctx) {
        return (ReplayHandler) ctx.pipeline().get(ReplayHandler.NAME);
    }

    /**
     * A RESUME instead of a LOGIN (docs/protocol.md, section 14): checks the ticket, the proof and the
     * session, in that order; then takes the session over from its old connection, if it still has one,
     * and attaches it to this one ({@link #resumeAttach}).
     */
    private void onResume(ChannelHandlerContext ctx, Packet packet) {
        ResumeRequest request = SystemPackets.parse(ResumeRequest.parser(), packet.getBody());
        state = State.AUTHENTICATING;
        if (options.resumeWindow().isZero()) {
            refuseResume(packet, Reason.RESUME_SESSION_GONE, "this gateway does not resume sessions");
            return;
        }
        HandshakeResult handshake = ctx.channel().attr(HandshakeResult.KEY).get();
        ResumeTicket ticket;
        try {
            ticket = ResumeTicket.open(runtime.resumeTicketKey(), request.getTicket().toByteArray(),
                    System.currentTimeMillis());
        } catch (ProtocolException e) {
            refuseResume(packet, e.reason(), e.getMessage());
            return;
        }
        if (!ticket.verifyProof(request.getProof().toByteArray(), handshake.transcriptHash())) {
            refuseResume(packet, Reason.RESUME_PROOF_INVALID,
                    "the resume proof does not match the ticket's session keys");
            return;
        }
        DefaultSession target = runtime.resumableSession(ticket.sessionId());
        if (target == null) {
            // Not held here: the gateway that holds it hands it over (docs/protocol.md, section 14.6).
            resumeElsewhere(ctx, packet, request, ticket, handshake);
            return;
        }
        if (target.identity() == null || target.identity().playerId() != ticket.playerId()) {
            refuseResume(packet, Reason.RESUME_SESSION_GONE, "no resumable session " + ticket.sessionId()
                    + " of player " + ticket.playerId() + " on this gateway");
            return;
        }
        if (!target.issued(ticket)) {
            refuseResume(packet, Reason.RESUME_TICKET_INVALID,
                    "the ticket was superseded by a newer ticket of the session");
            return;
        }
        if (!target.beginResume()) {
            refuseResume(packet, Reason.RESUME_SESSION_GONE, "another resume of session " + target.id()
                    + " is under way");
            return;
        }
        // Packets behind the RESUME wait in `early` until the session is attached.
        ctx.channel().config().setAutoRead(false);
        target.releaseConnection().whenComplete((released, failure) -> {
            Runnable attach = () -> resumeAttach(ctx, packet, request, target, handshake,
                    failure == null && Boolean.TRUE.equals(released));
            onLoop(ctx, attach, target::endResume);
        });
    }

    /**
     * A resume of a session this gateway does not hold: takes it over from the gateway that does, through
     * the session directory, then attaches it as a local resume would. Reading stays paused until then.
     */
    private void resumeElsewhere(ChannelHandlerContext ctx, Packet packet, ResumeRequest request, ResumeTicket ticket,
            HandshakeResult handshake) {
        ctx.channel().config().setAutoRead(false);
        runtime.takeOver(ticket, ctx.channel(), session.transport()).whenComplete((target, failure) -> {
            Runnable next = () -> {
                if (failure != null) {
                    ctx.channel().config().setAutoRead(true);
                    JanusException known = JanusException.find(failure);
                    if (known == null) {
                        try (SessionMdc.Scope ignored = SessionMdc.enter(session.id(), null)) {
                            unexpected.warn("Takeover of session {} failed", ticket.sessionId(), failure);
                        }
                    }
                    if (state == State.AUTHENTICATING && !session.isClosing()) {
                        refuseResume(packet, known != null ? known.reason() : Reason.RESUME_SESSION_GONE,
                                known != null ? known.getMessage() : "the takeover of session " + ticket.sessionId()
                                        + " failed");
                    }
                    return;
                }
                if (!target.beginResume()) {
                    ctx.channel().config().setAutoRead(true);
                    refuseResume(packet, Reason.RESUME_SESSION_GONE, "another resume of session " + target.id()
                            + " is under way");
                    return;
                }
                resumeAttach(ctx, packet, request, target, handshake, true);
            };
            // Refused when the gateway is shutting down; a taken-over session stays detached until it closes.
            onLoop(ctx, next, () -> { });
        });
    }

    /**
     * Second half of a resume, on this connection's event loop, once the session let go of its old
     * connection: attach, answer (not numbered), replay what the client has not received, then serve.
     */
    private void resumeAttach(ChannelHandlerContext ctx, Packet packet, ResumeRequest request, DefaultSession target,
            HandshakeResult handshake, boolean released) {
        List<ByteBuf> replay;
        try {
            if (state != State.AUTHENTICATING || session.isClosing()) {
                return; // this connection went away (or timed out) meanwhile; the session stays detached
            }
            ctx.channel().config().setAutoRead(true);
            replay = released ? target.attach(ctx.channel(), session.transport(), request.getReceived(),
                    replayHandler(ctx)) : null;
        } catch (ProtocolException e) {
            refuseResume(packet, e.reason(), e.getMessage());
            return;
        } finally {
            target.endResume();
        }
        if (replay == null) {
            refuseResume(packet, Reason.RESUME_SESSION_GONE, "session " + target.id() + " closed during the resume");
            return;
        }
        // This connection now serves the resumed session; its own placeholder session is dropped unused.
        DefaultSession placeholder = session;
        runtime.registry().remove(placeholder);
        loginDeadline.cancel(false);
        session = target;
        state = State.ACTIVE;
        requestRate = new TokenBucket(options.requestsPerSecond(), options.requestBurst(), System.nanoTime());
        Packet answer = SystemPackets.packet(SystemSeq.RESUME, packet.getIndex(), ResumeResponse.newBuilder()
                .setSessionId(target.id())
                .setPlayerId(target.identity().playerId())
                .setReceived(target.clientPackets())
                .setResumeTicket(ByteString.copyFrom(target.issueTicket(handshake.resumeSecret())))
                .setResumeWindowMs((int) options.resumeWindow().toMillis())
                .setHeartbeatIntervalMs((int) options.heartbeatInterval().toMillis())
                .setIdleTimeoutMs((int) options.idleTimeout().toMillis())
                .setServerTimeMs(System.currentTimeMillis())
                .setMaxFrameLength(options.maxFrameLength())
                .setMaxPendingRequests(options.maxPendingRequests())
                .build());
        List<ByteBuf> records = new ArrayList<>(replay.size() + 1);
        records.add(PacketCodec.encode(ctx.alloc(), answer));
        records.addAll(replay);
        replayHandler(ctx).writeUnnumbered(records);
        runtime.stats().recordSessionResumed();
        runtime.logResume(target, replay.size());
        Packet next;
        while (state == State.ACTIVE && !session.isClosing() && (next = early.poll()) != null) {
            onActive(ctx, next);
        }
    }

    /** A refused resume: the error answer with the reason, a KICK, the close; as for a refused login. */
    private void refuseResume(Packet resume, Reason reason, String message) {
        session.write(SystemPackets.error(resume, reason, message));
        session.close(reason, message);
    }

    private void onActive(ChannelHandlerContext ctx, Packet packet) {
        if (session.isResumable()) {
            // Every client packet after the LOGIN counts, whatever becomes of it (docs/protocol.md, section 14).
            session.clientPacket(packet.getAck());
        }
        runtime.stats().traffic().recordIn(packet.getModule(), packet.getSerializedSize());
        // A one-way heartbeat carries an ack or a round-trip report: nothing is dispatched or answered,
        // so it is not a request the rate limit protects against, and refusing it would only count a
        // resumable client's acks under a push burst as RATE_LIMITED.
        boolean oneWayHeartbeat = packet.getIndex() == 0 && SystemPackets.is(packet, SystemSeq.HEARTBEAT);
        if (!oneWayHeartbeat && !requestRate.tryAcquire(System.nanoTime())) {
            runtime.stats().recordRequestFailed(Reason.RATE_LIMITED);
            if (options.requestRatePolicy() == io.janus.core.SessionOptions.RateLimitPolicy.DISCONNECT) {
                session.close(Reason.RATE_LIMITED, "more than " + options.requestsPerSecond()
                        + " packets a second (burst " + options.requestBurst() + ")");
            } else if (packet.getIndex() != 0) {
                session.write(SystemPackets.error(packet, Reason.RATE_LIMITED, "more than "
                        + options.requestsPerSecond() + " packets a second (burst " + options.requestBurst() + ")"));
            }
            return;
        }
        if (packet.getModule() == SystemPackets.MODULE) {
            onSystem(packet);
            return;
        }
        if (session.isDraining()) {
            // Refused, not dispatched: the session closes once the requests already in flight are answered.
            runtime.stats().recordRequestFailed(Reason.SERVER_DRAIN);
            if (packet.getIndex() != 0) {
                session.write(SystemPackets.error(packet, Reason.SERVER_DRAIN,
                        "the gateway is draining; reconnect to send more requests"));
            }
            return;
        }
        if (session.inflight() >= options.maxPendingRequests()) {
            runtime.stats().recordRequestFailed(Reason.TOO_MANY_PENDING_REQUESTS);
            if (packet.getIndex() != 0) {
                session.write(SystemPackets.error(packet, Reason.TOO_MANY_PENDING_REQUESTS,
                        "more than " + options.maxPendingRequests() + " requests in flight"));
            }
            return;
        }
        session.requestStarted();
        runtime.stats().recordRequest();
        runtime.dispatcher().dispatch(session, packet, ctx.executor())
                .whenComplete((response, failure) -> answered(packet, response, failure));
    }

    /**
     * Runs on the event loop: the dispatcher completes there. The answer is written before the request
     * stops counting as in flight, so a draining session's kick always follows its last answer.
     */
    private void answered(Packet request, Packet response, Throwable failure) {
        try {
            writeAnswer(request, response, failure);
        } finally {
            session.requestAnswered();
        }
    }

    private void writeAnswer(Packet request, Packet response, Throwable failure) {
        if (failure == null) {
            if (request.getIndex() != 0) {
                session.write(response);
            }
            return;
        }
        JanusException known = JanusException.find(failure);
        Packet error;
        if (known instanceof RequestException) {
            RequestException re = (RequestException) known;
            error = SystemPackets.error(request, re.status(), ErrorDetail.newBuilder()
                    .setReason(re.reason()).setMessage(String.valueOf(re.getMessage())).build().toByteString());
        } else if (known != null) {
            error = SystemPackets.error(request, known.reason(), String.valueOf(known.getMessage()));
        } else {
            try (SessionMdc.Scope ignored = SessionMdc.enter(session.info())) {
                unexpected.warn("Request of {} failed unexpectedly", session, failure);
            }
            error = SystemPackets.error(request, Reason.INTERNAL_ERROR, "internal error");
        }
        runtime.stats().recordRequestFailed(Reason.forNumber(error.getStatus()) != null
                ? Reason.forNumber(error.getStatus()) : Reason.GAME_ERROR);
        if (request.getIndex() != 0) {
            session.write(error);
        }
    }

    private void onSystem(Packet packet) {
        SystemSeq seq = SystemSeq.forNumber(packet.getSeq());
        if (seq == SystemSeq.HEARTBEAT) {
            Heartbeat ping = SystemPackets.parse(Heartbeat.parser(), packet.getBody());
            if (ping.getLastRttMs() > 0) {
                session.reportedRtt(ping.getLastRttMs());
            }
            if (packet.getIndex() != 0) {
                session.write(SystemPackets.packet(SystemSeq.HEARTBEAT, packet.getIndex(),
                        ping.toBuilder().setServerTimeMs(System.currentTimeMillis()).build()));
            }
        } else if (seq == SystemSeq.LOGOUT) {
            if (packet.getIndex() != 0) {
                session.write(SystemPackets.error(packet, 0, ByteString.EMPTY));
            }
            session.close(Reason.LOGGED_OUT, "the client logged out", false);
        } else {
            throw new ProtocolException(Reason.PROTOCOL_VIOLATION,
                    "system command " + packet.getSeq() + " is not allowed from a logged-in client");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeResult) {
            handshaken = true;
            runtime.stats().recordHandshake();
        } else if (evt instanceof IdleStateEvent) {
            if (state == State.ACTIVE && session.isResumable()) {
                // The connection is dead, not the session: it detaches and waits for a resume.
                try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
                    logger.debug("{}: nothing received for {} ms; dropping the connection", session,
                            options.idleTimeout().toMillis());
                }
                ctx.close();
                return;
            }
            session.close(Reason.IDLE_TIMEOUT, "nothing received for " + options.idleTimeout().toMillis() + " ms");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        JanusException known = JanusException.find(cause);
        if (known != null) {
            session.close(known.reason(), known.getMessage());
        } else if (cause instanceof IOException) {
            // Connection reset and the like: the client went away; not worth a log line each.
            ctx.close();
        } else {
            try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
                unexpected.warn("Unexpected failure in {}", session, cause);
            }
            session.close(Reason.INTERNAL_ERROR, "internal error");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state = State.CLOSED;
        if (loginDeadline != null) {
            loginDeadline.cancel(false);
        }
        early.clear();
        // A resumable session outlives its connection: tunnel, router and directory hear of it only when
        // the session ends (DefaultSession.finish), at the end of the resume window at the latest.
        if (!session.connectionLost(ctx.channel())) {
            session.finish();
        }
        if (!handshaken) {
            runtime.stats().recordHandshakeFailed(session.closeReason());
        }
        super.channelInactive(ctx);
    }
}
