package io.janus.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.ErrorDetail;
import io.janus.api.Heartbeat;
import io.janus.api.Kick;
import io.janus.api.LoginRequest;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.ResumeRequest;
import io.janus.api.ResumeResponse;
import io.janus.api.SystemSeq;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.janus.core.RequestException;
import io.janus.core.crypto.ResumeTicket;
import io.janus.core.protocol.HandshakeResult;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.transport.RequestDeadlines;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in session with a gateway: requests with futures, push listeners, an automatic heartbeat
 * that measures the round-trip time, and the reason it closed. Thread-safe: requests may be sent from
 * any thread; futures and listeners complete on the session's event loop.
 *
 * <h2>Session resume</h2>
 * When the gateway made the session resumable (the client asked with
 * {@link JanusClient.Builder#resume(boolean)}, the default, and the gateway's resume window is above 0;
 * docs/protocol.md section 14), a lost connection does not end the session. The session counts the
 * gateway's packets and acks them ({@code Packet.ack}, or a one-way heartbeat when 32 are unacked or the
 * oldest is 1 s old), numbers its own packets and keeps those the gateway has not confirmed. On a loss it
 * reconnects with exponential backoff and jitter, to its endpoints in turn, until the resume window
 * passes; each attempt runs a fresh handshake and a RESUME proved with the previous handshake's resume
 * secret. Once resumed, it resends what the gateway did not process and the gateway replays what the
 * client did not receive: pushes arrive once and in order, and requests in flight complete normally.
 * Requests made while reconnecting wait (bounded by the resend buffer) and go out on resume. The resend
 * buffer is bounded ({@link JanusClient.Builder#resendBuffer(int, long)}); a connected session asks for a
 * confirmation when it is half full, and past the bound still sends but without a copy, so that a connection
 * lost before the gateway confirms those packets ends the session with {@link Reason#REPLAY_OVERFLOW}. A
 * {@link SessionListener} hears {@code reconnecting}, {@code resumed} and {@code closed}; a refused
 * resume or an expired window fails pending requests with a {@link SessionClosedException} carrying the
 * reason ({@link Reason#RESUME_SESSION_GONE}, {@link Reason#RESUME_WINDOW_EXPIRED}, ...).
 *
 * <p>Session state lives on one event loop, the same for every connection of the session, so numbers,
 * acks and the wire order always agree.
 */
public final class ClientSession implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ClientSession.class);

    /** Opens one more connection of a session: the pipeline, with {@link #attach(Channel)}, and the handshake. */
    interface Connector {
        CompletableFuture<HandshakeResult> open(Endpoint endpoint, ClientSession session, int attempt);
    }

    /** How a resumable session reconnects; built by {@link JanusClient}. */
    static final class ResumeSettings {
        final List<Endpoint> endpoints;
        final Connector connector;
        final Backoff backoff;
        final long attemptTimeoutMillis;
        final int resendPackets;
        final long resendBytes;

        ResumeSettings(List<Endpoint> endpoints, Connector connector, Backoff backoff, long attemptTimeoutMillis,
                int resendPackets, long resendBytes) {
            this.endpoints = List.copyOf(endpoints);
            this.connector = requireNonNull(connector, "connector");
            this.backoff = requireNonNull(backoff, "backoff");
            this.attemptTimeoutMillis = attemptTimeoutMillis;
            this.resendPackets = resendPackets;
            this.resendBytes = resendBytes;
        }
    }

    private enum State { LOGGING_IN, ACTIVE, RECONNECTING, CLOSED }

    private final EventLoop loop;
    // The loop's own clock, so that ack and reconnect deadlines agree with its scheduler (and tests can move it).
    private final Ticker ticker;
    private final long requestTimeoutMillis;
    private final ResumeSettings resume;
    /**
     * Requests in flight by index. Confined to the event loop, as every path that reads or changes it
     * runs there (calls are handed to the loop; answers, deadlines and the close run on it): a
     * primitive-keyed map, since a ConcurrentHashMap of boxed indexes showed in the load generator's
     * profile (3% of its CPU). Bounded by the gateway's maxPendingRequests, which doCall checks.
     */
    private final IntObjectHashMap<Pending> pending = new IntObjectHashMap<>();
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final List<PushListener> pushListeners = new CopyOnWriteArrayList<>();
    private final List<SessionListener> sessionListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CloseReason> closeFuture = new CompletableFuture<>();
    private final AtomicReference<CloseReason> kickReason = new AtomicReference<>();
    private final CompletableFuture<ClientSession> loggedIn = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile State state = State.LOGGING_IN;
    private volatile LoginResponse login;
    private volatile int maxPendingRequests = Integer.MAX_VALUE;
    private volatile int maxFrameLength = Integer.MAX_VALUE;
    private volatile long rttMillis = -1;

    // Confined to the event loop.
    private ScheduledFuture<?> heartbeat;
    private PacketLedger ledger;
    private boolean resumable;
    private byte[] ticket;
    private byte[] ticketSecret;
    private byte[] handshakeSecret;
    private long resumeWindowMillis;
    private ScheduledFuture<?> ackTimer;
    private boolean probeInFlight;
    private boolean overflowLogged;
    private Throwable lastFailure;
    private int attempt;
    private boolean attemptSettled;
    private long reconnectDeadlineNanos;
    private int resumeIndex;
    private ScheduledFuture<?> attemptTimeout;

    private final class Pending implements Runnable {
        final CompletableFuture<Packet> future;
        int key;
        RequestDeadlines.Deadline deadline;
        long number;

        Pending(CompletableFuture<Packet> future) {
            this.future = future;
        }

        /** The deadline passed: the request fails with REQUEST_TIMEOUT unless answered. */
        @Override
        public void run() {
            if (removePending(this)) {
                future.completeExceptionally(RequestException.of(Reason.REQUEST_TIMEOUT,
                        "no answer within " + requestTimeoutMillis + " ms"));
            }
        }

        void startClock() {
            deadline = RequestDeadlines.start(loop, requestTimeoutMillis, TimeUnit.MILLISECONDS, this);
        }

        void stopClock() {
            RequestDeadlines.Deadline d = deadline;
            if (d != null) {
                d.cancel();
            }
        }
    }

    ClientSession(EventLoop loop, long requestTimeoutMillis, ResumeSettings resume) {
        this.loop = requireNonNull(loop, "loop");
        this.ticker = loop instanceof AbstractScheduledEventExecutor
                ? ((AbstractScheduledEventExecutor) loop).ticker() : Ticker.systemTicker();
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.resume = resume;
        if (resume != null) {
            ledger = new PacketLedger(resume.resendPackets, resume.resendBytes);
        }
    }

    /** The event loop every connection of this session runs on. */
    EventLoop eventLoop() {
        return loop;
    }

    /**
     * Makes {@code ch} this session's connection; called by the channel initializer, on the event loop.
     *
     * @param forAttempt the reconnect attempt that opened it, 0 for the first connection
     * @return the handler that feeds this session, installed after the packet codec
     */
    ChannelInboundHandlerAdapter attach(Channel ch, int forAttempt) {
        if (state == State.RECONNECTING && (forAttempt != attempt || attemptSettled) || state == State.CLOSED) {
            // The attempt that opened it timed out (or the session ended) before the connection was up.
            ch.close();
        } else {
            channel = ch;
        }
        return new Handler(ch);
    }

    CompletableFuture<ClientSession> login(LoginRequest request, byte[] resumeSecret) {
        LoginRequest sent = resume != null ? request.toBuilder().setResumable(true).build() : request;
        call(SystemPackets.packet(SystemSeq.LOGIN, 0, sent), false, false).whenComplete((packet, failure) -> {
            if (failure != null) {
                loggedIn.completeExceptionally(failure);
                closeChannel();
                return;
            }
            try {
                LoginResponse response = LoginResponse.parseFrom(packet.getBody());
                login = response;
                maxPendingRequests = response.getMaxPendingRequests();
                maxFrameLength = response.getMaxFrameLength();
                if (resume != null && !response.getResumeTicket().isEmpty()) {
                    resumable = true;
                    ticket = response.getResumeTicket().toByteArray();
                    ticketSecret = resumeSecret.clone();
                    resumeWindowMillis = response.getResumeWindowMs();
                } else {
                    ledger = null;
                }
                if (state == State.LOGGING_IN) {
                    state = State.ACTIVE;
                }
                startHeartbeat(response.getHeartbeatIntervalMs());
                loggedIn.complete(this);
                if (resumable) {
                    maybeAck();
                }
            } catch (InvalidProtocolBufferException e) {
                loggedIn.completeExceptionally(e);
                closeChannel();
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

    /** Whether the session is connected and logged in (false while it reconnects and once it closed). */
    public boolean isActive() {
        Channel ch = channel;
        return state == State.ACTIVE && ch != null && ch.isActive();
    }

    /** Whether the session lost its connection and is trying to resume (docs/protocol.md, section 14). */
    public boolean isReconnecting() {
        return state == State.RECONNECTING;
    }

    /**
     * Whether the gateway made this session resumable: the client asked and the gateway's resume window
     * is above 0. Known once the login completed.
     */
    public boolean isResumable() {
        LoginResponse l = login;
        return resume != null && l != null && !l.getResumeTicket().isEmpty();
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
     * Sends a request about a target object (a room, a match). While a resumable session reconnects the
     * request waits and goes out once it resumed; when it cannot wait (the resend buffer is full) it fails
     * with {@link Reason#TOO_MANY_PENDING_REQUESTS}.
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
        requireNonNull(body, "body");
        Packet packet = Packet.newBuilder().setModule(module).setSeq(seq).setObj(obj).setBody(body).build();
        return call(packet, true, true).thenApply(Packet::getBody);
    }

    /**
     * Sends a one-way message (index 0): the gateway routes it but sends no answer. In a resumable session
     * it is numbered and kept until the gateway confirmed it, and resent after a resume if needed; sent
     * while the session reconnects and its resend buffer is full, it is dropped with a warning in the log.
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
        requireNonNull(body, "body");
        Packet packet = Packet.newBuilder().setModule(module).setSeq(seq).setObj(obj).setBody(body).build();
        runOnLoop(() -> {
            if (state == State.CLOSED) {
                return;
            }
            if (resumable) {
                if (state == State.RECONNECTING && !ledger.hasRoom(packet.getSerializedSize())) {
                    logger.warn("One-way message dropped: the session is reconnecting and its resend buffer is full "
                            + "({} packets, {} bytes)", ledger.keptPackets(), ledger.keptBytes());
                    return;
                }
                record(packet);
            }
            transmit(packet, null);
            if (resumable) {
                probeIfHalfFull();
            }
        });
    }

    /**
     * Sends a heartbeat now and completes with the round-trip time in milliseconds.
     *
     * @return the round-trip time
     */
    public CompletableFuture<Long> heartbeat() {
        return heartbeat(false);
    }

    private CompletableFuture<Long> heartbeat(boolean probe) {
        long sent = System.nanoTime();
        long last = rttMillis;
        return call(SystemPackets.packet(SystemSeq.HEARTBEAT, 0, Heartbeat.newBuilder()
                .setClientTimeMs(System.currentTimeMillis())
                .setLastRttMs((int) Math.max(0, Math.min(last, Integer.MAX_VALUE)))
                .build()), !probe, true)
                .thenApply(p -> {
                    long rtt = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                    rttMillis = rtt;
                    return rtt;
                });
    }

    private CompletableFuture<Packet> call(Packet packet, boolean checkLimits, boolean numbered) {
        CompletableFuture<Packet> result = new CompletableFuture<>();
        try {
            runOnLoop(() -> doCall(packet, checkLimits, numbered, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new SessionClosedException(
                    new CloseReason(Reason.OK, "the client's event loop has shut down", false)));
        }
        return result;
    }

    private void doCall(Packet packet, boolean checkLimits, boolean numbered, CompletableFuture<Packet> result) {
        CloseReason closed = closeFuture.getNow(null);
        Channel ch = channel;
        boolean waitsForResume = state == State.RECONNECTING;
        if (closed != null || state == State.CLOSED || !waitsForResume && (ch == null || !ch.isActive())) {
            result.completeExceptionally(new SessionClosedException(
                    closed != null ? closed : new CloseReason(Reason.OK, "not connected", false)));
            return;
        }
        if (checkLimits) {
            if (pending.size() >= maxPendingRequests) {
                result.completeExceptionally(RequestException.of(Reason.TOO_MANY_PENDING_REQUESTS,
                        "more than " + maxPendingRequests + " requests in flight (the gateway's limit)"));
                return;
            }
            if (packet.getSerializedSize() > maxFrameLength) {
                result.completeExceptionally(RequestException.of(Reason.FRAME_TOO_LARGE,
                        "a packet of " + packet.getSerializedSize() + " bytes exceeds the gateway's maxFrameLength "
                                + maxFrameLength));
                return;
            }
        }
        boolean keep = numbered && resumable;
        // While reconnecting a packet can only wait in the resend buffer: refused when it does not fit.
        // (6 bytes: the most the index can add to the packet.)
        if (keep && waitsForResume && !ledger.hasRoom(packet.getSerializedSize() + 6)) {
            result.completeExceptionally(RequestException.of(Reason.TOO_MANY_PENDING_REQUESTS,
                    "the session is reconnecting and its resend buffer is full (" + ledger.keptPackets()
                            + " packets, " + ledger.keptBytes() + " bytes)"));
            return;
        }
        Pending p = new Pending(result);
        int index;
        do {
            index = nextIndex.incrementAndGet() & Integer.MAX_VALUE;
        } while (index == 0 || pending.containsKey(index));
        pending.put(index, p);
        p.key = index;
        p.startClock();
        Packet indexed = packet.toBuilder().setIndex(index).build();
        if (keep) {
            p.number = record(indexed);
        }
        if (resumable && state == State.RECONNECTING) {
            return; // kept; goes out with the resend once the session resumed
        }
        if (resumable) {
            transmit(indexed, null);
            probeIfHalfFull();
            return;
        }
        ch.writeAndFlush(indexed).addListener(f -> {
            if (!f.isSuccess() && removePending(p)) {
                p.stopClock();
                p.future.completeExceptionally(new SessionClosedException(
                        new CloseReason(Reason.OK, "write failed: " + f.cause(), false)));
            }
        });
    }

    /**
     * Numbers and keeps a packet. The caller transmits it right after, before anything else is numbered,
     * so that numbers follow the wire order; then calls {@link #probeIfHalfFull()}.
     */
    private long record(Packet packet) {
        long number = ledger.record(packet);
        if (!ledger.lastKept() && !overflowLogged) {
            overflowLogged = true;
            logger.warn("Session {}: the resend buffer is full ({} packets, {} bytes); packets go out without a copy, "
                    + "and a connection lost before the gateway confirms them ends the session",
                    login.getSessionId(), ledger.keptPackets(), ledger.keptBytes());
        } else if (overflowLogged && ledger.canResend()) {
            overflowLogged = false;
        }
        return number;
    }

    /** Asks the gateway for a confirmation (a heartbeat request) when the resend buffer is half full. */
    private void probeIfHalfFull() {
        if (ledger != null && ledger.halfFull() && !probeInFlight && state == State.ACTIVE) {
            probeInFlight = true;
            heartbeat(true).whenComplete((rtt, failure) -> probeInFlight = false);
        }
    }

    /** Writes a packet on the current connection with the ack due, if connected; on the event loop. */
    private void transmit(Packet packet, ChannelFutureListener listener) {
        Channel ch = channel;
        if (ch == null || state == State.RECONNECTING || state == State.CLOSED) {
            return;
        }
        Packet out = packet;
        if (resumable) {
            long ack = ledger.takeAck();
            if (ack > 0) {
                out = packet.toBuilder().setAck(ack).build();
                cancelAckTimer();
            }
        }
        if (listener == null) {
            ch.writeAndFlush(out, ch.voidPromise());
        } else {
            ch.writeAndFlush(out).addListener(listener);
        }
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

    /**
     * Adds a listener for the connection's events: reconnecting, resumed, closed. A listener added after the
     * session closed is called with {@link SessionListener#closed(CloseReason)} at once.
     *
     * @param listener called on the event loop
     * @return this session
     */
    public ClientSession addListener(SessionListener listener) {
        requireNonNull(listener, "listener");
        sessionListeners.add(listener);
        closeFuture.thenAcceptAsync(reason -> {
            // finish() tells the listeners registered before it; this catches the ones added after.
            if (sessionListeners.remove(listener)) {
                safely(() -> listener.closed(reason));
            }
        }, loop);
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
        call(SystemPackets.packet(SystemSeq.LOGOUT, 0, com.google.protobuf.Empty.getDefaultInstance()), false, true);
        return closeFuture;
    }

    /**
     * Closes the connection at once; pending requests fail with SessionClosedException. A resumable
     * session first sends a one-way LOGOUT so that the gateway ends it now instead of keeping it for a
     * resume that will never come; a session that is reconnecting stops.
     */
    @Override
    public void close() {
        kickReason.compareAndSet(null, new CloseReason(Reason.OK, "closed by the client", false));
        try {
            runOnLoop(() -> {
                if (state == State.RECONNECTING) {
                    finish(kickReason.get());
                    return;
                }
                Channel ch = channel;
                if (resumable && state == State.ACTIVE && ch != null && ch.isActive()) {
                    ch.writeAndFlush(SystemPackets.packet(SystemSeq.LOGOUT, 0,
                            com.google.protobuf.Empty.getDefaultInstance())).addListener(ChannelFutureListener.CLOSE);
                } else {
                    closeChannel();
                }
            });
        } catch (RejectedExecutionException e) {
            closeChannel();
        }
    }

    /** The current connection, for tests that need to misbehave on purpose. */
    Channel channel() {
        return channel;
    }

    private void closeChannel() {
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private void runOnLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private void startHeartbeat(long intervalMillis) {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
        if (intervalMillis <= 0) {
            return;
        }
        heartbeat = loop.scheduleAtFixedRate(() -> {
            if (state != State.ACTIVE) {
                return;
            }
            if (resumable && !probeInFlight) {
                // Doubles as the confirmation probe: its answer frees every packet sent before it.
                probeInFlight = true;
                heartbeat(true).whenComplete((rtt, failure) -> probeInFlight = false);
            } else if (!resumable) {
                heartbeat().exceptionally(t -> null);
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void stopTimers() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
        cancelAckTimer();
    }

    // --- acks (docs/protocol.md, section 14, "Numbering") ---

    private void maybeAck() {
        if (state != State.ACTIVE) {
            return;
        }
        long now = ticker.nanoTime();
        if (ledger.ackDue(now)) {
            sendAck();
        } else if (ackTimer == null && ledger.ackDeadlineNanos() >= 0) {
            ackTimer = loop.schedule(() -> {
                ackTimer = null;
                if (resumable && ledger != null) {
                    maybeAck();
                }
            }, Math.max(0, ledger.ackDeadlineNanos() - now), TimeUnit.NANOSECONDS);
        }
    }

    private void sendAck() {
        Packet ack = SystemPackets.packet(SystemSeq.HEARTBEAT, 0,
                Heartbeat.newBuilder().setClientTimeMs(System.currentTimeMillis()).build());
        record(ack);
        transmit(ack, null);
        probeIfHalfFull();
    }

    private void cancelAckTimer() {
        if (ackTimer != null) {
            ackTimer.cancel(false);
            ackTimer = null;
        }
    }

    // --- reading ---

    private void onRead(Channel ch, Packet packet) {
        if (ch != channel || state == State.CLOSED) {
            return;
        }
        if (state == State.RECONNECTING) {
            if (packet.getIndex() == resumeIndex && SystemPackets.is(packet, SystemSeq.RESUME)) {
                onResumeAnswer(ch, packet);
                return;
            }
            throw new ProtocolException(Reason.PROTOCOL_VIOLATION, "the gateway sent module " + packet.getModule()
                    + " seq " + packet.getSeq() + " before answering the RESUME");
        }
        if (ledger != null) {
            ledger.onReceived(ticker.nanoTime());
        }
        onPacket(packet);
        if (resumable && ledger != null) {
            maybeAck();
        }
    }

    private void onPacket(Packet packet) {
        if (packet.getIndex() != 0) {
            Pending p = pending.remove(packet.getIndex());
            if (p == null) {
                return; // answered after its timeout
            }
            p.stopClock();
            if (p.number > 0 && resumable) {
                ledger.confirm(p.number); // the gateway reads in order: it processed 1..number
            }
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
        } catch (InvalidProtocolBufferException e) {
            message = "status " + packet.getStatus();
        }
        return RequestException.fromStatus(packet.getStatus(), message);
    }

    // --- connection loss and resume ---

    private void onInactive(Channel ch) {
        if (ch != channel || state == State.CLOSED) {
            return;
        }
        if (state == State.RECONNECTING) {
            attemptFailed(lastFailure != null ? lastFailure
                    : new IOException(resumeIndex != 0 ? "the connection closed before the gateway answered the RESUME"
                            : "the connection closed before the handshake completed"));
            return;
        }
        stopTimers();
        CloseReason reason = kickReason.get();
        if (reason == null && loop.isShuttingDown()) {
            reason = new CloseReason(Reason.OK, "the client shut down", false); // JanusClient.close(): no resume
        }
        boolean resumableEnd = reason == null
                || reason.byServer() && reason.reason() == Reason.IDLE_TIMEOUT; // the gateway keeps the session
        if (state == State.ACTIVE && resumable && resumableEnd && resumeWindowMillis > 0) {
            kickReason.set(null);
            Throwable cause = lastFailure != null ? lastFailure
                    : new IOException(reason != null ? "the gateway closed the connection: " + reason
                            : "the connection ended");
            startReconnect(cause);
            return;
        }
        finish(reason != null ? reason : new CloseReason(Reason.OK, "the connection ended", false));
    }

    private void startReconnect(Throwable cause) {
        state = State.RECONNECTING;
        attempt = 0;
        reconnectDeadlineNanos = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(resumeWindowMillis);
        logger.info("Session {} lost its connection ({}); resuming within {} ms", login.getSessionId(),
                cause.toString(), resumeWindowMillis);
        scheduleAttempt(cause);
    }

    private void scheduleAttempt(Throwable cause) {
        long remaining = reconnectDeadlineNanos - ticker.nanoTime();
        if (remaining <= 0) {
            finish(new CloseReason(Reason.RESUME_WINDOW_EXPIRED, "no resume within the resume window of "
                    + resumeWindowMillis + " ms; last failure: " + cause, false));
            return;
        }
        attempt++;
        attemptSettled = false;
        resumeIndex = 0;
        lastFailure = null;
        int n = attempt;
        for (SessionListener listener : sessionListeners) {
            safely(() -> listener.reconnecting(n, cause));
        }
        long delay = Math.min(resume.backoff.delayMillis(n, bound -> ThreadLocalRandom.current().nextLong(bound)),
                TimeUnit.NANOSECONDS.toMillis(remaining));
        try {
            loop.schedule(() -> runAttempt(n), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            finish(new CloseReason(Reason.OK, "the client shut down while reconnecting", false));
        }
    }

    private void runAttempt(int n) {
        if (state != State.RECONNECTING || n != attempt) {
            return;
        }
        Endpoint endpoint = resume.endpoints.get((n - 1) % resume.endpoints.size());
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(reconnectDeadlineNanos - ticker.nanoTime());
        attemptTimeout = loop.schedule(() -> {
            if (n == attempt && !attemptSettled) {
                attemptFailed(new IOException("attempt " + n + " to " + endpoint + " took longer than "
                        + resume.attemptTimeoutMillis + " ms"));
            }
        }, Math.max(1, Math.min(resume.attemptTimeoutMillis, remainingMillis)), TimeUnit.MILLISECONDS);
        CompletableFuture<HandshakeResult> opened;
        try {
            opened = resume.connector.open(endpoint, this, n);
        } catch (RuntimeException e) {
            opened = CompletableFuture.failedFuture(e);
        }
        opened.whenCompleteAsync((handshake, failure) -> {
            if (n != attempt || state != State.RECONNECTING || attemptSettled) {
                return;
            }
            if (failure != null) {
                attemptFailed(failure);
                return;
            }
            sendResume(handshake);
        }, loop);
    }

    private void sendResume(HandshakeResult handshake) {
        handshakeSecret = handshake.resumeSecret();
        int index;
        do {
            index = nextIndex.incrementAndGet() & Integer.MAX_VALUE;
        } while (index == 0 || pending.containsKey(index));
        resumeIndex = index;
        ResumeRequest request = ResumeRequest.newBuilder()
                .setTicket(ByteString.copyFrom(ticket))
                .setReceived(ledger.received())
                .setProof(ByteString.copyFrom(ResumeTicket.proof(ticketSecret, handshake.transcriptHash())))
                .build();
        // Not numbered and without an ack: the RESUME carries the received count itself.
        channel.writeAndFlush(SystemPackets.packet(SystemSeq.RESUME, index, request), channel.voidPromise());
    }

    private void onResumeAnswer(Channel ch, Packet packet) {
        attemptSettled = true;
        cancelAttemptTimeout();
        if (packet.getStatus() != 0) {
            Reason reason = Reason.forNumber(packet.getStatus());
            RequestException refusal = toException(packet);
            finish(new CloseReason(reason != null ? reason : Reason.PROTOCOL_VIOLATION,
                    "the gateway refused the resume: " + refusal.getMessage(), true));
            return;
        }
        ResumeResponse response = SystemPackets.parse(ResumeResponse.parser(), packet.getBody());
        List<Packet> resend;
        try {
            resend = ledger.resumeFrom(response.getReceived());
        } catch (ProtocolException e) {
            // The gateway attached the session to this connection: a LOGOUT ends it there too, rather than
            // leaving it detached until its window passes.
            ch.writeAndFlush(SystemPackets.packet(SystemSeq.LOGOUT, 0, com.google.protobuf.Empty.getDefaultInstance()),
                    ch.voidPromise());
            finish(new CloseReason(e.reason(), String.valueOf(e.getMessage()), false));
            return;
        }
        ledger.ackedByResume(ledger.received());
        if (!response.getResumeTicket().isEmpty()) {
            ticket = response.getResumeTicket().toByteArray();
            ticketSecret = handshakeSecret; // the new ticket is bound to the new handshake
        }
        if (response.getResumeWindowMs() > 0) {
            resumeWindowMillis = response.getResumeWindowMs();
        }
        if (response.getMaxPendingRequests() > 0) {
            maxPendingRequests = response.getMaxPendingRequests();
        }
        if (response.getMaxFrameLength() > 0) {
            maxFrameLength = response.getMaxFrameLength();
        }
        state = State.ACTIVE;
        lastFailure = null;
        logger.info("Session {} resumed after {} attempt(s); resending {} packet(s)", response.getSessionId(),
                attempt, resend.size());
        for (Packet p : resend) {
            transmit(p, null);
        }
        startHeartbeat(response.getHeartbeatIntervalMs());
        for (SessionListener listener : sessionListeners) {
            safely(listener::resumed);
        }
    }

    private void attemptFailed(Throwable cause) {
        if (state != State.RECONNECTING || attemptSettled) {
            return;
        }
        attemptSettled = true;
        cancelAttemptTimeout();
        logger.info("Resume attempt {} of session {} failed: {}", attempt, login.getSessionId(), cause.toString());
        Channel ch = channel;
        channel = null; // its close must not count against the next attempt
        if (ch != null) {
            ch.close();
        }
        JanusException known = JanusException.find(cause);
        scheduleAttempt(known != null ? known : cause);
    }

    private void cancelAttemptTimeout() {
        if (attemptTimeout != null) {
            attemptTimeout.cancel(false);
            attemptTimeout = null;
        }
    }

    /** Removes a request in flight if it is still the one under its index; loop only. */
    private boolean removePending(Pending p) {
        if (pending.get(p.key) != p) {
            return false;
        }
        pending.remove(p.key);
        return true;
    }

    /** Ends the session for good: fails what is pending, completes the close future, tells the listeners. */
    private void finish(CloseReason reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        stopTimers();
        cancelAttemptTimeout();
        closeChannel();
        ledger = null;
        ticket = null;
        ticketSecret = null;
        handshakeSecret = null;
        SessionClosedException failure = new SessionClosedException(reason);
        List<Pending> unanswered = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : unanswered) {
            p.stopClock();
            p.future.completeExceptionally(failure);
        }
        loggedIn.completeExceptionally(failure);
        // Listeners first: whoever waits on the close future then sees every event already delivered.
        for (SessionListener listener : sessionListeners) {
            if (sessionListeners.remove(listener)) {
                safely(() -> listener.closed(reason));
            }
        }
        closeFuture.complete(reason);
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            logger.warn("Session listener failed", e);
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final Channel ch;

        Handler(Channel ch) {
            this.ch = ch;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            onRead(ch, (Packet) msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ch == channel) {
                JanusException known = JanusException.find(cause);
                if (known != null && state != State.RECONNECTING) {
                    // A protocol error on our side ends the session: its stream can no longer be trusted.
                    kickReason.compareAndSet(null, new CloseReason(known.reason(),
                            String.valueOf(known.getMessage()), false));
                } else {
                    lastFailure = cause;
                    logger.debug("Connection failed", cause);
                }
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            onInactive(ch);
            super.channelInactive(ctx);
        }
    }

    @Override
    public String toString() {
        LoginResponse l = login;
        Channel ch = channel;
        return "ClientSession{" + (ch == null ? "" : ch.remoteAddress())
                + (l == null ? "" : ", session=" + l.getSessionId() + ", player=" + l.getPlayerId())
                + ", " + state + "}";
    }
}
