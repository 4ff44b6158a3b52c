package io.janus.transport.kcp.internal;

import io.janus.api.Reason;
import io.janus.core.spi.TransportContext;
import io.janus.core.transport.StreamFraming;
import io.janus.transport.kcp.KcpSettings;
import io.janus.transport.kcp.protocol.Kcp;
import io.janus.transport.kcp.protocol.KcpDatagrams;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.janus.core.ProtocolException;
import io.janus.transport.kcp.fec.FecEncoder;
import io.janus.transport.kcp.fec.KcpGoHeader;
import io.janus.transport.kcp.fec.KcpGoPacketCodec;
import io.janus.transport.kcp.fec.KcpGoPacketConfig;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The listening side of the KCP transport, on the server's datagram channel: demultiplexes datagrams by
 * (remote address, conv) to {@link KcpSession}s, opens a session (a child channel on one of the gateway's
 * socket's loop, with stream framing and the gateway's session pipeline) for the first data segment of a
 * new conversation, and drops everything else without replying: garbage is counted with
 * {@link TransportContext#recordFailure}.
 *
 * <p>Bounds: at most {@link KcpSettings#maxSessions()} sessions and {@link KcpSettings#maxHalfOpen()} of
 * them not yet proven (a datagram beyond either is refused with {@link Reason#KCP_SESSION_LIMIT}); one
 * {@link AddressBudget} per remote address with a session; at most
 * {@link KcpSession#MAX_QUEUED_DATAGRAMS} datagrams waiting for one session's loop. Anti-amplification:
 * until a session of an address is proven (bytes of it arrived after the server hello was sent), the
 * address gets at most {@link KcpSettings#amplificationFactor()} bytes for every byte it sent (RFC 9000,
 * section 8.1, applies the same rule to QUIC); datagrams over the budget are dropped as if lost, and KCP
 * retransmits them once the peer's next datagram raised the budget. Datagrams are also dropped while
 * the socket's outbound buffer is above its high water mark, so it stays bounded.
 *
 * <p>Its maps are used on the datagram channel's event loop only; sessions call {@link #send},
 * {@link #proven} and {@link #finished} from their own loops, which hop here.
 */
public final class KcpServerHandler extends ChannelDuplexHandler implements KcpSession.Link {

    private record Key(InetSocketAddress address, int conv) {
    }

    /** Bytes exchanged with one remote address, for the anti-amplification rule. */
    private static final class AddressBudget {
        long received;
        long sent;
        int sessions;
        boolean proven;
        /** The session that last received a datagram from the address: FEC parity shards go there. */
        KcpSession latest;
    }

    /** {@link #peekConv} of a datagram whose conversation cannot be read (an FEC parity shard). */
    private static final long PARITY = -1;
    /** {@link #peekConv} of a datagram too short to hold a conversation id. */
    private static final long NONE = -2;

    private final TransportContext context;
    private final KcpSettings settings;
    /** Decodes the first datagram of an unknown conversation, to check it before a session exists. */
    private KcpGoPacketCodec probe;
    private final List<ByteBuf> probed = new ArrayList<>();
    private final Map<Key, KcpSession> sessions = new HashMap<>();
    private final Map<InetSocketAddress, AddressBudget> budgets = new HashMap<>();
    private final LongAdder amplificationDrops = new LongAdder();
    private final LongAdder staleDatagrams = new LongAdder();
    private volatile Channel channel;
    private int halfOpen;
    private boolean accepting = true;
    private volatile int sessionCount;

    /**
     * Creates the handler.
     *
     * @param context the gateway's context
     * @param settings the transport's settings
     */
    public KcpServerHandler(TransportContext context, KcpSettings settings) {
        this.context = java.util.Objects.requireNonNull(context, "context");
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
    }

    /**
     * Stops opening sessions; the open ones keep the datagram channel until they end, and it closes
     * after the last one. Call on the datagram channel's loop.
     */
    public void stopAccepting() {
        accepting = false;
        for (KcpSession session : new ArrayList<>(sessions.values())) {
            session.stopAccepting();
        }
        if (sessions.isEmpty()) {
            channel.close();
        }
    }

    /** Open sessions (a snapshot, for metrics and tests). */
    public int sessionCount() {
        return sessionCount;
    }

    /** Datagrams dropped by the anti-amplification rule. */
    public long amplificationDrops() {
        return amplificationDrops.sum();
    }

    /** Datagrams for conversations this listener does not know that could not open one. */
    public long staleDatagrams() {
        return staleDatagrams.sum();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        KcpGoPacketConfig packets = settings.packetConfig();
        if (packets != null) {
            probe = new KcpGoPacketCodec(packets, ctx.alloc());
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (probe != null) {
            probe.close();
        }
    }

    /** The conversation id of a datagram, read past kcp-go's header and an FEC data shard's header. */
    private long peekConv(ByteBuf data) {
        int off = data.readerIndex() + (settings.packetHeader() ? KcpGoHeader.SIZE : 0);
        int end = data.writerIndex();
        if (settings.dataShards() > 0 && end - off >= FecEncoder.HEADER_SIZE) {
            int type = data.getUnsignedShortLE(off + 4);
            if (type == FecEncoder.TYPE_PARITY) {
                return PARITY;
            }
            if (type == FecEncoder.TYPE_DATA) {
                off += FecEncoder.DATA_SHARD_OVERHEAD;
            }
        }
        return end - off >= Kcp.OVERHEAD ? data.getUnsignedIntLE(off) : NONE;
    }

    /**
     * Checks the first datagram of an unknown conversation through a probe of the kcp-go packet layer.
     *
     * @return OK, a reason to count, or null for a datagram to drop silently (it opens nothing)
     */
    private Reason checkFirst(ByteBuf data, int conv) {
        if (probe == null) {
            Reason checked = KcpDatagrams.check(data);
            return checked != Reason.OK ? checked : KcpDatagrams.opensConversation(data) ? Reason.OK : null;
        }
        try {
            probe.decode(data.duplicate(), probed);
        } catch (ProtocolException e) {
            return e.reason();
        }
        try {
            for (ByteBuf payload : probed) {
                Reason checked = KcpDatagrams.check(payload);
                if (checked != Reason.OK) {
                    return checked;
                }
                if (KcpDatagrams.conv(payload) == conv && KcpDatagrams.opensConversation(payload)) {
                    return Reason.OK;
                }
            }
            return null;
        } finally {
            probed.forEach(ByteBuf::release);
            probed.clear();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            read(packet.sender(), packet.content());
        } finally {
            packet.release();
        }
    }

    private void read(InetSocketAddress sender, ByteBuf data) {
        long peeked = peekConv(data);
        KcpSession session;
        if (peeked == PARITY) {
            AddressBudget budget = budgets.get(sender);
            session = budget == null ? null : budget.latest;
            if (session == null) {
                staleDatagrams.increment();
                return;
            }
        } else if (peeked == NONE) {
            context.recordFailure(settings.packetConfig() == null ? Reason.KCP_MALFORMED_SEGMENT
                    : Reason.KCPGO_DATAGRAM_TOO_SHORT);
            return;
        } else {
            int conv = (int) peeked;
            session = sessions.get(new Key(sender, conv));
            if (session == null) {
                if (probe == null && KcpDatagrams.isClose(data, conv)) {
                    return; // the end of a conversation already forgotten
                }
                Reason checked = checkFirst(data, conv);
                if (checked == null || checked == Reason.OK && !accepting) {
                    staleDatagrams.increment();
                    return;
                }
                if (checked != Reason.OK) {
                    context.recordFailure(checked);
                    return;
                }
                if (sessions.size() >= settings.maxSessions() || halfOpen >= settings.maxHalfOpen()) {
                    context.recordFailure(Reason.KCP_SESSION_LIMIT);
                    return;
                }
                session = open(sender, conv);
            }
        }
        AddressBudget budget = budgets.get(sender);
        budget.received += data.readableBytes();
        budget.latest = session;
        session.enqueue(data.retain());
    }

    @Override
    public void recordFailure(Reason reason) {
        context.recordFailure(reason);
    }

    private KcpSession open(InetSocketAddress sender, int conv) {
        EventLoop loop = channel.eventLoop();
        int maxFrameLength = context.maxFrameLength();
        KcpSession session = new KcpSession(channel, loop, this, sender, conv, settings, child -> {
            child.pipeline().addLast(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    StreamFraming.install(ch.pipeline(), maxFrameLength);
                    context.initSession(ch);
                }
            });
            loop.register(child);
        }, false);
        sessions.put(new Key(sender, conv), session);
        sessionCount = sessions.size();
        budgets.computeIfAbsent(sender, a -> new AddressBudget()).sessions++;
        halfOpen++;
        session.start();
        KcpScheduler.of(loop).add(session);
        return session;
    }

    @Override
    public void send(KcpSession session, ByteBuf datagram) {
        Channel ch = channel;
        if (!ch.isActive() || !ch.isWritable()) {
            datagram.release(); // lost, as on a congested link; KCP retransmits
            return;
        }
        ch.writeAndFlush(new DatagramPacket(datagram, session.remoteAddress()), ch.voidPromise());
    }

    /** Applies the anti-amplification budget to every datagram on its way out, on the channel's loop. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof DatagramPacket) {
            DatagramPacket packet = (DatagramPacket) msg;
            AddressBudget budget = budgets.get(packet.recipient());
            int size = packet.content().readableBytes();
            if (budget == null
                    || !budget.proven && budget.sent + size > (long) settings.amplificationFactor() * budget.received) {
                if (budget != null) {
                    amplificationDrops.increment();
                }
                packet.release();
                promise.trySuccess();
                return;
            }
            budget.sent += size;
        }
        ctx.write(msg, promise);
    }

    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
            return;
        }
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The datagram channel's loop is gone, and its maps with it.
        }
    }

    @Override
    public void proven(KcpSession session) {
        onLoop(() -> {
            if (sessions.get(new Key(session.remoteAddress(), session.conv())) == session) {
                halfOpen--;
                budgets.get(session.remoteAddress()).proven = true;
            }
        });
    }

    @Override
    public void finished(KcpSession session) {
        boolean proven = session.isProven();
        onLoop(() -> {
            if (!sessions.remove(new Key(session.remoteAddress(), session.conv()), session)) {
                return;
            }
            sessionCount = sessions.size();
            if (!proven) {
                halfOpen--;
            }
            AddressBudget budget = budgets.get(session.remoteAddress());
            if (budget != null && budget.latest == session) {
                budget.latest = null;
            }
            if (budget != null && --budget.sessions == 0) {
                budgets.remove(session.remoteAddress());
            }
            if (!accepting && sessions.isEmpty()) {
                channel.close();
            }
        });
    }

    @Override
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed send on the datagram socket (ICMP unreachable and the like): the datagram is lost,
        // KCP retransmits or the session's dead-link and idle timers end it.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (KcpSession session : new ArrayList<>(sessions.values())) {
            try {
                session.loop().execute(session::abort);
            } catch (RejectedExecutionException e) {
                // That loop is shutting down: its scheduler's shutdown hook aborts the session.
            }
        }
        super.channelInactive(ctx);
    }
}
