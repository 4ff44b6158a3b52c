package io.janus.transport.kcp.internal;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.janus.core.protocol.HandshakeResult;
import io.janus.transport.kcp.KcpSettings;
import io.janus.transport.kcp.protocol.Kcp;
import io.janus.transport.kcp.protocol.KcpDatagrams;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import io.janus.transport.kcp.smux.SmuxConfig;
import io.janus.transport.kcp.fec.KcpGoPacketCodec;
import io.janus.transport.kcp.fec.KcpGoPacketConfig;

/**
 * One KCP conversation with one peer, on the server or the client side: the engine, the child channel
 * that shows its byte stream to Netty, and its lifecycle. Runs on the event loop of the datagram channel
 * that carries it.
 *
 * <p>Lifecycle: OPEN while the child channel is open. When the channel closes, LINGER: the engine keeps
 * retransmitting what is queued (the last frames, such as a kick or a HandshakeError) until the peer
 * acknowledged everything or {@link KcpSettings#lingerMillis()} passed, then sends the close marker
 * ({@link KcpDatagrams#CMD_CLOSE}) and is DONE. A close marker from the peer, a dead link or an idle
 * timeout end it without lingering; the last two are first fired into the child pipeline as a
 * {@link ProtocolException} ({@link Reason#KCP_DEAD_LINK}, {@link Reason#KCP_IDLE_TIMEOUT}) so the session
 * layer closes with that reason.
 */
final class KcpSession implements KcpChildChannel.Port {

    /** What a session needs from the datagram side that carries it. */
    interface Link {
        /**
         * Sends a datagram to the session's peer, or drops it (anti-amplification, a full socket buffer).
         *
         * @param session the session
         * @param datagram the datagram; the link owns it
         */
        void send(KcpSession session, ByteBuf datagram);

        /** The session proved its peer's address (a record arrived after the server hello). */
        void proven(KcpSession session);

        /** The session is DONE; forget it. */
        void finished(KcpSession session);

        /** The local address of the datagram channel. */
        SocketAddress localAddress();

        /**
         * Counts a datagram the kcp-go packet layer refused (it is dropped; the session goes on).
         *
         * @param reason why
         */
        void recordFailure(Reason reason);
    }

    private enum State { OPEN, LINGER, DONE }

    /** After a failure was fired into the pipeline, the channel is closed anyway this long after. */
    private static final long FAILURE_CLOSE_GRACE_MILLIS = 1000;

    /** Datagrams handed to the session's loop and not processed yet: at most this many. */
    static final int MAX_QUEUED_DATAGRAMS = 256;

    private final java.util.concurrent.atomic.AtomicInteger queuedDatagrams =
            new java.util.concurrent.atomic.AtomicInteger();
    private final io.netty.channel.EventLoop loop;
    private final Link link;
    private final InetSocketAddress remote;
    private final int conv;
    private final Kcp kcp;
    /** kcp-go's packet header and FEC around the KCP segments, or {@code null} for bare KCP. */
    private final KcpGoPacketCodec codec;
    private final List<ByteBuf> decoded = new ArrayList<>();
    private final List<ByteBuf> encoded = new ArrayList<>();
    /** The child channel of a bare conversation; {@code null} with smux. */
    private final KcpChildChannel channel;
    /** The smux layer; {@code null} for a bare conversation. */
    private final SmuxStreams mux;
    private final boolean client;
    private final Consumer<KcpChildChannel> childInit;
    private final KcpSettings settings;
    private final io.netty.buffer.ByteBufAllocator alloc;
    private final long idleMillis;
    private State state = State.OPEN;
    private long lastReceived;
    private long lingerUntil;
    private long failureCloseAt = -1;
    private boolean peerClosed;
    private boolean peerClosing;
    private int peerLastSn;
    private boolean proven;
    private boolean draining;
    /** Client side: whether the server has sent data yet; until then opening datagrams are padded. */
    private boolean serverSpoke;

    /**
     * Creates a session; {@link #start} makes its first child channel.
     *
     * @param childInit installs the pipeline of a new child channel and registers it on {@code loop}
     * @param client whether this is the client end (it opens the smux stream)
     */
    KcpSession(Channel datagramChannel, io.netty.channel.EventLoop loop, Link link, InetSocketAddress remote, int conv,
            KcpSettings settings, Consumer<KcpChildChannel> childInit, boolean client) {
        this.loop = loop;
        this.client = client;
        this.childInit = childInit;
        this.link = link;
        this.remote = remote;
        this.conv = conv;
        this.settings = settings;
        this.alloc = datagramChannel.alloc();
        this.idleMillis = settings.idleTimeout().toMillis();
        this.kcp = settings.apply(new Kcp(conv, this::output, datagramChannel.alloc()));
        KcpGoPacketConfig packets = settings.packetConfig();
        this.codec = packets == null ? null : new KcpGoPacketCodec(packets, datagramChannel.alloc());
        this.lastReceived = KcpClock.now();
        kcp.update(lastReceived);
        if (settings.smux() == KcpSettings.SMUX_OFF) {
            this.channel = new KcpChildChannel(datagramChannel, this);
            this.mux = null;
        } else {
            this.channel = null;
            SmuxConfig config = SmuxConfig.builder().version(settings.smux() == KcpSettings.SMUX_AUTO
                    ? SmuxConfig.ACCEPT_CLIENT_VERSION : settings.smux()).build();
            this.mux = new SmuxStreams(this, datagramChannel, childInit, client, config, kcp, lastReceived);
        }
    }

    /** Makes the first child channel: the bare conversation's, or (client) the first smux stream's. */
    void start() {
        if (mux == null) {
            childInit.accept(channel);
        } else if (client) {
            mux.openStream();
            flushKcp();
        }
    }

    /** The event loop the session and its child channel run on. */
    io.netty.channel.EventLoop loop() {
        return loop;
    }

    /**
     * Hands a datagram to the session from another thread, unless {@link #MAX_QUEUED_DATAGRAMS} are
     * already waiting (then it is dropped, as if lost).
     *
     * @param payload the KCP bytes; this method takes ownership
     */
    void enqueue(ByteBuf payload) {
        if (loop.inEventLoop()) {
            try {
                input(payload);
            } finally {
                payload.release();
            }
            return;
        }
        if (queuedDatagrams.incrementAndGet() > MAX_QUEUED_DATAGRAMS) {
            queuedDatagrams.decrementAndGet();
            payload.release();
            return;
        }
        try {
            loop.execute(() -> {
                queuedDatagrams.decrementAndGet();
                try {
                    input(payload);
                } finally {
                    payload.release();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            queuedDatagrams.decrementAndGet();
            payload.release();
        }
    }

    Kcp kcp() {
        return kcp;
    }

    /** The child channel of a bare conversation, {@code null} with smux. */
    KcpChildChannel channel() {
        return channel;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress localAddress() {
        return link.localAddress();
    }

    int conv() {
        return conv;
    }

    boolean isProven() {
        return proven;
    }

    boolean isDone() {
        return state == State.DONE;
    }

    private void output(ByteBuf payload, Kcp engine) {
        if (!client && !proven && (codec != null || mux != null) && onlyAcknowledgements(payload)) {
            // Anti-amplification with kcp-go peers (kcptun), which do not pad their first datagrams:
            // while the peer's address is not proven, acknowledgements alone are held back, so the peer
            // retransmits what it sent and its retransmissions pay for the server hello, instead of an
            // early ACK spending the budget and leaving the answer stuck above it for ever. Data
            // segments carry their ACKs along anyway.
            payload.release();
            return;
        }
        if (client && !serverSpoke && KcpDatagrams.opensConversation(payload)) {
            payload = padded(payload);
        }
        if (codec == null) {
            link.send(this, payload);
            return;
        }
        try {
            codec.encode(payload, encoded);
        } finally {
            payload.release();
        }
        for (ByteBuf datagram : encoded) {
            link.send(this, datagram);
        }
        encoded.clear();
    }

    /**
     * Pads a datagram that opens the conversation to {@link KcpClientHandler#PADDED_DATAGRAM} bytes (or
     * the MTU) with a WINS segment whose payload receivers skip (kcp-go and {@link Kcp#input} ignore a
     * WINS segment's bytes), so the server's anti-amplification budget admits its hello at once; as QUIC
     * pads its first flight (RFC 9000, section 14.1). Before kcp-go's layers, if any, so it works with
     * them too. The padding segment repeats the window and una of the first segment.
     */
    private ByteBuf padded(ByteBuf payload) {
        int target = Math.min(KcpClientHandler.PADDED_DATAGRAM, kcp.mtu());
        int padding = target - payload.readableBytes() - Kcp.OVERHEAD;
        if (padding < 0) {
            return payload;
        }
        int first = payload.readerIndex();
        ByteBuf out = alloc.buffer(target);
        try {
            out.writeBytes(payload, first, payload.readableBytes());
            out.writeIntLE(conv).writeByte(Kcp.CMD_WINS).writeByte(0)
                    .writeShortLE(payload.getUnsignedShortLE(first + 6)).writeIntLE(0).writeIntLE(0)
                    .writeIntLE(payload.getIntLE(first + 16)).writeIntLE(padding).writeZero(padding);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        } finally {
            payload.release();
        }
        return out;
    }

    /** Whether a KCP datagram holds nothing but ACK segments (skywind3000/kcp: cmd 82). */
    private static boolean onlyAcknowledgements(ByteBuf payload) {
        int i = payload.readerIndex();
        int end = payload.writerIndex();
        if (i >= end) {
            return false;
        }
        while (i + Kcp.OVERHEAD <= end) {
            if (payload.getUnsignedByte(i + 4) != 82) {
                return false;
            }
            i += Kcp.OVERHEAD + (int) Math.min(Integer.MAX_VALUE, payload.getUnsignedIntLE(i + 20));
        }
        return i == end;
    }

    @Override
    public boolean offer(ByteBuf data) {
        return state != State.DONE && kcp.send(data);
    }

    @Override
    public void flush() {
        flushKcp();
    }

    @Override
    public ByteBuf poll() {
        return state == State.DONE ? null : kcp.receive();
    }

    @Override
    public void delivering(KcpChildChannel child, int bytes) {
        markProvenIfHelloDone(child);
    }

    @Override
    public void closed() {
        channelClosed();
    }

    /**
     * Marks the peer's address proven when bytes arrive on a channel whose server hello was already sent:
     * the peer read it, so the address is its own (anti-amplification, see KcpServerHandler).
     */
    void markProvenIfHelloDone(KcpChildChannel child) {
        if (!proven && child.hasAttr(HandshakeResult.KEY) && child.attr(HandshakeResult.KEY).get() != null) {
            proven = true;
            link.proven(this);
        }
    }

    /** Flushes the engine after the child channel queued bytes (kcp-go flushes on write, too). */
    void flushKcp() {
        if (state != State.DONE) {
            kcp.flush();
        }
    }

    /**
     * Takes one datagram from the peer.
     *
     * @param datagram the datagram; read, not released
     */
    void input(ByteBuf datagram) {
        if (state == State.DONE) {
            return;
        }
        if (codec == null) {
            inputKcp(datagram);
            return;
        }
        try {
            codec.decode(datagram, decoded);
        } catch (ProtocolException e) {
            link.recordFailure(e.reason());
            return;
        }
        try {
            for (ByteBuf payload : decoded) {
                if (state != State.DONE) {
                    inputKcp(payload);
                }
            }
        } finally {
            for (ByteBuf payload : decoded) {
                payload.release();
            }
            decoded.clear();
        }
    }

    private void inputKcp(ByteBuf payload) {
        if (KcpDatagrams.isClose(payload, conv)) {
            if (!peerClosing) {
                peerClosing = true;
                peerLastSn = KcpDatagrams.closeSn(payload);
            }
            closeIfPeerDone();
            return;
        }
        lastReceived = KcpClock.now();
        if (client && !serverSpoke && KcpDatagrams.opensConversation(payload)) {
            serverSpoke = true;
        }
        try {
            kcp.input(payload);
        } catch (ProtocolException e) {
            fail(e);
            return;
        }
        kcp.flush(); // acknowledge at once
        if (state == State.OPEN && mux != null) {
            mux.pump(kcp);
            if (state != State.DONE) {
                kcp.flush();
            }
        } else if (state == State.OPEN) {
            channel.readInbound();
            channel.writeMore();
            closeIfPeerDone();
        } else if (state == State.LINGER && kcp.waitSnd() == 0) {
            finish(mux == null);
        }
    }

    /** After the peer's close marker: closes once every segment it sent before it arrived. */
    private void closeIfPeerDone() {
        if (mux != null) {
            return; // smux closes streams with FIN; the marker belongs to bare conversations
        }
        if (!peerClosing || state == State.DONE || kcp.rcvNxt() - peerLastSn < 0) {
            return;
        }
        peerClosed = true;
        if (channel.isOpen()) {
            channel.close();
        } else {
            finish(false);
        }
    }

    /**
     * Runs the engine's timers.
     *
     * @param now {@link KcpClock#now()}
     * @return when to run again, or -1 once the session is DONE
     */
    long update(long now) {
        if (state == State.DONE) {
            return -1;
        }
        if (now - lastReceived >= idleMillis) {
            fail(new ProtocolException(Reason.KCP_IDLE_TIMEOUT, "no datagram from " + remote + " for "
                    + idleMillis + " ms"));
            if (state == State.DONE) {
                return -1;
            }
        }
        kcp.update(now);
        if (kcp.isDead()) {
            fail(new ProtocolException(Reason.KCP_DEAD_LINK, "a segment to " + remote + " was sent "
                    + kcp.deadLink() + " times without an acknowledgement"));
            if (state == State.DONE) {
                return -1;
            }
        }
        if (state == State.OPEN && mux != null) {
            mux.tick(now);
            if (state == State.OPEN) {
                mux.writeMore();
            }
        } else if (state == State.OPEN) {
            channel.writeMore();
            if (failureCloseAt >= 0 && now >= failureCloseAt) {
                channel.close();
            }
        }
        if (state == State.LINGER && (kcp.waitSnd() == 0 || now >= lingerUntil)) {
            finish(mux == null);
        }
        return state == State.DONE ? -1 : kcp.check(now);
    }

    private void fail(ProtocolException e) {
        if (state != State.OPEN) {
            finish(false);
            return;
        }
        if (mux != null) {
            smuxFailed(e, mux.streamCount() > 0);
            return;
        }
        if (failureCloseAt < 0) {
            failureCloseAt = KcpClock.now() + FAILURE_CLOSE_GRACE_MILLIS;
            channel.pipeline().fireExceptionCaught(e);
        }
    }

    /**
     * The smux session failed, or this session failed under it: each stream's session is closed with the
     * reason (or, without streams, the reason is counted), and the conversation ends.
     */
    void smuxFailed(ProtocolException cause, boolean streamsOpen) {
        if (state == State.DONE) {
            return;
        }
        if (streamsOpen) {
            mux.fireIntoAll(cause);
        } else {
            link.recordFailure(cause.reason());
        }
        finish(false);
    }

    /**
     * The listener stopped accepting: a server conversation with smux ends once it carries no stream
     * (kcptun would otherwise keep it open until the idle timeout). Bare conversations end with their
     * channel, which the gateway closes.
     */
    void stopAccepting() {
        draining = true;
        if (mux != null && state == State.OPEN && mux.streamCount() == 0) {
            finish(false);
        }
    }

    /** Whether the listener still takes new smux streams on this conversation. */
    boolean acceptsStreams() {
        return !draining;
    }

    /**
     * An smux stream closed: a client's conversation carries one stream and ends with it; a server's
     * ends with its last stream once the listener stopped accepting.
     */
    void streamClosed() {
        if (state != State.OPEN || mux.streamCount() > 0) {
            return;
        }
        if (!client) {
            if (draining) {
                finish(false);
            }
            return;
        }
        state = State.LINGER;
        lingerUntil = KcpClock.now() + settings.lingerMillis();
        if (kcp.waitSnd() == 0) {
            finish(false);
        }
    }

    /** The child channel closed. */
    void channelClosed() {
        if (state != State.OPEN) {
            return;
        }
        if (peerClosed || kcp.isDead() || failureCloseAt >= 0 && KcpClock.now() - lastReceived >= idleMillis) {
            finish(false);
            return;
        }
        state = State.LINGER;
        lingerUntil = KcpClock.now() + settings.lingerMillis();
        if (kcp.waitSnd() == 0) {
            finish(true);
        } else {
            sendClose(); // now, so the peer learns of it even if this side cannot linger (shutdown)
        }
    }

    /** Ends the session at once (the datagram channel closes). */
    void abort() {
        if (state == State.OPEN && mux == null) {
            peerClosed = true; // nothing can be sent any more
            channel.close();
        }
        if (state != State.DONE) {
            finish(false);
        }
    }

    private void finish(boolean sendClose) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (sendClose && mux == null) {
            sendClose();
        }
        if (mux != null) {
            mux.closeAll();
        }
        kcp.close();
        if (codec != null) {
            codec.close();
        }
        link.finished(this);
    }

    private void sendClose() {
        output(KcpDatagrams.writeClose(alloc.buffer(Kcp.OVERHEAD), conv, kcp.sndNxt()), kcp);
    }

    @Override
    public String toString() {
        return "KcpSession{" + remote + ", conv=" + Integer.toUnsignedString(conv) + ", " + state + "}";
    }
}
