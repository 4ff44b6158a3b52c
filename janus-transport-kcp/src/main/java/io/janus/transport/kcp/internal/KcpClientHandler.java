package io.janus.transport.kcp.internal;

import io.janus.core.transport.StreamFraming;
import io.janus.transport.kcp.KcpSettings;
import io.janus.transport.kcp.protocol.Kcp;
import io.janus.transport.kcp.protocol.KcpDatagrams;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client side of one KCP conversation, on its own datagram channel: a single {@link KcpSession}
 * whose child channel is what the caller gets. Datagrams from any other address or conversation are
 * dropped. The datagram channel closes when the session ends, and the session ends when it closes.
 *
 * <p>Until the server has sent data, every datagram opening the conversation is padded to
 * {@link #PADDED_DATAGRAM} bytes (or the MTU), by the session, before kcp-go's layers, so the server's
 * anti-amplification budget admits its hello. Used on the datagram channel's event loop only.
 */
public final class KcpClientHandler extends ChannelInboundHandlerAdapter implements KcpSession.Link {

    /** What the first datagrams are padded to, as QUIC pads its first flight (RFC 9000, section 14.1). */
    public static final int PADDED_DATAGRAM = 1200;

    private final InetSocketAddress server;
    private final int conv;
    private final KcpSettings settings;
    private final KcpScheduler scheduler;
    private final int maxFrameLength;
    private final Consumer<Channel> initializer;
    private final CompletableFuture<Channel> connected;
    private Channel channel;
    private KcpSession session;

    /**
     * Creates the handler.
     *
     * @param server the server's address
     * @param conv the conversation id
     * @param settings the settings
     * @param scheduler the scheduler of the channel's event loop
     * @param maxFrameLength the largest frame accepted from the server
     * @param initializer adds the caller's handlers
     * @param connected completed with the child channel once it is registered
     */
    KcpClientHandler(InetSocketAddress server, int conv, KcpSettings settings, KcpScheduler scheduler,
            int maxFrameLength, Consumer<Channel> initializer, CompletableFuture<Channel> connected) {
        this.server = server;
        this.conv = conv;
        this.settings = settings;
        this.scheduler = scheduler;
        this.maxFrameLength = maxFrameLength;
        this.initializer = initializer;
        this.connected = connected;
    }

    /**
     * Creates the handler for a datagram channel that will run on {@code loop}.
     *
     * @param server the server's address
     * @param conv the conversation id
     * @param settings the settings
     * @param loop the event loop the datagram channel is registered on
     * @param maxFrameLength the largest frame accepted from the server
     * @param initializer adds the caller's handlers
     * @param connected completed with the child channel once it is registered
     * @return the handler
     */
    public static KcpClientHandler create(InetSocketAddress server, int conv, KcpSettings settings,
            io.netty.channel.EventLoop loop, int maxFrameLength, Consumer<Channel> initializer,
            CompletableFuture<Channel> connected) {
        java.util.Objects.requireNonNull(server, "server");
        java.util.Objects.requireNonNull(settings, "settings");
        java.util.Objects.requireNonNull(initializer, "initializer");
        java.util.Objects.requireNonNull(connected, "connected");
        return new KcpClientHandler(server, conv, settings, KcpScheduler.of(loop), maxFrameLength, initializer,
                connected);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        session = new KcpSession(channel, channel.eventLoop(), this, server, conv, settings, child -> {
            child.pipeline().addLast(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    StreamFraming.install(ch.pipeline(), maxFrameLength);
                    initializer.accept(ch);
                }
            });
            channel.eventLoop().register(child).addListener(f -> {
                if (f.isSuccess()) {
                    connected.complete(child);
                } else {
                    connected.completeExceptionally(f.cause());
                    channel.close();
                }
            });
        }, true);
        session.start();
        scheduler.add(session);
        if (settings.smux() == KcpSettings.SMUX_OFF) {
            // Bare KCP has no handshake of its own: an empty data segment opens the conversation on the
            // server at once, so its handshake deadline runs from the connect, as over TCP. (With smux,
            // the stream's SYN does this.)
            session.kcp().sendEmptySegment();
            session.flushKcp();
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            ByteBuf data = packet.content();
            if (session == null || !server.equals(packet.sender())) {
                return;
            }
            if (settings.packetConfig() == null
                    && (data.readableBytes() < Kcp.OVERHEAD || KcpDatagrams.conv(data) != conv)) {
                return;
            }
            session.input(data);
        } finally {
            packet.release();
        }
    }

    @Override
    public void send(KcpSession s, ByteBuf datagram) {
        if (!channel.isActive()) {
            datagram.release();
            return;
        }
        if (!channel.isWritable()) {
            datagram.release();
            return;
        }
        channel.writeAndFlush(new DatagramPacket(datagram, server), channel.voidPromise());
    }

    @Override
    public void proven(KcpSession s) {
        // Only the server checks addresses.
    }

    @Override
    public void finished(KcpSession s) {
        channel.close();
    }

    @Override
    public void recordFailure(io.janus.api.Reason reason) {
        // A client has no failure counters; the datagram is dropped.
    }

    @Override
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed send (ICMP port unreachable while the server is down): the datagram is lost; KCP
        // retransmits, and the dead-link and idle timers end the session if the server stays away.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            session.abort();
        }
        connected.completeExceptionally(new java.io.IOException("KCP datagram channel closed"));
        super.channelInactive(ctx);
    }
}
