package io.janus.client.conformance;

import io.janus.api.LoginRequest;
import io.janus.api.Packet;
import io.janus.api.SystemSeq;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.ClientTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A connection through a transport's client side that speaks raw frames, for tests that must break the
 * protocol on purpose. Received frames are decoded into packets when they parse. Test code only.
 */
public final class RawConnection implements AutoCloseable {

    private final Channel channel;
    private final BlockingQueue<Packet> received;

    private RawConnection(Channel channel, BlockingQueue<Packet> received) {
        this.channel = channel;
        this.received = received;
    }

    /**
     * Connects.
     *
     * @param transport the client transport
     * @param address the gateway
     * @param group event loops
     * @return the connection
     */
    public static RawConnection connect(ClientTransport transport, InetSocketAddress address, EventLoopGroup group) {
        BlockingQueue<Packet> received = new LinkedBlockingQueue<>();
        Channel ch = transport.connect(address, group, 16 * 1024 * 1024, c -> c.pipeline().addLast(
                new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                        received.add(PacketCodec.decode(frame));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                })).orTimeout(10, TimeUnit.SECONDS).join();
        return new RawConnection(ch, received);
    }

    /** The channel. */
    public Channel channel() {
        return channel;
    }

    /**
     * Sends one frame body as it is.
     *
     * @param body the body; released by the pipeline
     */
    public void sendFrame(ByteBuf body) {
        channel.writeAndFlush(body).syncUninterruptibly();
    }

    /**
     * Sends a packet.
     *
     * @param packet the packet
     */
    public void send(Packet packet) {
        sendFrame(PacketCodec.encode(channel.alloc(), packet));
    }

    /**
     * Sends a login request with index 1.
     *
     * @param token the token
     */
    public void login(String token) {
        send(SystemPackets.packet(SystemSeq.LOGIN, 1, LoginRequest.newBuilder().setToken(token).build()));
    }

    /**
     * Waits for the next packet.
     *
     * @param timeout how long
     * @return the packet, or {@code null} on timeout
     * @throws InterruptedException if interrupted
     */
    public Packet poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits for the connection to close.
     *
     * @param timeout how long
     * @return whether it closed in time
     */
    public boolean awaitClosed(Duration timeout) {
        return channel.closeFuture().awaitUninterruptibly(timeout.toMillis());
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
