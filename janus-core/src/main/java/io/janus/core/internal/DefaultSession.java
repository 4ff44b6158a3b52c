package io.janus.core.internal;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SessionState;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.ResumeTicket;
import io.janus.core.game.Push;
import io.janus.core.protocol.HandshakeResult;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's {@link Session}: a channel, its identity once logged in, and how it closed.
 *
 * <p>A resumable session (docs/protocol.md, section 14) outlives its connection: it numbers the packet
 * records it sends and keeps them in a {@link ReplayBuffer} until the client acknowledges them; when the
 * connection ends without the gateway ending the session it is <em>detached</em> (packets are numbered
 * into the buffer) until a RESUME on a new connection attaches it again or the resume window passes.
 * The current channel, the detached flag and the numbering change together under the replay buffer's
 * monitor; everything else about the connection runs on the current channel's event loop.
 */
public final class DefaultSession implements Session {

    // Field updaters rather than atomic objects: a gateway holds 100,000 idle sessions.
    private static final AtomicIntegerFieldUpdater<DefaultSession> INFLIGHT =
            AtomicIntegerFieldUpdater.newUpdater(DefaultSession.class, "inflight");
    private static final AtomicIntegerFieldUpdater<DefaultSession> FINISHED =
            AtomicIntegerFieldUpdater.newUpdater(DefaultSession.class, "finished");

    /** How long a kick may take to reach the client before the connection is cut anyway. */
    private static final long KICK_GRACE_MILLIS = 1000;

    private final long id;
    /** The connection; replaced by a resume (under the replay buffer's monitor). */
    private volatile Channel channel;
    private volatile String transport;
    private final GatewayRuntime runtime;
    /** Made on first use: most sessions never have attributes, and an empty map costs about 64 bytes. */
    private volatile ConcurrentMap<String, Object> attributes;
    private final AtomicReference<Reason> closeReason = new AtomicReference<>();
    private final CompletableFuture<Reason> closeFuture = new CompletableFuture<>();
    private volatile SessionInfo info;
    private volatile long rttMillis = -1;
    // Game requests dispatched and not yet answered, and the drain notice once the gateway drains
    // (docs/architecture.md, "Drain"). Atomic and volatile: after a resume, answers to requests of the
    // old connection complete on its event loop while new requests start on the new one.
    private volatile int inflight;
    private volatile Packet drainKick;
    private volatile String drainMessage;
    /** The login the session directory holds for this session, released when the session ends. */
    private volatile SessionInfo directoryEntry;
    private volatile int finished;

    // Session resume (docs/protocol.md, section 14). `replay` is set once, on the event loop, before the
    // LoginResponse is written; `detached`, `expiry` and `generation` are guarded by its monitor.
    private volatile ReplayBuffer replay;
    private volatile boolean detached;
    private ScheduledFuture<?> expiry;
    private long generation;
    /** The resume secret of the latest ticket issued, and of the one before until the client used the new one. */
    private volatile byte[] resumeSecret;
    private volatile byte[] previousResumeSecret;
    /** When the resume window of the current detach ends, Unix milliseconds; guarded by the replay monitor. */
    private long windowEndsAtMillis;

    // Resume on another gateway (docs/protocol.md, section 14.6). `frozen` and `exportedSent` are guarded
    // by the replay buffer's monitor; `movedTo` is set once, when the session was handed over.
    private boolean frozen;
    private long exportedSent;
    private volatile String movedTo;

    DefaultSession(long id, Channel channel, String transport, GatewayRuntime runtime) {
        this.id = id;
        this.channel = channel;
        this.transport = transport;
        this.runtime = runtime;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public Identity identity() {
        SessionInfo i = info;
        return i == null ? null : i.identity();
    }

    @Override
    public SessionInfo info() {
        return info;
    }

    void loggedIn(SessionInfo info) {
        this.info = info;
    }

    Channel channel() {
        return channel;
    }

    /** A detached resumable session is active: it still takes pushes, into its replay buffer. */
    @Override
    public boolean isActive() {
        return closeReason.get() == null && (detached || channel.isActive());
    }

    /** Whether {@link #close} was called or the connection ended. */
    boolean isClosing() {
        return closeReason.get() != null;
    }

    @Override
    public ConcurrentMap<String, Object> attributes() {
        ConcurrentMap<String, Object> map = attributes;
        if (map == null) {
            synchronized (this) {
                map = attributes;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    attributes = map;
                }
            }
        }
        return map;
    }

    @Override
    public boolean push(Push push) {
        if (info == null) {
            return false;
        }
        return write(push.toPacket());
    }

    @Override
    public boolean notice(String text) {
        if (info == null) {
            return false;
        }
        return write(SystemPackets.packet(io.janus.api.SystemSeq.NOTICE, 0,
                io.janus.api.Notice.newBuilder().setText(text).build()));
    }

    @Override
    public long rttMillis() {
        return rttMillis;
    }

    void reportedRtt(long millis) {
        rttMillis = millis;
    }

    /**
     * Queues a packet for the client, from any thread. A session whose queued outbound bytes pass
     * {@code maxOutboundBytes} is closed as a slow consumer instead of buffering more.
     *
     * @param packet the packet
     * @return whether the packet was queued
     */
    boolean write(Packet packet) {
        String to = movedTo;
        if (to != null) {
            return forward(to, packet);
        }
        if (replay != null) {
            return writeResumable(packet);
        }
        if (!isActive() || closedAsSlowConsumer(channel)) {
            return false;
        }
        runtime.stats().traffic().recordOut(packet.getModule(), packet.getSerializedSize());
        channel.writeAndFlush(packet, channel.voidPromise());
        return true;
    }

    /**
     * Writes and flushes one delivery of a fan-out (see {@link Broadcaster}): the packet already
     * encoded once for every receiver. Event loop only. The encoded bytes enter the pipeline below the
     * packet codec, where an encoded packet would arrive, and are sealed for this session there; a
     * session that negotiated compression gets the packet itself when its body is long enough to be
     * compressed, so that the compression handler sees it. The slow-consumer rule of {@link #write}
     * applies.
     *
     * @param packet the packet
     * @param encoded the packet's encoding; not released here (a retained duplicate is written)
     * @return whether the packet was queued
     */
    boolean writeEncoded(Packet packet, ByteBuf encoded) {
        String to = movedTo;
        if (to != null) {
            return forward(to, packet);
        }
        if (replay != null) {
            return writeEncodedResumable(packet, encoded);
        }
        if (!isActive() || closedAsSlowConsumer(channel)) {
            return false;
        }
        return writeEncodedTo(channel, packet, encoded);
    }

    /** The fan-out delivery to {@code channel}, on its event loop, once the session may take it. */
    private boolean writeEncodedTo(Channel channel, Packet packet, ByteBuf encoded) {
        HandshakeResult handshake = channel.attr(HandshakeResult.KEY).get();
        int threshold = handshake == null ? 0 : handshake.compressionThreshold();
        if (threshold > 0 && packet.getBody().size() > threshold) {
            runtime.stats().traffic().recordOut(packet.getModule(), packet.getSerializedSize());
            channel.writeAndFlush(packet, channel.voidPromise());
            return true;
        }
        ChannelHandlerContext codec = channel.pipeline().context(PacketCodec.NAME);
        if (codec == null) {
            return false; // the pipeline is being torn down: the channel is closed
        }
        runtime.stats().traffic().recordOut(packet.getModule(), encoded.readableBytes());
        codec.writeAndFlush(encoded.retainedDuplicate(), channel.voidPromise());
        return true;
    }

    /**
     * The most outbound bytes this session may have queued (SessionOptions.maxOutboundBytes); a
     * fan-out also bounds the broadcasts queued for an event loop by it.
     */
    long maxOutboundBytes() {
        return runtime.options().maxOutboundBytes();
    }

    /**
     * Applies the slow-consumer rule: closes the session with {@link Reason#SLOW_CONSUMER} when more
     * than {@code maxOutboundBytes} are queued for it.
     *
     * @return whether the session was (or just got) closed for it
     */
    private boolean closedAsSlowConsumer(Channel channel) {
        // bytesBeforeWritable() is what must drain to get below the low water mark; queued bytes are
        // that plus the low water mark. Packets queued from other threads are counted at submission by
        // PacketSizeEstimator, so a flood of pushes cannot hide in the event loop's task queue; the
        // fan-out bounds its own queued tasks per event loop (Broadcaster).
        if (!channel.isWritable()
                && channel.bytesBeforeWritable() + runtime.options().outboundLowWaterMark()
                        > runtime.options().maxOutboundBytes()) {
            closeSlowConsumer("more than " + runtime.options().maxOutboundBytes()
                    + " outbound bytes queued; the client does not read");
            return true;
        }
        return false;
    }

    /**
     * Closes the session with {@link Reason#SLOW_CONSUMER}, without a kick (the client does not read).
     *
     * @param message the detail for the log
     */
    void closeSlowConsumer(String message) {
        close(Reason.SLOW_CONSUMER, message, false);
    }

    /** Game requests dispatched and not yet answered. Event loop only. */
    int inflight() {
        return inflight;
    }

    /** A game request was dispatched. Event loop only. */
    void requestStarted() {
        INFLIGHT.incrementAndGet(this);
    }

    /**
     * A game request was answered (its answer already written). Event loop only. The last answer of a
     * draining session closes it with the drain notice, behind that answer.
     */
    void requestAnswered() {
        if (INFLIGHT.decrementAndGet(this) == 0) {
            if (movedTo != null) {
                letGo(); // the last answer of a session handed over was forwarded
            } else if (drainKick != null) {
                close(Reason.SERVER_DRAIN, drainMessage, drainKick);
            }
        }
    }

    /** Whether the gateway drains this session: new game requests are refused. Event loop only. */
    boolean isDraining() {
        return drainKick != null;
    }

    /**
     * Starts draining this session, from any thread: from now on new game requests are answered with
     * {@link Reason#SERVER_DRAIN}; once every request in flight is answered (at once when none is), the
     * session is closed with {@code kick}. Calling it again has no effect.
     *
     * @param kick the drain notice, a KICK with {@link Reason#SERVER_DRAIN}
     * @param message the detail for the log
     * @return the close future
     */
    CompletableFuture<Reason> drain(Packet kick, String message) {
        Runnable start = () -> {
            if (drainKick != null || isClosing()) {
                return;
            }
            drainMessage = message;
            drainKick = kick;
            if (inflight == 0) {
                close(Reason.SERVER_DRAIN, message, kick);
            }
        };
        if (channel.eventLoop().inEventLoop()) {
            start.run();
        } else {
            try {
                channel.eventLoop().execute(start);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The event loop is shutting down: so is the connection.
                close(Reason.SERVER_DRAIN, message, kick);
            }
        }
        return closeFuture;
    }

    @Override
    public void close(Reason reason, String message) {
        close(reason, message, true);
    }

    /**
     * Closes the session once; later calls are ignored. The reason is counted, logged and, unless
     * {@code notify} is false or the client does not read anyway, sent to the client in a kick.
     *
     * @param reason why
     * @param message detail
     * @param notify whether to send a kick first
     */
    void close(Reason reason, String message, boolean notify) {
        close(reason, message, notify ? SystemPackets.kick(reason, message) : null);
    }

    /**
     * Closes the session once, from any thread, as {@link #close(Reason, String, boolean)} does, with
     * a given kick.
     *
     * @param reason why, counted and logged
     * @param message detail for the log
     * @param kick the KICK packet to send first, or {@code null} for none
     */
    void close(Reason reason, String message, Packet kick) {
        if (!closeReason.compareAndSet(null, reason)) {
            return;
        }
        runtime.stats().recordSessionClosed(reason);
        runtime.logClose(this, reason, message);
        if (endIfDetached()) {
            return;
        }
        if (kick != null && reason != Reason.SLOW_CONSUMER && channel.isActive()) {
            channel.writeAndFlush(kick).addListener(ChannelFutureListener.CLOSE);
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, KICK_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    /** Why the session closed, or {@code null} while it is open. */
    Reason closeReason() {
        return closeReason.get();
    }

    /** Completes the close future; called once the session ended (see {@link #finish}). */
    private void closed() {
        // A connection that ended without close() was ended by the client (or the network).
        if (closeReason.compareAndSet(null, Reason.OK)) {
            runtime.stats().recordSessionClosed(Reason.OK);
        }
        closeFuture.complete(closeReason.get());
    }

    // ---- The end of the session --------------------------------------------------------------------

    /** Records the session directory's entry of this session, released when the session ends. */
    void directoryEntry(SessionInfo entry) {
        this.directoryEntry = entry;
    }

    /**
     * Ends the session for good, once: it leaves the registry, its close future completes, its replay
     * buffer is released, the tunnel, the router and the session directory are told. Called when its
     * last connection ended without a detach, or when a detached session closes (window passed, kick,
     * drain, shutdown). For a resumable session that is not at the drop but at the end of the window.
     */
    void finish() {
        if (movedTo != null) {
            return; // handed over to another gateway: it leaves this one by letGo, not as a session end
        }
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        runtime.registry().remove(this);
        closed();
        ReplayBuffer r = replay;
        if (r != null) {
            synchronized (r) {
                cancelExpiryLocked();
                if (detached) {
                    detached = false;
                    runtime.releaseDetached();
                }
                r.release();
            }
        }
        SessionInfo i = info;
        if (i != null) {
            runtime.tunnel().sessionClosed(i);
            runtime.router().sessionClosed(i);
        }
        SessionInfo entry = directoryEntry;
        if (entry != null) {
            directoryEntry = null;
            runtime.directory().unregister(entry);
        }
    }

    /** Whether {@link #finish} ran. */
    boolean isFinished() {
        return finished != 0;
    }

    /** After {@link #close}: a detached session has no connection whose end would finish it, so finish now. */
    private boolean endIfDetached() {
        ReplayBuffer r = replay;
        if (r == null) {
            return false;
        }
        synchronized (r) {
            if (!detached) {
                return false;
            }
        }
        Channel ch = channel;
        try {
            ch.eventLoop().execute(this::finish);
        } catch (RejectedExecutionException e) {
            finish();
        }
        return true;
    }

    // ---- Session resume (docs/protocol.md, section 14) ----------------------------------------------

    /**
     * Makes this logged-in session resumable: from now on its packet records are numbered and kept until
     * acknowledged. Event loop only, before the LoginResponse is written.
     *
     * @param buffer the session's replay buffer
     * @param handler this connection's replay handler
     */
    void makeResumable(ReplayBuffer buffer, ReplayHandler handler) {
        this.replay = buffer;
        handler.numberFor(this);
    }

    /** Whether the session is resumable. */
    boolean isResumable() {
        return replay != null;
    }

    /** The replay buffer, {@code null} unless resumable. */
    ReplayBuffer replayBuffer() {
        return replay;
    }

    /** Whether the session has no connection and waits for a resume. */
    boolean isDetached() {
        return detached;
    }

    /** Whether {@code ch} is the session's live connection (always true for a session that is not resumable). */
    boolean isAttachedTo(Channel ch) {
        return replay == null || (channel == ch && !detached);
    }

    /** Client packets processed since the login, over every connection. */
    long clientPackets() {
        return replay.clientPackets();
    }

    /**
     * Counts a client packet of a resumable session and applies the acknowledgement it carries. The
     * client used its newest ticket's connection, so the previous ticket stops being accepted.
     *
     * @param ack {@code Packet.ack}
     * @throws ProtocolException with {@link Reason#PROTOCOL_VIOLATION} for an impossible ack
     */
    void clientPacket(long ack) {
        if (previousResumeSecret != null) {
            previousResumeSecret = null;
        }
        replay.clientPacket(ack);
    }

    /**
     * Issues a fresh ticket bound to {@code secret}, the resume secret of the handshake of the session's
     * current connection; the ticket issued before stays valid until the client sends on this connection.
     *
     * @param secret the resume secret
     * @return the sealed ticket
     */
    byte[] issueTicket(byte[] secret) {
        previousResumeSecret = resumeSecret;
        resumeSecret = secret.clone();
        long expires = System.currentTimeMillis() + runtime.options().resumeWindow().toMillis()
                + GatewayRuntime.TICKET_GRACE_MILLIS;
        return new ResumeTicket(id, info.playerId(), runtime.gatewayId(), secret, expires)
                .seal(runtime.resumeTicketKey());
    }

    /** Whether {@code ticket} is the latest ticket issued for this session (or the one before, unused yet). */
    boolean issued(ResumeTicket ticket) {
        return ticket.carries(resumeSecret) || ticket.carries(previousResumeSecret);
    }

    private boolean writeResumable(Packet packet) {
        if (closeReason.get() != null) {
            return movedAway(packet);
        }
        Channel ch = channel;
        if (ch.eventLoop().inEventLoop()) {
            return writeOnLoop(ch, packet);
        }
        // Through the connection's event loop rather than channel.write: there the session can tell
        // whether the connection is still its own before the packet enters the pipeline, so that no
        // packet slips past the numbering into a connection that is going away.
        try {
            ch.eventLoop().execute(() -> writeOnLoop(ch, packet));
        } catch (RejectedExecutionException e) {
            return false;
        }
        return true;
    }

    private boolean writeOnLoop(Channel ch, Packet packet) {
        ReplayBuffer r = replay;
        synchronized (r) {
            if (closeReason.get() != null) {
                return movedAway(packet);
            }
            if (detached) {
                runtime.stats().traffic().recordOut(packet.getModule(), packet.getSerializedSize());
                return numbered(r.append(PacketCodec.encode(ch.alloc(), packet)));
            }
        }
        if (channel != ch) {
            // Resumed on another connection since the write was submitted: follow the session there.
            return write(packet);
        }
        // Attached to ch and on its event loop: its channelInactive (the only place it detaches) has not
        // run, so its pipeline is whole and the replay handler numbers the packet.
        if (closedAsSlowConsumer(ch)) {
            return false;
        }
        runtime.stats().traffic().recordOut(packet.getModule(), packet.getSerializedSize());
        ch.writeAndFlush(packet, ch.voidPromise());
        return true;
    }

    /**
     * A fan-out delivery to a resumable session, on the event loop of the connection the
     * {@link Broadcaster} found: numbered through the pipeline when the session is still attached
     * there; the encoded bytes themselves kept when it is detached; passed on as a packet when a resume
     * moved the session to another connection meanwhile.
     */
    private boolean writeEncodedResumable(Packet packet, ByteBuf encoded) {
        Channel ch = channel;
        if (!ch.eventLoop().inEventLoop()) {
            return writeResumable(packet);
        }
        ReplayBuffer r = replay;
        synchronized (r) {
            if (closeReason.get() != null) {
                return movedAway(packet);
            }
            if (detached) {
                runtime.stats().traffic().recordOut(packet.getModule(), encoded.readableBytes());
                return numbered(r.append(encoded.retainedDuplicate()));
            }
        }
        // Attached to ch, on its event loop: its pipeline is whole and the replay handler numbers the write.
        if (closedAsSlowConsumer(ch)) {
            return false;
        }
        return writeEncodedTo(ch, packet, encoded);
    }

    /** The outcome of {@link ReplayBuffer#append}: closes the session on overflow. */
    private boolean numbered(long number) {
        if (number == ReplayBuffer.TOO_OLD) {
            close(Reason.REPLAY_OVERFLOW, "a packet stayed unacknowledged for more than "
                    + runtime.options().replayMaxAge().toMillis() + " ms");
            return false;
        }
        if (number < 0) {
            ReplayBuffer r = replay;
            close(Reason.REPLAY_OVERFLOW, "more than " + runtime.options().replayBufferPackets() + " packets or "
                    + runtime.options().replayBufferBytes() + " bytes unacknowledged (" + (r == null ? 0 : r.sent())
                    + " sent, " + (r == null ? 0 : r.acked()) + " acked)");
            return false;
        }
        return number > 0;
    }

    /**
     * An encoded packet record leaving through {@code ctx}'s channel (called by the {@link ReplayHandler}
     * of that channel, on its event loop): numbered and kept when the channel is the session's connection,
     * kept when the session is detached, passed to the session's new connection after a resume.
     *
     * @param ctx the replay handler's context
     * @param record the encoded packet; ownership passes here
     * @param promise the write's promise
     */
    void outbound(ChannelHandlerContext ctx, ByteBuf record, ChannelPromise promise) {
        ReplayBuffer r = replay;
        Channel elsewhere;
        synchronized (r) {
            if (detached) {
                promise.trySuccess();
                numbered(r.append(record));
                return;
            }
            elsewhere = channel;
            if (elsewhere == ctx.channel()) {
                long number = r.append(record.retainedDuplicate(), System.nanoTime(),
                        runtime.options().replayMaxAge().toNanos());
                if (number < 0) {
                    // Past the bound: not sent either; the kick that closes the session follows at once.
                    record.release();
                    promise.trySuccess();
                } else {
                    ctx.write(record, promise);
                }
                numbered(number);
                return;
            }
        }
        promise.trySuccess();
        ChannelHandlerContext codec = elsewhere.pipeline().context(PacketCodec.NAME);
        if (codec == null) {
            ReferenceCountUtil.release(record);
        } else {
            // Enters the new connection's pipeline just above its replay handler, which numbers it.
            codec.writeAndFlush(record, codec.voidPromise());
        }
    }

    /**
     * The connection {@code ch} ended. A resumable, logged-in session that the gateway did not close
     * detaches and waits up to the resume window for a resume; its registry entry, directory entry,
     * tunnel streams and routes stay. Event loop of {@code ch}.
     *
     * @param ch the connection that ended
     * @return whether the session lives on (detached, or already attached to a newer connection);
     *     {@code false} when it must {@link #finish}
     */
    boolean connectionLost(Channel ch) {
        ReplayBuffer r = replay;
        if (r == null || info == null) {
            return false;
        }
        if (movedTo != null) {
            return true; // handed over to another gateway: it leaves this one by letGo
        }
        synchronized (r) {
            if (channel != ch || detached) {
                return true;
            }
            // Checked under the monitor: a close() racing with the drop either sees the detach (and
            // finishes the session itself) or is seen here.
            if (closeReason.get() != null) {
                return false;
            }
            if (!runtime.reserveDetached(false)) {
                // As many sessions detached as the gateway takes connections: this one ends now.
                return false;
            }
            detachLocked(ch);
        }
        runtime.stats().recordSessionDetached();
        runtime.logDetach(this);
        return true;
    }

    private void detachLocked(Channel ch) {
        detached = true;
        long window = runtime.options().resumeWindow().toMillis();
        windowEndsAtMillis = System.currentTimeMillis() + window;
        scheduleExpiryLocked(ch, window, window);
    }

    /** Ends the session after {@code delay} ms unless a resume attaches it first. Under the replay monitor. */
    private void scheduleExpiryLocked(Channel ch, long delay, long window) {
        long gen = ++generation;
        try {
            expiry = ch.eventLoop().schedule(() -> expire(gen, window), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The event loops are shutting down: the gateway closes every session anyway.
            expiry = null;
        }
    }

    private void expire(long gen, long window) {
        ReplayBuffer r = replay;
        synchronized (r) {
            if (!detached || gen != generation) {
                return;
            }
        }
        close(Reason.RESUME_WINDOW_EXPIRED, "no resume within the resume window of " + window + " ms", null);
    }

    /**
     * Claims the session for one resume; another resume of it fails until {@link #endResume}.
     *
     * @return whether this resume may go ahead
     */
    boolean beginResume() {
        return replay.beginResume();
    }

    /** The resume that {@link #beginResume} claimed is over. */
    void endResume() {
        replay.endResume();
    }

    /**
     * Lets go of the session's connection if it still has one (the client resumes before the gateway
     * noticed the old connection died): the session detaches and that connection is closed, on its own
     * event loop, without ending the session.
     *
     * @return a future completed with whether the session is detached and open, ready to attach
     */
    CompletableFuture<Boolean> releaseConnection() {
        CompletableFuture<Boolean> released = new CompletableFuture<>();
        Channel old = channel;
        Runnable step = () -> {
            ReplayBuffer r = replay;
            boolean ok;
            synchronized (r) {
                ok = closeReason.get() == null;
                if (ok && !detached && channel == old) {
                    runtime.reserveDetached(true);
                    detachLocked(old);
                }
                ok = ok && detached;
            }
            old.close();
            released.complete(ok);
        };
        try {
            old.eventLoop().execute(step);
        } catch (RejectedExecutionException e) {
            released.complete(false);
        }
        return released;
    }

    /**
     * Attaches the detached session to a new connection (a resume): frees what the client received,
     * hands out the rest for replay, and from now on numbers the new connection's packet records. Event
     * loop of {@code ch}; the caller writes the ResumeResponse and then the replay before anything else.
     *
     * @param ch the new connection
     * @param transport its transport name
     * @param received the client's received count
     * @param handler the new connection's replay handler
     * @return the packets to replay (retained; the caller writes them), or {@code null} when the session
     *     closed meanwhile
     * @throws ProtocolException with {@link Reason#PROTOCOL_VIOLATION} when {@code received} is below the
     *     client's acknowledgements or above what the gateway sent
     */
    List<ByteBuf> attach(Channel ch, String transport, long received, ReplayHandler handler) {
        ReplayBuffer r = replay;
        synchronized (r) {
            if (closeReason.get() != null || !detached || r.isReleased()) {
                return null;
            }
            if (!r.accepts(received)) {
                throw new ProtocolException(Reason.PROTOCOL_VIOLATION, "resume with received "
                        + Long.toUnsignedString(received) + " (expected: " + r.acked() + " to " + r.sent() + ")");
            }
            List<ByteBuf> toReplay = r.replayAfter(received);
            cancelExpiryLocked();
            this.channel = ch;
            this.transport = transport;
            // Game code sees where the session is now: the resume's transport and client address.
            SessionInfo i = info;
            this.info = new SessionInfo(id, i.gatewayId(), transport, String.valueOf(ch.remoteAddress()),
                    i.identity());
            handler.numberFor(this);
            detached = false;
            runtime.releaseDetached();
            return toReplay;
        }
    }

    // ---- Resume on another gateway (docs/protocol.md, section 14.6) -----------------------------------

    /**
     * Freezes this session for a handover to another gateway, from any thread: claims it as a resume
     * would (another resume of it fails meanwhile), lets go of its connection, stops its resume window,
     * and takes a snapshot of what the other gateway needs. Until {@link #handoverCommitted} or
     * {@link #handoverAborted} it stays detached here and still numbers and keeps what is written to it.
     *
     * @return the state without the tunnel streams; failed with {@link Reason#RESUME_SESSION_GONE} when
     *     the session is not resumable, closed, or already being resumed
     */
    CompletableFuture<SessionState.Builder> freeze() {
        ReplayBuffer r = replay;
        SessionInfo i = info;
        if (r == null || i == null || isClosing()) {
            return CompletableFuture.failedFuture(gone("session " + id + " is not resumable or closed"));
        }
        if (!r.beginResume()) {
            return CompletableFuture.failedFuture(gone("a resume of session " + id + " is under way"));
        }
        return releaseConnection().thenApply(released -> {
            synchronized (r) {
                if (!released || closeReason.get() != null || !detached || r.isReleased()) {
                    r.endResume();
                    throw gone("session " + id + " closed during the handover");
                }
                cancelExpiryLocked();
                frozen = true;
                exportedSent = r.sent();
                SessionState.Builder state = SessionState.newBuilder()
                        .setSessionId(id)
                        .setPlayerId(i.playerId())
                        .setZone(i.identity().zone())
                        .setColor(i.identity().color())
                        .setSent(r.sent())
                        .setAcked(r.acked())
                        .setClientPackets(r.clientPackets())
                        .setResumeSecret(ByteString.copyFrom(resumeSecret))
                        .setWindowEndsAtMs(windowEndsAtMillis);
                byte[] previous = previousResumeSecret;
                if (previous != null) {
                    state.setPreviousResumeSecret(ByteString.copyFrom(previous));
                }
                for (byte[] packet : r.copyAfter(r.acked())) {
                    state.addPackets(ByteString.copyFrom(packet));
                }
                return state;
            }
        });
    }

    /**
     * The handover of this frozen session did not happen: it is resumable here again, for what is left
     * of its window. Any thread; ignored unless frozen.
     */
    void handoverAborted() {
        ReplayBuffer r = replay;
        if (r == null) {
            return;
        }
        synchronized (r) {
            if (!frozen) {
                return;
            }
            frozen = false;
            if (closeReason.get() == null && detached) {
                long window = runtime.options().resumeWindow().toMillis();
                scheduleExpiryLocked(channel, Math.max(0, windowEndsAtMillis - System.currentTimeMillis()), window);
            }
        }
        r.endResume();
        runtime.logHandoverAborted(this);
    }

    /**
     * The frozen session was taken over by {@code toGateway}, which holds its directory entry now: this
     * gateway lets go of it without ending it for the game. Whatever is written to it from now on (answers
     * to requests still in flight, late pushes) is forwarded to that gateway; once its last request is
     * answered (or after the request timeout) the session leaves this gateway. Any thread; ignored unless
     * frozen.
     *
     * @param toGateway the gateway that took the session
     * @return what was numbered here after the snapshot, for the directory to send ahead of the rest
     */
    List<byte[]> handoverCommitted(String toGateway) {
        ReplayBuffer r = replay;
        if (r == null) {
            return List.of();
        }
        List<byte[]> late;
        synchronized (r) {
            if (!frozen) {
                return List.of();
            }
            frozen = false;
            if (!closeReason.compareAndSet(null, Reason.SESSION_MOVED)) {
                r.endResume();
                return List.of(); // closed here meanwhile (and finished): nothing left to hand over
            }
            movedTo = toGateway;
            late = r.copyAfter(exportedSent);
            r.release();
            if (detached) {
                detached = false;
                runtime.releaseDetached();
            }
        }
        r.endResume();
        runtime.stats().recordSessionClosed(Reason.SESSION_MOVED);
        runtime.registry().moved(this);
        runtime.logMoved(this, toGateway, late.size());
        if (inflight == 0) {
            letGo();
        } else {
            long wait = runtime.options().requestTimeout().toMillis() + KICK_GRACE_MILLIS;
            try {
                channel.eventLoop().schedule(this::letGo, wait, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                letGo();
            }
        }
        return late;
    }

    /**
     * Lets go at once of a session handed over to another gateway that still waits for answers: the
     * session comes back here in a new takeover, which matters more than answers to requests the client
     * already gave up on (they end as REQUEST_TIMEOUT at the client).
     *
     * @return whether this was such a session
     */
    boolean letGoIfMoved() {
        if (movedTo == null) {
            return false;
        }
        letGo();
        return true;
    }

    /**
     * A write that found the session closed: when it was handed over meanwhile (the write began before
     * the handover committed), the packet follows it to the other gateway rather than being lost.
     */
    private boolean movedAway(Packet packet) {
        String to = movedTo;
        return to != null && forward(to, packet);
    }

    /** A packet for a session handed over: to the gateway that holds it now. */
    private boolean forward(String toGateway, Packet packet) {
        runtime.directory().forward(toGateway, id, List.of(packet.toByteArray()));
        return true;
    }

    /**
     * The handed-over session leaves this gateway, once: the tunnel and the router release what they
     * hold for it without ending it for remote game services; the directory entry is the other gateway's.
     */
    private void letGo() {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        runtime.registry().remove(this);
        directoryEntry = null;
        closeFuture.complete(Reason.SESSION_MOVED);
        SessionInfo i = info;
        runtime.tunnel().sessionMoved(i);
        runtime.router().sessionMoved(i);
    }

    /**
     * A session handed over by another gateway, detached and waiting to be attached to the connection
     * that resumes it; its resume window goes on where the other gateway left it.
     *
     * @param state the state the other gateway sent
     * @param info the session's login on this gateway
     * @param ch the resuming connection
     * @param runtime this gateway
     * @return the session, not yet in the registry
     * @throws IllegalArgumentException when the state does not fit this gateway's replay bounds
     */
    static DefaultSession adopt(SessionState state, SessionInfo info, Channel ch, GatewayRuntime runtime) {
        List<ByteBuf> packets = new ArrayList<>(state.getPacketsCount());
        for (ByteString packet : state.getPacketsList()) {
            packets.add(Unpooled.wrappedBuffer(packet.toByteArray()));
        }
        SessionOptions options = runtime.options();
        ReplayBuffer buffer = ReplayBuffer.restore(options.replayBufferPackets(), options.replayBufferBytes(),
                state.getSent(), state.getAcked(), state.getClientPackets(), packets);
        DefaultSession session = new DefaultSession(state.getSessionId(), ch, info.transport(), runtime);
        session.info = info;
        session.replay = buffer;
        session.resumeSecret = state.getResumeSecret().toByteArray();
        session.previousResumeSecret = state.getPreviousResumeSecret().isEmpty() ? null
                : state.getPreviousResumeSecret().toByteArray();
        long window = options.resumeWindow().toMillis();
        synchronized (buffer) {
            session.detached = true;
            runtime.reserveDetached(true);
            session.windowEndsAtMillis = Math.min(state.getWindowEndsAtMs(), System.currentTimeMillis() + window);
            session.scheduleExpiryLocked(ch, Math.max(0, session.windowEndsAtMillis - System.currentTimeMillis()),
                    window);
        }
        return session;
    }

    /**
     * Drops a session adopted from another gateway whose directory entry could not be moved here: the
     * other gateway keeps it. Nobody else is told: it never was this gateway's.
     */
    void discard() {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        closeReason.compareAndSet(null, Reason.RESUME_SESSION_GONE);
        runtime.registry().remove(this);
        ReplayBuffer r = replay;
        synchronized (r) {
            cancelExpiryLocked();
            if (detached) {
                detached = false;
                runtime.releaseDetached();
            }
            r.release();
        }
        closeFuture.complete(Reason.RESUME_SESSION_GONE);
    }

    /**
     * Stops the resume window's timer; an expiry already running finds the generation moved on. Under
     * the replay monitor.
     */
    private void cancelExpiryLocked() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        generation++;
    }

    private static JanusException gone(String message) {
        return new JanusException(Reason.RESUME_SESSION_GONE, message);
    }

    @Override
    public CompletableFuture<Reason> closeFuture() {
        return closeFuture;
    }

    @Override
    public String toString() {
        SessionInfo i = info;
        return "Session{id=" + id + ", transport=" + transport + ", remote=" + channel.remoteAddress()
                + (i == null ? "" : ", player=" + i.playerId()) + "}";
    }
}
