package io.janus.transport.kcp.smux;

import static io.janus.transport.kcp.smux.SmuxFrame.CMD_FIN;
import static io.janus.transport.kcp.smux.SmuxFrame.CMD_NOP;
import static io.janus.transport.kcp.smux.SmuxFrame.CMD_PSH;
import static io.janus.transport.kcp.smux.SmuxFrame.CMD_SYN;
import static io.janus.transport.kcp.smux.SmuxFrame.CMD_UPD;
import static io.janus.transport.kcp.smux.SmuxFrame.VERSION_2;
import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One smux session (one KCP connection) as a pure state machine, wire-compatible with xtaci/smux v1.5
 * ({@code session.go}, {@code stream.go}) in versions 1 and 2.
 *
 * <p><b>Driving it.</b> The transport below hands received bytes to {@link #onBytes}, sends every
 * buffer the session gives to its output, and calls {@link #tick} with the current time at least as
 * often as the keepalive interval. The layer above opens streams ({@link #openStream}), writes
 * ({@link #write}), reports what it has consumed ({@link #consumed}) and closes streams ({@link
 * #closeStream}); the session reports through its {@link Listener}. Every method and every callback
 * runs on the caller's thread: confine a session to one event loop. Callbacks may call back into the
 * session.
 *
 * <p><b>Streams.</b> As in xtaci/smux, the client opens odd stream ids and the server even ones, each
 * side counting up by two from its first id (xtaci's client starts at 3 and its server at 2; this
 * class does the same); a FIN from either side ends the stream for both directions, and the stream
 * is forgotten once this side has sent its FIN ({@link #closeStream}).
 *
 * <p><b>Frames for streams that are not open</b> (policy). xtaci/smux drops PSH, FIN and UPD frames
 * for streams it does not know, silently, which is legitimate just after a local close: the peer
 * keeps sending until it reads our FIN. This session tells apart a stream that was <em>open once</em>
 * (its id is at or below the highest id of its parity seen so far, i.e. opened by us or by the peer's
 * SYN) from one that was <em>never opened</em> (an id of zero or above that highest id): the first is
 * dropped and counted ({@link SmuxStats#framesForClosedStreams()}), the second fails the session with
 * {@link Reason#SMUX_UNKNOWN_STREAM}. The memory this takes is two integers, whatever the number of
 * streams closed.
 *
 * <p><b>Refusals.</b> A SYN with id zero or the opener's wrong parity, or for a stream that is open,
 * fails the session with {@link Reason#SMUX_BAD_STREAM_ID}. A SYN beyond {@link SmuxConfig#maxStreams()}
 * is answered with a FIN, counted and reported to {@link Listener#streamRefused} with {@link
 * Reason#SMUX_TOO_MANY_STREAMS}; the session goes on. A SYN for an id that is closed but not open is
 * accepted, because xtaci/smux may put the SYNs of streams opened concurrently on the wire out of id
 * order.
 *
 * <p><b>Flow control.</b> Data handed to {@link Listener#streamData} counts as unconsumed until the
 * layer above calls {@link #consumed}. Version 2 follows xtaci/smux's per-stream sliding window: this
 * side advertises {@link SmuxConfig#streamWindow()} in a UPD after the first consumed bytes and then
 * whenever half a window more was consumed; a peer that sends beyond what it may (the larger of
 * xtaci's initial guess of 262144 bytes and the last advertised consumed count plus window) fails the
 * session with {@link Reason#SMUX_FLOW_CONTROL_VIOLATION}. On the sending side, data beyond the peer's
 * window waits in a per-stream queue bounded by {@link SmuxConfig#maxPendingWriteBytes()}. In both
 * versions, unconsumed bytes over all streams at {@link SmuxConfig#receiveBuffer()} pause the input
 * ({@link #isInputPaused()}, {@link Listener#inputPausedChanged}; xtaci stops reading its connection at
 * that point, so the KCP layer should stop draining its receive queue), and twice that fails the
 * session with {@link Reason#SMUX_FLOW_CONTROL_VIOLATION}.
 *
 * <p><b>Keepalive.</b> As in xtaci/smux's {@code keepalive}: a NOP every keepalive interval, and at
 * every keepalive timeout the session fails with {@link Reason#SMUX_KEEPALIVE_TIMEOUT} if no frame
 * arrived since the previous check, unless the input is paused.
 *
 * <p><b>Buffers.</b> {@link #onBytes} and {@link #write} take ownership of their argument; the
 * listener owns the data it is given; the output owns every buffer it is given. {@link #close()}
 * releases everything the session holds, and a failed session is closed.
 */
public final class SmuxSession {

    /** Which end of the KCP connection this session is. */
    public enum Role {
        /** Opens odd stream ids (kcptun-client's side). */
        CLIENT,
        /** Opens even stream ids (kcptun-server's side). */
        SERVER
    }

    /**
     * What a session reports. Called on the thread that drives the session; each method may call back
     * into it.
     */
    public interface Listener {

        /**
         * The peer opened a stream (SYN).
         *
         * @param streamId the new stream
         */
        void streamOpened(int streamId);

        /**
         * Data arrived on a stream. The bytes count as unconsumed until {@link SmuxSession#consumed}.
         *
         * @param streamId the stream
         * @param data the data; the listener owns it and releases it
         */
        void streamData(int streamId, ByteBuf data);

        /**
         * The peer closed a stream (FIN). Nothing more arrives on it and writes to it are refused; call
         * {@link SmuxSession#closeStream} to answer with a FIN and forget it.
         *
         * @param streamId the stream
         */
        void streamClosed(int streamId);

        /**
         * A stream the peer opened was refused (answered with a FIN) and never reported as opened.
         *
         * @param streamId the refused stream
         * @param cause why, with its reason code
         */
        default void streamRefused(int streamId, ProtocolException cause) {}

        /**
         * A stream became unwritable (its send queue reached its bound) or writable again.
         *
         * @param streamId the stream
         * @param writable whether writes are accepted now
         */
        default void writabilityChanged(int streamId, boolean writable) {}

        /**
         * The session asks its transport to stop ({@code true}) or resume ({@code false}) feeding input.
         *
         * @param paused whether input should pause
         */
        default void inputPausedChanged(boolean paused) {}

        /**
         * The session failed and is closed; every stream is gone, with no further callback for them.
         *
         * @param cause why, with its reason code
         */
        void sessionFailed(ProtocolException cause);
    }

    private static final int NO_VERSION = 0;

    private final SmuxConfig config;
    private final Role role;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> output;
    private final Listener listener;
    private final SmuxFrameDecoder decoder;
    private final Consumer<SmuxFrame> frameHandler = this::handleFrame;
    /** Bounded by {@code maxStreams}: openStream refuses and SYNs are refused beyond it. */
    private final Map<Integer, Stream> streams = new HashMap<>();

    private int nextLocalId;
    private int highestLocalId;
    private int highestPeerId;
    private long unconsumed;
    private boolean inputPaused;
    private boolean frameSinceCheck;
    private long nextKeepAliveAt;
    private long nextTimeoutCheckAt;
    private boolean closed;
    /** Set when the payload of the frame being handled went to the listener, which now owns it. */
    private boolean payloadTaken;

    private long framesReceived;
    private long framesSent;
    private long streamsOpened;
    private long streamsAccepted;
    private long streamsRefused;
    private long framesForClosedStreams;
    private long bytesForClosedStreams;
    private long writesRefused;
    private long writeStalls;
    private long keepalivesSent;
    private Reason failure;

    private SmuxSession(SmuxConfig config, Role role, ByteBufAllocator alloc, Consumer<ByteBuf> output,
            Listener listener, long nowMillis) {
        this.config = requireNonNull(config, "config");
        this.role = requireNonNull(role, "role");
        this.alloc = requireNonNull(alloc, "alloc");
        this.output = requireNonNull(output, "output");
        this.listener = requireNonNull(listener, "listener");
        if (role == Role.CLIENT && config.version() == SmuxConfig.ACCEPT_CLIENT_VERSION) {
            throw new IllegalArgumentException("version: ACCEPT_CLIENT_VERSION (expected: 1 or 2 for a client)");
        }
        this.decoder = new SmuxFrameDecoder(alloc, config.maxFrameSize(), config.version());
        // xtaci/smux: the client's counter starts at 1, the server's at 0, and each open adds 2 first.
        this.nextLocalId = role == Role.CLIENT ? 3 : 2;
        this.nextKeepAliveAt = nowMillis + config.keepAliveInterval().toMillis();
        this.nextTimeoutCheckAt = nowMillis + config.keepAliveTimeout().toMillis();
    }

    /**
     * Creates the client end of a session.
     *
     * @param config settings; the version must be 1 or 2
     * @param alloc allocator of the buffers sent
     * @param output receives every buffer to send and owns it
     * @param listener receives the session's events
     * @param nowMillis the current time on the clock later passed to {@link #tick}
     * @return a new session
     */
    public static SmuxSession client(SmuxConfig config, ByteBufAllocator alloc, Consumer<ByteBuf> output,
            Listener listener, long nowMillis) {
        return new SmuxSession(config, Role.CLIENT, alloc, output, listener, nowMillis);
    }

    /**
     * Creates the server end of a session.
     *
     * @param config settings; version 1, 2 or {@link SmuxConfig#ACCEPT_CLIENT_VERSION}
     * @param alloc allocator of the buffers sent
     * @param output receives every buffer to send and owns it
     * @param listener receives the session's events
     * @param nowMillis the current time on the clock later passed to {@link #tick}
     * @return a new session
     */
    public static SmuxSession server(SmuxConfig config, ByteBufAllocator alloc, Consumer<ByteBuf> output,
            Listener listener, long nowMillis) {
        return new SmuxSession(config, Role.SERVER, alloc, output, listener, nowMillis);
    }

    /** Returns this session's role. */
    public Role role() {
        return role;
    }

    /** Returns the settings. */
    public SmuxConfig config() {
        return config;
    }

    /** Returns the version spoken: 1 or 2, or 0 while a server waits for its client's first frame. */
    public int version() {
        return decoder.version();
    }

    /** Returns whether the session is closed (by {@link #close()} or by a failure). */
    public boolean isClosed() {
        return closed;
    }

    /** Returns how many streams the session holds now (at most {@link SmuxConfig#maxStreams()}). */
    public int streamCount() {
        return streams.size();
    }

    /** Returns whether the session asks its transport to stop feeding input until bytes are consumed. */
    public boolean isInputPaused() {
        return inputPaused;
    }

    /**
     * Returns whether {@code streamId} accepts writes: it is open, this side has not closed it, the peer
     * has not closed it, and its send queue is below its bound.
     *
     * @param streamId a stream id
     * @return whether a write would be accepted
     */
    public boolean isWritable(int streamId) {
        Stream s = streams.get(streamId);
        return !closed && s != null && s.acceptsWrites();
    }

    /** Returns a snapshot of the counters. */
    public SmuxStats stats() {
        return new SmuxStats(framesReceived, framesSent, streamsOpened, streamsAccepted, streamsRefused,
                framesForClosedStreams, bytesForClosedStreams, writesRefused, writeStalls, keepalivesSent,
                streams.size(), unconsumed, inputPaused, failure);
    }

    // ------------------------------------------------------------------ input

    /**
     * Processes bytes received from the peer. Does nothing but release them once the session is closed.
     * A protocol error fails the session ({@link Listener#sessionFailed}); an exception thrown by the
     * listener closes the session and propagates.
     *
     * @param in received bytes; the session takes ownership
     */
    public void onBytes(ByteBuf in) {
        requireNonNull(in, "in");
        if (closed) {
            in.release();
            return;
        }
        try {
            decoder.decode(in, frameHandler);
        } catch (ProtocolException e) {
            fail(e);
        } catch (RuntimeException | Error e) {
            // A listener threw: the rest of the input is lost, so the byte stream cannot be trusted.
            close();
            throw e;
        }
    }

    private void handleFrame(SmuxFrame frame) {
        payloadTaken = false;
        try {
            framesReceived++;
            frameSinceCheck = true;
            int sid = frame.streamId();
            switch (frame.command()) {
                case CMD_NOP:
                    break;
                case CMD_SYN:
                    onSyn(sid);
                    break;
                case CMD_FIN:
                    onFin(sid);
                    break;
                case CMD_PSH:
                    onPsh(sid, frame);
                    break;
                case CMD_UPD:
                    onUpd(sid, frame.updConsumed(), frame.updWindow());
                    break;
                default:
                    throw new AssertionError("decoder let through " + frame);
            }
        } finally {
            if (!payloadTaken) {
                frame.release();
            }
        }
    }

    private void onSyn(int sid) {
        if (sid == 0 || isLocalParity(sid)) {
            throw failure(Reason.SMUX_BAD_STREAM_ID, "smux SYN for stream " + Integer.toUnsignedString(sid)
                    + " (expected: a nonzero " + (role == Role.SERVER ? "odd" : "even") + " id opened by the "
                    + (role == Role.SERVER ? "client" : "server") + ")");
        }
        if (streams.containsKey(sid)) {
            throw failure(Reason.SMUX_BAD_STREAM_ID,
                    "smux SYN for stream " + Integer.toUnsignedString(sid) + ", which is already open");
        }
        if (Integer.compareUnsigned(sid, highestPeerId) > 0) {
            highestPeerId = sid;
        }
        if (streams.size() >= config.maxStreams()) {
            streamsRefused++;
            send(SmuxFrame.encodeEmpty(alloc, version(), CMD_FIN, sid));
            listener.streamRefused(sid, new ProtocolException(Reason.SMUX_TOO_MANY_STREAMS,
                    "smux stream " + Integer.toUnsignedString(sid) + " refused: " + streams.size()
                            + " streams open (maxStreams " + config.maxStreams() + ")"));
            return;
        }
        streams.put(sid, new Stream(sid));
        streamsAccepted++;
        listener.streamOpened(sid);
    }

    private void onFin(int sid) {
        Stream s = streams.get(sid);
        if (s == null || s.remoteClosed) {
            closedStreamFrame(sid, 0);
            return;
        }
        s.remoteClosed = true;
        s.releasePending();
        if (s.localClosing) {
            // This side already closed it and waited to send its data: the peer will not read it now.
            sendFinAndForget(s);
            return;
        }
        listener.streamClosed(sid);
    }

    private void onPsh(int sid, SmuxFrame frame) {
        Stream s = streams.get(sid);
        int length = frame.content().readableBytes();
        if (s == null || s.remoteClosed) {
            closedStreamFrame(sid, length);
            return;
        }
        s.received += length;
        if (version() == VERSION_2) {
            long allowed = Math.max(SmuxConfig.INITIAL_PEER_WINDOW, s.announcedConsumed + config.streamWindow());
            if (s.received > allowed) {
                throw failure(Reason.SMUX_FLOW_CONTROL_VIOLATION, "smux stream " + Integer.toUnsignedString(sid)
                        + " received " + s.received + " bytes, beyond the " + allowed + " its window allows");
            }
        }
        if (s.localClosing) {
            // Closed here, FIN waiting behind queued data: the data is dropped, but counts as consumed so
            // that the peer's window keeps moving. Otherwise two sides closing with queued data at once
            // would each wait for the other's UPD forever.
            closedStreamFrame(sid, length);
            advanceConsumed(s, length);
            return;
        }
        if (length == 0) {
            return;
        }
        s.unconsumed += length;
        unconsumed += length;
        if (unconsumed > 2L * config.receiveBuffer()) {
            throw failure(Reason.SMUX_FLOW_CONTROL_VIOLATION, "smux session holds " + unconsumed
                    + " unconsumed bytes, beyond twice its receiveBuffer " + config.receiveBuffer());
        }
        ByteBuf data = frame.content();
        payloadTaken = true;
        boolean pause = !inputPaused && unconsumed >= config.receiveBuffer();
        if (pause) {
            inputPaused = true;
        }
        listener.streamData(sid, data);
        if (pause && !closed) {
            listener.inputPausedChanged(true);
        }
    }

    private void onUpd(int sid, int consumed, int window) {
        Stream s = streams.get(sid);
        if (s == null || s.remoteClosed) {
            closedStreamFrame(sid, 0);
            return;
        }
        if (s.sent - consumed < 0) {
            // Modular, as in xtaci/smux writeV2: the peer cannot have consumed more than was sent.
            throw failure(Reason.SMUX_BAD_WINDOW_UPDATE, "smux UPD on stream " + Integer.toUnsignedString(sid)
                    + " acknowledges " + Integer.toUnsignedString(consumed) + " bytes but "
                    + Integer.toUnsignedString(s.sent) + " were sent");
        }
        s.peerConsumed = consumed;
        // A window beyond 2^31-1 cannot be used by int arithmetic; it is as good as unlimited.
        s.peerWindow = window < 0 ? Integer.MAX_VALUE : window;
        flush(s);
    }

    private void closedStreamFrame(int sid, int length) {
        int highest = isLocalParity(sid) ? highestLocalId : highestPeerId;
        if (sid == 0 || Integer.compareUnsigned(sid, highest) > 0) {
            throw failure(Reason.SMUX_UNKNOWN_STREAM, "smux frame for stream " + Integer.toUnsignedString(sid)
                    + ", which was never opened (highest " + (isLocalParity(sid) ? "local" : "peer") + " stream id "
                    + Integer.toUnsignedString(highest) + ")");
        }
        framesForClosedStreams++;
        bytesForClosedStreams += length;
    }

    private boolean isLocalParity(int sid) {
        return (sid & 1) == (role == Role.CLIENT ? 1 : 0);
    }

    // ------------------------------------------------------------------ streams

    /**
     * Opens a stream (sends a SYN).
     *
     * @return the new stream's id
     * @throws IllegalStateException if the session is closed, holds {@link SmuxConfig#maxStreams()}
     *     streams, has used up its stream ids, or is a server that has not yet learned its version
     */
    public int openStream() {
        checkOpen();
        if (streams.size() >= config.maxStreams()) {
            throw new IllegalStateException("smux session holds " + streams.size() + " streams (maxStreams "
                    + config.maxStreams() + ")");
        }
        if (version() == NO_VERSION) {
            throw new IllegalStateException("smux server has not yet learned the client's version");
        }
        int sid = nextLocalId;
        if (Integer.compareUnsigned(sid, highestLocalId) <= 0) {
            // xtaci/smux ErrGoAway: ids wrapped around; a new session is needed.
            throw new IllegalStateException("smux stream ids are used up; open a new session");
        }
        nextLocalId += 2;
        highestLocalId = sid;
        streams.put(sid, new Stream(sid));
        streamsOpened++;
        send(SmuxFrame.encodeEmpty(alloc, version(), CMD_SYN, sid));
        return sid;
    }

    /**
     * Writes data on a stream, split into PSH frames of at most {@link SmuxConfig#maxFrameSize()}. In
     * version 2, what the peer's window does not cover yet waits in the stream's queue and goes out as
     * UPD frames open the window. A write is refused, and its data released, when the stream is not
     * {@linkplain #isWritable writable}; a write that is accepted is taken whole, so a queue holds at
     * most {@code maxPendingWriteBytes} plus one write.
     *
     * @param streamId the stream
     * @param data the data; the session takes ownership
     * @return whether the write was accepted
     */
    public boolean write(int streamId, ByteBuf data) {
        requireNonNull(data, "data");
        Stream s = closed ? null : streams.get(streamId);
        if (s == null || !s.acceptsWrites()) {
            data.release();
            writesRefused++;
            return false;
        }
        if (!data.isReadable()) {
            data.release();
            return true;
        }
        if (version() != VERSION_2) {
            try {
                while (data.isReadable()) {
                    int n = Math.min(data.readableBytes(), config.maxFrameSize());
                    send(SmuxFrame.encodePsh(alloc, version(), streamId, data.readRetainedSlice(n)));
                }
            } finally {
                data.release();
            }
            return true;
        }
        s.pending.add(data);
        s.pendingBytes += data.readableBytes();
        flush(s);
        if (!s.pending.isEmpty()) {
            writeStalls++;
        }
        return true;
    }

    /** Sends what the peer's window allows from a version 2 stream's queue. */
    private void flush(Stream s) {
        while (!closed && !s.pending.isEmpty()) {
            int window = s.peerWindow - (s.sent - s.peerConsumed);
            if (window <= 0) {
                break;
            }
            ByteBuf head = s.pending.peek();
            int n = Math.min(Math.min(window, config.maxFrameSize()), head.readableBytes());
            ByteBuf slice = head.readRetainedSlice(n);
            if (!head.isReadable()) {
                s.pending.poll().release();
            }
            s.pendingBytes -= n;
            s.sent += n;
            send(SmuxFrame.encodePsh(alloc, VERSION_2, s.id, slice));
        }
        if (closed || streams.get(s.id) != s) {
            return;
        }
        if (s.localClosing && s.pending.isEmpty()) {
            sendFinAndForget(s);
            return;
        }
        boolean writable = s.pendingBytes < config.maxPendingWriteBytes();
        if (writable && !s.writable && s.pendingBytes > config.maxPendingWriteBytes() / 2) {
            writable = false; // hysteresis: writable again only at half the bound
        }
        if (writable != s.writable) {
            s.writable = writable;
            listener.writabilityChanged(s.id, writable);
        }
    }

    /**
     * Reports that the layer above has consumed bytes delivered on a stream. Frees room in the session's
     * receive buffer and, in version 2, sends a UPD by xtaci/smux's rule: after the first bytes consumed,
     * then each time half a window more was consumed. Does nothing for a stream that is gone.
     *
     * @param streamId the stream
     * @param bytes bytes consumed, at most those delivered and not yet consumed
     * @throws IllegalArgumentException if {@code bytes} is negative or more than is unconsumed
     */
    public void consumed(int streamId, int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
        Stream s = closed ? null : streams.get(streamId);
        if (s == null || bytes == 0) {
            return;
        }
        if (bytes > s.unconsumed) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: <= " + s.unconsumed
                    + " unconsumed on stream " + Integer.toUnsignedString(streamId) + ")");
        }
        s.unconsumed -= bytes;
        returnTokens(bytes);
        if (!s.remoteClosed && !s.localClosing) {
            advanceConsumed(s, bytes);
        }
    }

    /** Version 2: counts consumed bytes and sends a UPD by xtaci/smux's rule ({@code tryReadv2}). */
    private void advanceConsumed(Stream s, int bytes) {
        if (version() != VERSION_2 || bytes == 0 || closed) {
            return;
        }
        boolean first = s.consumed == 0;
        s.consumed += bytes;
        s.consumedSinceUpd += bytes;
        if (first || s.consumedSinceUpd >= config.streamWindow() / 2) {
            s.consumedSinceUpd = 0;
            s.announcedConsumed = s.consumed;
            send(SmuxFrame.encodeUpd(alloc, s.id, (int) s.consumed, config.streamWindow()));
        }
    }

    private void returnTokens(long bytes) {
        unconsumed -= bytes;
        if (inputPaused && unconsumed < config.receiveBuffer()) {
            inputPaused = false;
            listener.inputPausedChanged(false);
        }
    }

    /**
     * Closes a stream: sends its FIN (in version 2 after the queued data has gone out) and forgets it.
     * Data that arrives for it afterwards is dropped and counted; while its FIN waits behind queued data,
     * dropped data still counts as consumed, so the peer's window keeps moving. Bytes delivered and not
     * yet consumed stop counting against the receive buffer. Does nothing for a stream that is gone or
     * already closing.
     *
     * @param streamId the stream
     */
    public void closeStream(int streamId) {
        Stream s = closed ? null : streams.get(streamId);
        if (s == null || s.localClosing) {
            return;
        }
        s.localClosing = true;
        if (s.pending.isEmpty()) {
            sendFinAndForget(s);
        }
    }

    private void sendFinAndForget(Stream s) {
        streams.remove(s.id);
        s.releasePending();
        if (s.unconsumed > 0) {
            long n = s.unconsumed;
            s.unconsumed = 0;
            returnTokens(n);
        }
        send(SmuxFrame.encodeEmpty(alloc, version(), CMD_FIN, s.id));
    }

    // ------------------------------------------------------------------ time and lifecycle

    /**
     * Advances the session's clock: sends a NOP when the keepalive interval has passed, and fails the
     * session with {@link Reason#SMUX_KEEPALIVE_TIMEOUT} when a keepalive timeout passed without any
     * inbound frame (not while input is paused, as xtaci/smux).
     *
     * @param nowMillis the current time, on the clock given at creation
     */
    public void tick(long nowMillis) {
        if (closed) {
            return;
        }
        if (nowMillis - nextKeepAliveAt >= 0) {
            nextKeepAliveAt = nowMillis + config.keepAliveInterval().toMillis();
            if (version() != NO_VERSION) {
                keepalivesSent++;
                send(SmuxFrame.encodeEmpty(alloc, version(), CMD_NOP, 0));
            }
        }
        if (!closed && nowMillis - nextTimeoutCheckAt >= 0) {
            nextTimeoutCheckAt = nowMillis + config.keepAliveTimeout().toMillis();
            if (frameSinceCheck || inputPaused) {
                frameSinceCheck = false;
            } else {
                fail(failure(Reason.SMUX_KEEPALIVE_TIMEOUT, "no smux frame arrived within the keepalive timeout "
                        + config.keepAliveTimeout().toMillis() + " ms"));
            }
        }
    }

    /**
     * Closes the session and releases everything it holds: the incomplete input frame and every queued
     * write. Sends nothing and calls no listener method (xtaci/smux's {@code Close} does not write
     * either). Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        decoder.close();
        List<Stream> all = new ArrayList<>(streams.values());
        streams.clear();
        for (Stream s : all) {
            s.releasePending();
        }
        unconsumed = 0;
    }

    private void fail(ProtocolException cause) {
        if (closed) {
            return;
        }
        failure = cause.reason();
        close();
        listener.sessionFailed(cause);
    }

    private static ProtocolException failure(Reason reason, String message) {
        return new ProtocolException(reason, message);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("smux session is closed");
        }
    }

    private void send(ByteBuf frame) {
        framesSent++;
        output.accept(frame);
    }

    /** State of one stream; confined with its session. */
    private static final class Stream {
        final int id;
        /** Bounded: {@code write} refuses while {@code pendingBytes >= maxPendingWriteBytes}. */
        final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(4);
        long pendingBytes;
        boolean writable = true;
        boolean localClosing;
        boolean remoteClosed;
        /** Bytes sent in PSH frames (version 2), modular uint32 as in xtaci/smux. */
        int sent;
        /** Last consumed count and window the peer advertised in a UPD. */
        int peerConsumed;
        int peerWindow = SmuxConfig.INITIAL_PEER_WINDOW;
        /** Bytes received, consumed, consumed since the last UPD and last announced in a UPD. */
        long received;
        long consumed;
        long consumedSinceUpd;
        long announcedConsumed;
        long unconsumed;

        Stream(int id) {
            this.id = id;
        }

        boolean acceptsWrites() {
            return writable && !localClosing && !remoteClosed;
        }

        void releasePending() {
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                b.release();
            }
            pendingBytes = 0;
        }
    }
}
