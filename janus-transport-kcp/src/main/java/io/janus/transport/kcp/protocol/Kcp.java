package io.janus.transport.kcp.protocol;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;

/**
 * One KCP conversation: an ARQ engine that turns unreliable datagrams into a reliable, ordered stream of
 * messages (or bytes, in stream mode), written from the public description of the protocol in
 * skywind3000/kcp ({@code ikcp.c}, "KCP - A Fast and Reliable ARQ Protocol", and its protocol notes) and
 * kept wire- and behaviour-compatible with xtaci/kcp-go v5 ({@code kcp.go}).
 *
 * <h2>Wire format</h2>
 * A datagram holds one or more segments, each a 24-byte little-endian header followed by {@code len} bytes:
 * {@code conv u32, cmd u8, frg u8, wnd u16, ts u32, sn u32, una u32, len u32}. Commands: 81 PUSH (data),
 * 82 ACK, 83 WASK (window probe: ask), 84 WINS (window probe: tell). {@code frg} counts down the fragments
 * of a message (always 0 in stream mode), {@code wnd} is the sender's free receive window, {@code una} the
 * first sequence number the sender has not received, {@code ts} the send time echoed by the ACK.
 *
 * <h2>Threads and ownership</h2>
 * Not thread-safe: one thread (a Netty event loop) drives an engine. {@link #input} reads but does not
 * release the caller's datagram (payloads are kept as retained slices); {@link #send} copies the bytes it
 * takes; {@link #receive} hands a buffer to the caller, who releases it; every datagram built goes to the
 * {@link KcpOutput}, which releases it. {@link #close} releases everything still queued.
 *
 * <h2>Bounds</h2>
 * The receive buffer holds only sequence numbers inside {@code [rcv_nxt, rcv_nxt + rcvWnd)}, the receive
 * queue at most {@code rcvWnd} segments (flow control: the free window advertised to the peer shrinks),
 * the send buffer at most the congestion window (at most {@code sndWnd}), and the send queue refuses new
 * bytes once {@link #waitSnd()} reaches {@link #sendQueueLimit()} (one call may add
 * {@code ceil(bytes / mss)} segments over it: at most 255 in message mode; the transport writes at most
 * one frame per call). A message of more fragments than {@code rcvWnd} can never be received, as in
 * ikcp. Pending ACKs are capped at {@link #ackCapacity()} between two flushes; more are dropped, and
 * the peer retransmits.
 *
 * <h2>Failures</h2>
 * A segment with an impossible length, an unknown command or another conversation id raises a
 * {@link ProtocolException} ({@link Reason#KCP_MALFORMED_SEGMENT}, {@link Reason#KCP_UNKNOWN_COMMAND},
 * {@link Reason#KCP_CONV_MISMATCH}), counted by {@link #inputErrors()}. A segment sent
 * {@link #deadLink()} times without an acknowledgement marks the link dead ({@link #isDead()}).
 */
public final class Kcp {

    /** Bytes of a segment header. */
    public static final int OVERHEAD = 24;
    /** Command: data. */
    public static final int CMD_PUSH = 81;
    /** Command: acknowledgement. */
    public static final int CMD_ACK = 82;
    /** Command: window probe (ask the peer for its window). */
    public static final int CMD_WASK = 83;
    /** Command: window size (tell the peer our window). */
    public static final int CMD_WINS = 84;
    /** The most fragments of one message (the frg field is one byte). */
    public static final int MAX_FRAGMENTS = 255;

    private static final int ASK_SEND = 1;
    private static final int ASK_TELL = 2;
    private static final int RTO_NODELAY_MIN = 30;
    private static final int RTO_MIN = 100;
    private static final int RTO_DEFAULT = 200;
    private static final int RTO_MAX = 60_000;
    private static final int WND_SND = 32;
    private static final int WND_RCV = 32;
    private static final int MTU_DEFAULT = 1400;
    private static final int INTERVAL_DEFAULT = 100;
    private static final int DEAD_LINK_DEFAULT = 20;
    private static final int THRESH_INIT = 2;
    private static final int THRESH_MIN = 2;
    private static final int PROBE_INIT = 7_000;
    private static final int PROBE_LIMIT = 120_000;
    private static final int FAST_LIMIT = 5;

    private final int conv;
    private final KcpOutput output;
    private final ByteBufAllocator alloc;

    private int mtu = MTU_DEFAULT;
    private int reserved;
    private int mss = MTU_DEFAULT - OVERHEAD;
    private boolean dead;
    private int sndUna;
    private int sndNxt;
    private int rcvNxt;
    private int ssthresh = THRESH_INIT;
    private int rxRttval;
    private int rxSrtt;
    private int rxRto = RTO_DEFAULT;
    private int rxMinrto = RTO_MIN;
    private int sndWnd = WND_SND;
    private int rcvWnd = WND_RCV;
    private int rmtWnd = WND_RCV;
    private int cwnd;
    private int incr;
    private int probe;
    private int current;
    private int interval = INTERVAL_DEFAULT;
    private int tsFlush = INTERVAL_DEFAULT;
    private int nodelay;
    private boolean updated;
    private int tsProbe;
    private int probeWait;
    private int deadLink = DEAD_LINK_DEFAULT;
    private int fastresend;
    private int nocwnd;
    private boolean stream;
    private int sendQueueLimit = 2 * WND_SND;
    private boolean closed;

    private final ArrayDeque<Segment> sndQueue = new ArrayDeque<>();
    private final ArrayDeque<Segment> sndBuf = new ArrayDeque<>();
    private final ArrayList<Segment> rcvBuf = new ArrayList<>();
    private final ArrayDeque<Segment> rcvQueue = new ArrayDeque<>();
    private int[] acks = new int[2 * 64];
    private int ackCount;

    private long inputErrors;
    private long retransmits;
    private long fastRetransmits;
    private long droppedAcks;

    /**
     * Creates an engine with kcp-go's defaults (MTU 1400, windows 32/32, interval 100 ms, no nodelay).
     *
     * @param conv the conversation id both sides put in every segment
     * @param output where built datagrams go
     * @param alloc allocates segment and datagram buffers
     */
    public Kcp(int conv, KcpOutput output, ByteBufAllocator alloc) {
        this.conv = conv;
        this.output = requireNonNull(output, "output");
        this.alloc = requireNonNull(alloc, "alloc");
    }

    // ---------------------------------------------------------------- configuration (kcp-go names)

    /**
     * Mirrors kcp-go's {@code SetNoDelay(nodelay, interval, resend, nc)}; a negative argument keeps the
     * current value. kcptun's modes: normal {@code (0, 40, 2, 1)}, fast {@code (0, 30, 2, 1)}, fast2
     * {@code (1, 20, 2, 1)}, fast3 {@code (1, 10, 2, 1)}.
     *
     * @param nodelay 0 for the standard RTO back-off and minimum RTO of 100 ms, 1 for the quicker ones
     * @param interval the flush interval in ms, clamped to 10 to 5000
     * @param resend fast retransmit after this many later ACKs, 0 to disable
     * @param nc 1 to turn congestion control off
     * @return this engine
     */
    public Kcp setNoDelay(int nodelay, int interval, int resend, int nc) {
        if (nodelay >= 0) {
            this.nodelay = nodelay;
            this.rxMinrto = nodelay != 0 ? RTO_NODELAY_MIN : RTO_MIN;
        }
        if (interval >= 0) {
            this.interval = Math.max(10, Math.min(5000, interval));
        }
        if (resend >= 0) {
            this.fastresend = resend;
        }
        if (nc >= 0) {
            this.nocwnd = nc;
        }
        return this;
    }

    /**
     * Mirrors kcp-go's {@code SetWndSize}: the send window and the receive window in segments. The send
     * queue limit follows as twice the send window unless set afterwards.
     *
     * @param sndwnd 1 to 65535
     * @param rcvwnd 1 to 65535; raised to the protocol's minimum of 32
     * @return this engine
     */
    public Kcp setWindowSize(int sndwnd, int rcvwnd) {
        checkRange("sndwnd", sndwnd, 1, 65535);
        checkRange("rcvwnd", rcvwnd, 1, 65535);
        this.sndWnd = sndwnd;
        this.rcvWnd = Math.max(rcvwnd, WND_RCV);
        this.sendQueueLimit = 2 * sndwnd;
        return this;
    }

    /**
     * Mirrors kcp-go's {@code SetMtu}: the largest datagram, reserved header bytes included.
     *
     * @param mtu at least 50 and more than {@code 24 + reserved}; at most 65507
     * @return this engine
     */
    public Kcp setMtu(int mtu) {
        checkRange("mtu", mtu, Math.max(50, OVERHEAD + reserved + 1), 65507);
        this.mtu = mtu;
        this.mss = mtu - OVERHEAD - reserved;
        return this;
    }

    /**
     * Mirrors kcp-go's {@code ReserveBytes}: leaves {@code n} bytes at the front of every datagram for
     * the layers below (kcp-go's nonce and CRC32, the FEC header), taken from the MTU.
     *
     * @param n 0 or more, less than {@code mtu - 24}
     * @return this engine
     */
    public Kcp setReserved(int n) {
        checkRange("reserved", n, 0, mtu - OVERHEAD - 1);
        this.reserved = n;
        this.mss = mtu - OVERHEAD - n;
        return this;
    }

    /**
     * Stream mode (kcp-go {@code SetStreamMode}): sent bytes are packed into full segments and every
     * fragment number is 0, so message boundaries are not kept. kcptun runs in stream mode.
     *
     * @param stream whether to run in stream mode
     * @return this engine
     */
    public Kcp setStreamMode(boolean stream) {
        this.stream = stream;
        return this;
    }

    /**
     * How many transmissions of one segment without an acknowledgement mark the link dead
     * (kcp-go {@code dead_link}, default 20).
     *
     * @param deadLink at least 1
     * @return this engine
     */
    public Kcp setDeadLink(int deadLink) {
        checkRange("deadLink", deadLink, 1, Integer.MAX_VALUE);
        this.deadLink = deadLink;
        return this;
    }

    /**
     * Sets the cap on {@link #waitSnd()} above which {@link #send} refuses bytes.
     *
     * @param limit at least 1
     * @return this engine
     */
    public Kcp setSendQueueLimit(int limit) {
        checkRange("sendQueueLimit", limit, 1, Integer.MAX_VALUE);
        this.sendQueueLimit = limit;
        return this;
    }

    private static void checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }

    // ---------------------------------------------------------------- state

    /** The conversation id. */
    public int conv() {
        return conv;
    }

    /** The MTU, reserved bytes included. */
    public int mtu() {
        return mtu;
    }

    /** The largest payload of one segment. */
    public int mss() {
        return mss;
    }

    /** Bytes reserved at the front of every datagram for the layers below. */
    public int reserved() {
        return reserved;
    }

    /** The send window in segments. */
    public int sndWnd() {
        return sndWnd;
    }

    /** The receive window in segments. */
    public int rcvWnd() {
        return rcvWnd;
    }

    /** The flush interval in ms. */
    public int interval() {
        return interval;
    }

    /** The cap on {@link #waitSnd()} above which {@link #send} refuses bytes. */
    public int sendQueueLimit() {
        return sendQueueLimit;
    }

    /** The most acknowledgements kept between two flushes. */
    public int ackCapacity() {
        return Math.max(64, 2 * rcvWnd);
    }

    /** The retransmission count that marks the link dead. */
    public int deadLink() {
        return deadLink;
    }

    /** Segments sent but not acknowledged, plus segments not sent yet. */
    public int waitSnd() {
        return sndBuf.size() + sndQueue.size();
    }

    /** Whether a segment reached {@link #deadLink()} transmissions without an acknowledgement. */
    public boolean isDead() {
        return dead;
    }

    /** How many datagrams {@link #input} refused. */
    public long inputErrors() {
        return inputErrors;
    }

    /** How many segments were retransmitted after their timeout. */
    public long retransmits() {
        return retransmits;
    }

    /** How many segments were retransmitted early, after {@code resend} later ACKs. */
    public long fastRetransmits() {
        return fastRetransmits;
    }

    /** How many acknowledgements were dropped because {@link #ackCapacity()} was reached. */
    public long droppedAcks() {
        return droppedAcks;
    }

    /** The smoothed round-trip time in ms, 0 before the first measurement. */
    public int srtt() {
        return rxSrtt;
    }

    /** The sequence number the next new data segment gets. */
    public int sndNxt() {
        return sndNxt + sndQueue.size();
    }

    /** The first sequence number not received in order yet. */
    public int rcvNxt() {
        return rcvNxt;
    }

    /** Segments waiting in the receive buffer (out of order) and queue (in order). */
    public int pendingReceive() {
        return rcvBuf.size() + rcvQueue.size();
    }

    // ---------------------------------------------------------------- user side

    /**
     * Queues the readable bytes of {@code data} for sending, unless {@link #waitSnd()} has reached
     * {@link #sendQueueLimit()}. In message mode they form one message of at most 255 segments; in stream
     * mode they first fill the last queued segment.
     *
     * @param data the bytes; read (its reader index advances) but not released: the caller keeps it
     * @return whether the bytes were taken; {@code false} leaves {@code data} untouched
     * @throws IllegalArgumentException in message mode, when the message needs more than 255 segments
     */
    public boolean send(ByteBuf data) {
        requireNonNull(data, "data");
        checkOpen();
        int len = data.readableBytes();
        if (len == 0) {
            return true;
        }
        if (waitSnd() >= sendQueueLimit) {
            return false;
        }
        int segments = (len + mss - 1) / mss;
        if (!stream && segments > MAX_FRAGMENTS) {
            throw new IllegalArgumentException("message of " + len + " bytes needs " + segments
                    + " segments (expected: at most " + MAX_FRAGMENTS + " of " + mss + " bytes)");
        }
        if (stream) {
            Segment last = sndQueue.peekLast();
            if (last != null && last.length() < mss) {
                int extend = Math.min(len, mss - last.length());
                last.data.writeBytes(data, extend);
                len -= extend;
            }
            if (len == 0) {
                return true;
            }
            segments = (len + mss - 1) / mss;
        }
        for (int i = 0; i < segments; i++) {
            int size = Math.min(len, mss);
            Segment seg = new Segment(alloc.buffer(stream ? mss : size));
            seg.data.writeBytes(data, size);
            seg.frg = stream ? 0 : segments - i - 1;
            sndQueue.add(seg);
            len -= size;
        }
        return true;
    }

    /**
     * Queues a data segment of zero bytes, which opens a conversation on a listener before the first
     * byte of data exists (kcp-go's receiver hands it on as an empty read). In stream mode the next bytes
     * sent fill it while it is still queued.
     */
    public void sendEmptySegment() {
        checkOpen();
        Segment seg = new Segment(alloc.buffer(stream ? mss : 0));
        sndQueue.add(seg);
    }

    /**
     * Takes the next whole message (in stream mode: the next chunk of bytes) that arrived in order.
     *
     * @return the message, released by the caller; {@code null} when none is complete
     */
    public ByteBuf receive() {
        checkOpen();
        Segment first = rcvQueue.peekFirst();
        if (first == null) {
            return null;
        }
        if (first.frg + 1 > rcvQueue.size()) {
            return null;
        }
        boolean recover = rcvQueue.size() >= rcvWnd;
        ByteBuf message;
        if (first.frg == 0) {
            rcvQueue.pollFirst();
            message = first.data;
            first.data = null;
        } else {
            int parts = first.frg + 1;
            CompositeByteBuf composite = alloc.compositeBuffer(parts);
            for (int i = 0; i < parts; i++) {
                Segment seg = rcvQueue.pollFirst();
                composite.addComponent(true, seg.data);
                seg.data = null;
            }
            message = composite;
        }
        moveToReceiveQueue();
        if (recover && rcvQueue.size() < rcvWnd) {
            // The window was closed: tell the peer at once that it opened again.
            probe |= ASK_TELL;
        }
        return message;
    }

    // ---------------------------------------------------------------- network side

    /**
     * Processes one datagram from the peer (the bytes after any lower-layer header). Segments before a
     * bad one are kept. Trailing bytes shorter than a header are ignored, as kcp-go does.
     *
     * @param datagram the datagram, read but not released (payloads are retained slices of it)
     * @throws ProtocolException when a segment is impossible, of an unknown command or another conversation
     */
    public void input(ByteBuf datagram) {
        requireNonNull(datagram, "datagram");
        checkOpen();
        if (datagram.readableBytes() < OVERHEAD) {
            throw inputError(Reason.KCP_MALFORMED_SEGMENT, "datagram of " + datagram.readableBytes()
                    + " bytes (expected: at least one " + OVERHEAD + "-byte segment header)");
        }
        int prevUna = sndUna;
        boolean ackSeen = false;
        int maxack = 0;
        while (datagram.readableBytes() >= OVERHEAD) {
            int segConv = datagram.readIntLE();
            if (segConv != conv) {
                throw inputError(Reason.KCP_CONV_MISMATCH, "segment of conversation " + Integer.toUnsignedString(segConv)
                        + " (expected: " + Integer.toUnsignedString(conv) + ")");
            }
            int cmd = datagram.readUnsignedByte();
            int frg = datagram.readUnsignedByte();
            int wnd = datagram.readUnsignedShortLE();
            int ts = datagram.readIntLE();
            int sn = datagram.readIntLE();
            int una = datagram.readIntLE();
            long len = datagram.readUnsignedIntLE();
            if (len > datagram.readableBytes()) {
                throw inputError(Reason.KCP_MALFORMED_SEGMENT, "segment length " + len + " exceeds the "
                        + datagram.readableBytes() + " bytes left in the datagram");
            }
            if (cmd < CMD_PUSH || cmd > CMD_WINS) {
                throw inputError(Reason.KCP_UNKNOWN_COMMAND, "segment command " + cmd
                        + " (expected: 81 PUSH, 82 ACK, 83 WASK or 84 WINS)");
            }
            rmtWnd = wnd;
            parseUna(una);
            shrinkBuf();
            int length = (int) len;
            if (cmd == CMD_ACK) {
                int rtt = current - ts;
                if (rtt >= 0) {
                    updateAck(rtt);
                }
                parseAck(sn);
                shrinkBuf();
                if (!ackSeen || sn - maxack > 0) {
                    ackSeen = true;
                    maxack = sn;
                }
                datagram.skipBytes(length);
            } else if (cmd == CMD_PUSH) {
                if (sn - (rcvNxt + rcvWnd) < 0) {
                    ackPush(sn, ts);
                    if (sn - rcvNxt >= 0) {
                        Segment seg = new Segment(datagram.readRetainedSlice(length));
                        seg.conv = segConv;
                        seg.cmd = cmd;
                        seg.frg = frg;
                        seg.wnd = wnd;
                        seg.ts = ts;
                        seg.sn = sn;
                        seg.una = una;
                        parseData(seg);
                    } else {
                        datagram.skipBytes(length);
                    }
                } else {
                    datagram.skipBytes(length);
                }
            } else if (cmd == CMD_WASK) {
                probe |= ASK_TELL;
                datagram.skipBytes(length);
            } else {
                datagram.skipBytes(length); // WINS: the window was read above.
            }
        }
        if (ackSeen) {
            parseFastack(maxack);
        }
        if (sndUna - prevUna > 0 && cwnd < rmtWnd) {
            growCongestionWindow();
        }
    }

    private ProtocolException inputError(Reason reason, String message) {
        inputErrors++;
        return new ProtocolException(reason, message);
    }

    private void growCongestionWindow() {
        if (cwnd < ssthresh) {
            cwnd++;
            incr += mss;
        } else {
            if (incr < mss) {
                incr = mss;
            }
            incr += (mss * mss) / incr + (mss / 16);
            if ((cwnd + 1) * mss <= incr) {
                cwnd = (incr + mss - 1) / mss;
            }
        }
        if (cwnd > rmtWnd) {
            cwnd = rmtWnd;
            incr = rmtWnd * mss;
        }
    }

    private void updateAck(int rtt) {
        if (rxSrtt == 0) {
            rxSrtt = rtt;
            rxRttval = rtt / 2;
        } else {
            int delta = Math.abs(rtt - rxSrtt);
            rxRttval = (3 * rxRttval + delta) / 4;
            rxSrtt = Math.max(1, (7 * rxSrtt + rtt) / 8);
        }
        int rto = rxSrtt + Math.max(interval, 4 * rxRttval);
        rxRto = Math.max(rxMinrto, Math.min(rto, RTO_MAX));
    }

    private void shrinkBuf() {
        Segment first = sndBuf.peekFirst();
        sndUna = first != null ? first.sn : sndNxt;
    }

    private void parseUna(int una) {
        while (!sndBuf.isEmpty() && una - sndBuf.peekFirst().sn > 0) {
            sndBuf.pollFirst().release();
        }
    }

    private void parseAck(int sn) {
        if (sn - sndUna < 0 || sn - sndNxt >= 0) {
            return;
        }
        for (Iterator<Segment> it = sndBuf.iterator(); it.hasNext(); ) {
            Segment seg = it.next();
            if (sn == seg.sn) {
                it.remove();
                seg.release();
                break;
            }
            if (sn - seg.sn < 0) {
                break;
            }
        }
    }

    private void parseFastack(int sn) {
        if (sn - sndUna < 0 || sn - sndNxt >= 0) {
            return;
        }
        for (Segment seg : sndBuf) {
            if (sn - seg.sn < 0) {
                break;
            }
            if (sn != seg.sn) {
                seg.fastack++;
            }
        }
    }

    private void ackPush(int sn, int ts) {
        if (ackCount >= ackCapacity()) {
            droppedAcks++;
            return;
        }
        if (2 * ackCount + 2 > acks.length) {
            int[] grown = new int[Math.min(2 * acks.length, 2 * ackCapacity())];
            System.arraycopy(acks, 0, grown, 0, 2 * ackCount);
            acks = grown;
        }
        acks[2 * ackCount] = sn;
        acks[2 * ackCount + 1] = ts;
        ackCount++;
    }

    private void parseData(Segment seg) {
        int sn = seg.sn;
        if (sn - (rcvNxt + rcvWnd) >= 0 || sn - rcvNxt < 0) {
            seg.release();
            return;
        }
        int insertAt = 0;
        for (int i = rcvBuf.size() - 1; i >= 0; i--) {
            int other = rcvBuf.get(i).sn;
            if (other == sn) {
                seg.release(); // duplicate
                return;
            }
            if (sn - other > 0) {
                insertAt = i + 1;
                break;
            }
        }
        rcvBuf.add(insertAt, seg);
        moveToReceiveQueue();
    }

    private void moveToReceiveQueue() {
        while (!rcvBuf.isEmpty() && rcvBuf.get(0).sn == rcvNxt && rcvQueue.size() < rcvWnd) {
            rcvQueue.add(rcvBuf.remove(0));
            rcvNxt++;
        }
    }

    private int wndUnused() {
        return Math.max(0, rcvWnd - rcvQueue.size());
    }

    // ---------------------------------------------------------------- timing

    /**
     * Advances the engine's clock; flushes (ACKs, window probes, new and due segments) when the flush
     * interval has passed. Call it at {@link #check} times, or every interval.
     *
     * @param nowMillis a monotonic clock in ms (only differences matter; it may wrap at 2^32)
     */
    public void update(long nowMillis) {
        checkOpen();
        current = (int) nowMillis;
        if (!updated) {
            updated = true;
            tsFlush = current;
        }
        int slap = current - tsFlush;
        if (slap >= 10_000 || slap < -10_000) {
            tsFlush = current;
            slap = 0;
        }
        if (slap >= 0) {
            tsFlush += interval;
            if (current - tsFlush >= 0) {
                tsFlush = current + interval;
            }
            flush();
        }
    }

    /**
     * When {@link #update} should run next: at the next flush or at the earliest retransmission, whichever
     * comes first, and never later than one interval from now.
     *
     * @param nowMillis the same clock as {@link #update}
     * @return the time of the next needed update, at least {@code nowMillis}
     */
    public long check(long nowMillis) {
        int now = (int) nowMillis;
        if (!updated) {
            return nowMillis;
        }
        int flushAt = tsFlush;
        if (now - flushAt >= 10_000 || now - flushAt < -10_000) {
            flushAt = now;
        }
        if (now - flushAt >= 0) {
            return nowMillis;
        }
        int minimal = flushAt - now;
        for (Segment seg : sndBuf) {
            int diff = seg.resendts - now;
            if (diff <= 0) {
                return nowMillis;
            }
            minimal = Math.min(minimal, diff);
        }
        return nowMillis + Math.min(minimal, interval);
    }

    /**
     * Sends now what is pending: ACKs, window probes, segments the windows admit and segments due for
     * retransmission. Does nothing before the first {@link #update}.
     */
    public void flush() {
        checkOpen();
        if (!updated) {
            return;
        }
        int wnd = wndUnused();
        ByteBuf buffer = null;
        for (int i = 0; i < ackCount; i++) {
            buffer = room(buffer, OVERHEAD);
            writeHeader(buffer, CMD_ACK, 0, wnd, acks[2 * i + 1], acks[2 * i], 0);
        }
        ackCount = 0;

        if (rmtWnd == 0) {
            if (probeWait == 0) {
                probeWait = PROBE_INIT;
                tsProbe = current + probeWait;
            } else if (current - tsProbe >= 0) {
                probeWait = Math.min(PROBE_LIMIT, Math.max(probeWait, PROBE_INIT) * 3 / 2);
                tsProbe = current + probeWait;
                probe |= ASK_SEND;
            }
        } else {
            tsProbe = 0;
            probeWait = 0;
        }
        if ((probe & ASK_SEND) != 0) {
            buffer = room(buffer, OVERHEAD);
            writeHeader(buffer, CMD_WASK, 0, wnd, 0, 0, 0);
        }
        if ((probe & ASK_TELL) != 0) {
            buffer = room(buffer, OVERHEAD);
            writeHeader(buffer, CMD_WINS, 0, wnd, 0, 0, 0);
        }
        probe = 0;

        int window = Math.min(sndWnd, rmtWnd);
        if (nocwnd == 0) {
            window = Math.min(cwnd, window);
        }
        while (sndNxt - (sndUna + window) < 0 && !sndQueue.isEmpty()) {
            Segment seg = sndQueue.pollFirst();
            seg.conv = conv;
            seg.cmd = CMD_PUSH;
            seg.sn = sndNxt++;
            seg.xmit = 0;
            seg.fastack = 0;
            sndBuf.add(seg);
        }

        int resent = fastresend > 0 ? fastresend : Integer.MAX_VALUE;
        int rtomin = nodelay == 0 ? rxRto >> 3 : 0;
        boolean lost = false;
        boolean change = false;
        for (Segment seg : sndBuf) {
            boolean needsend = false;
            if (seg.xmit == 0) {
                needsend = true;
                seg.xmit = 1;
                seg.rto = rxRto;
                seg.resendts = current + seg.rto + rtomin;
            } else if (current - seg.resendts >= 0) {
                needsend = true;
                seg.xmit++;
                retransmits++;
                if (nodelay == 0) {
                    seg.rto += Math.max(seg.rto, rxRto);
                } else {
                    int step = nodelay < 2 ? seg.rto : rxRto;
                    seg.rto += step / 2;
                }
                seg.resendts = current + seg.rto;
                lost = true;
            } else if (seg.fastack >= resent && seg.xmit <= FAST_LIMIT) {
                needsend = true;
                seg.xmit++;
                seg.fastack = 0;
                seg.resendts = current + seg.rto;
                fastRetransmits++;
                change = true;
            }
            if (needsend) {
                seg.ts = current;
                seg.wnd = wnd;
                seg.una = rcvNxt;
                buffer = room(buffer, OVERHEAD + seg.length());
                seg.encodeHeader(buffer);
                buffer.writeBytes(seg.data, seg.data.readerIndex(), seg.length());
                if (seg.xmit >= deadLink) {
                    dead = true;
                }
            }
        }
        emit(buffer);

        if (change) {
            int inflight = sndNxt - sndUna;
            ssthresh = Math.max(THRESH_MIN, inflight / 2);
            cwnd = ssthresh + resent;
            incr = cwnd * mss;
        }
        if (lost) {
            ssthresh = Math.max(THRESH_MIN, cwnd / 2);
            cwnd = 1;
            incr = mss;
        }
        if (cwnd < 1) {
            cwnd = 1;
            incr = mss;
        }
    }

    private void writeHeader(ByteBuf out, int cmd, int frg, int wnd, int ts, int sn, int len) {
        out.writeIntLE(conv);
        out.writeByte(cmd);
        out.writeByte(frg);
        out.writeShortLE(wnd);
        out.writeIntLE(ts);
        out.writeIntLE(sn);
        out.writeIntLE(rcvNxt);
        out.writeIntLE(len);
    }

    /** Returns a datagram buffer with {@code needed} bytes of room, emitting the current one if full. */
    private ByteBuf room(ByteBuf buffer, int needed) {
        if (buffer != null && buffer.writerIndex() + needed > mtu) {
            emit(buffer);
            buffer = null;
        }
        if (buffer == null) {
            buffer = alloc.buffer(mtu);
            buffer.writeZero(reserved);
        }
        return buffer;
    }

    private void emit(ByteBuf buffer) {
        if (buffer == null) {
            return;
        }
        if (buffer.writerIndex() > reserved) {
            output.output(buffer, this);
        } else {
            buffer.release();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Releases every queued segment; the engine cannot be used afterwards. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseAll(sndQueue);
        releaseAll(sndBuf);
        releaseAll(rcvQueue);
        releaseAll(rcvBuf);
        ackCount = 0;
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    private static void releaseAll(java.util.Collection<Segment> segments) {
        for (Segment seg : segments) {
            seg.release();
        }
        segments.clear();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("KCP conversation " + Integer.toUnsignedString(conv) + " is closed");
        }
    }

    @Override
    public String toString() {
        return "Kcp{conv=" + Integer.toUnsignedString(conv) + ", sndUna=" + sndUna + ", sndNxt=" + sndNxt
                + ", rcvNxt=" + rcvNxt + ", waitSnd=" + waitSnd() + ", rmtWnd=" + rmtWnd + ", srtt=" + rxSrtt
                + ", dead=" + dead + "}";
    }
}
