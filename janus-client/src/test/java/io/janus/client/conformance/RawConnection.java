package io.janus.client.conformance;

import io.janus.api.LoginRequest;
import io.janus.api.Packet;
import io.janus.api.SystemSeq;
import io.janus.core.crypto.TrafficCipher;
import io.janus.core.protocol.HandshakeError;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SecureClientHandler;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.ClientTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A connection through a transport's client side for tests that must break the protocol on purpose:
 * raw frames before any handshake, or, after a real handshake, packets, raw records and tampered
 * frames. Test code only; its queues hold what a test sends for, no more.
 */
public final class RawConnection implements AutoCloseable {

    private final Channel channel;
    private final BlockingQueue<Packet> packets;
    private final BlockingQueue<HandshakeError> refusals;
    private final FrameTap tap;

    private RawConnection(Channel channel, BlockingQueue<Packet> packets, BlockingQueue<HandshakeError> refusals,
            FrameTap tap) {
        this.channel = channel;
        this.packets = packets;
        this.refusals = refusals;
        this.tap = tap;
    }

    /** Sees, and can alter, every frame the connection sends after the handshake layer. */
    private static final class FrameTap extends ChannelDuplexHandler {
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        final List<ByteBuf> held = new CopyOnWriteArrayList<>();
        volatile UnaryOperator<ByteBuf> alterNext;
        volatile int hold;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf && hold > 0) {
                hold--;
                held.add((ByteBuf) msg);
                promise.setSuccess();
                return;
            }
            if (msg instanceof ByteBuf) {
                ByteBuf frame = (ByteBuf) msg;
                UnaryOperator<ByteBuf> alter = alterNext;
                if (alter != null) {
                    alterNext = null;
                    frame = alter.apply(frame);
                }
                sent.add(io.netty.buffer.ByteBufUtil.getBytes(frame));
                msg = frame;
            }
            ctx.write(msg, promise);
        }
    }

    /**
     * Connects without a handshake: the test speaks raw frames; HandshakeErrors are collected.
     *
     * @param transport the client transport
     * @param address the gateway
     * @param group event loops
     * @return the connection
     */
    public static RawConnection connect(ClientTransport transport, InetSocketAddress address, EventLoopGroup group) {
        BlockingQueue<HandshakeError> refusals = new LinkedBlockingQueue<>();
        FrameTap tap = new FrameTap();
        Channel ch = transport.connect(address, group, 16 * 1024 * 1024, c -> {
            c.pipeline().addLast(tap);
            c.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                    if (HandshakeError.is(frame)) {
                        refusals.add(HandshakeError.parse(frame));
                    }
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            });
        }).orTimeout(10, TimeUnit.SECONDS).join();
        return new RawConnection(ch, new LinkedBlockingQueue<>(), refusals, tap);
    }

    /**
     * Connects and completes a real handshake, trusting {@link TestKeys#ROOT}; nothing is sent after it.
     *
     * @param transport the client transport
     * @param address the gateway
     * @param group event loops
     * @return the connection
     */
    public static RawConnection connectSecure(ClientTransport transport, InetSocketAddress address,
            EventLoopGroup group) {
        return connectSecure(transport, address, group, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
    }

    /**
     * Connects and completes a real handshake, updating the sending key every {@code recordsPerKey}
     * records.
     *
     * @param transport the client transport
     * @param address the gateway
     * @param group event loops
     * @param recordsPerKey records per sending key
     * @return the connection
     */
    public static RawConnection connectSecure(ClientTransport transport, InetSocketAddress address,
            EventLoopGroup group, long recordsPerKey) {
        BlockingQueue<Packet> packets = new LinkedBlockingQueue<>();
        FrameTap tap = new FrameTap();
        SecureClientHandler secure = new SecureClientHandler(List.of(TestKeys.ROOT.publicKey()), Clock.systemUTC(),
                Duration.ofMinutes(5), true, 1024 * 1024, recordsPerKey);
        Channel ch = transport.connect(address, group, 16 * 1024 * 1024, c -> {
            c.pipeline().addLast(tap);
            c.pipeline().addLast(SecureClientHandler.name(), secure);
            c.pipeline().addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
            c.pipeline().addLast(new SimpleChannelInboundHandler<Packet>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, Packet packet) {
                    packets.add(packet);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            });
        }).orTimeout(10, TimeUnit.SECONDS).join();
        secure.handshakeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        tap.sent.clear();
        return new RawConnection(ch, packets, new LinkedBlockingQueue<>(), tap);
    }

    /** The channel. */
    public Channel channel() {
        return channel;
    }

    /**
     * Sends one frame as it is, below the handshake layer.
     *
     * @param frame the frame body; released by the pipeline
     */
    public void sendFrame(ByteBuf frame) {
        io.netty.channel.ChannelHandlerContext secure = channel.pipeline().context(SecureClientHandler.name());
        // Awaited, not synced: the gateway may already have closed on an earlier bad frame.
        if (secure != null) {
            secure.writeAndFlush(frame).awaitUninterruptibly();
        } else {
            channel.writeAndFlush(frame).awaitUninterruptibly();
        }
    }

    /**
     * Sends a packet: sealed in a record after a handshake, as a raw frame otherwise.
     *
     * @param packet the packet
     */
    public void send(Packet packet) {
        if (channel.pipeline().get(SecureClientHandler.name()) != null) {
            channel.writeAndFlush(packet).syncUninterruptibly();
        } else {
            sendFrame(PacketCodec.encode(channel.alloc(), packet));
        }
    }

    /**
     * Seals arbitrary plaintext in a packet record (after a handshake).
     *
     * @param plaintext the record plaintext; released by the pipeline
     */
    public void sendRecord(ByteBuf plaintext) {
        channel.writeAndFlush(plaintext).syncUninterruptibly();
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
     * Alters the next frame sent below the handshake layer.
     *
     * @param alter receives the frame, returns what to send (owning both)
     */
    public void alterNextFrame(UnaryOperator<ByteBuf> alter) {
        tap.alterNext = alter;
    }

    /**
     * Keeps the next frames instead of sending them; {@link #heldFrames()} hands them out.
     *
     * @param count how many frames to keep
     */
    public void holdNextFrames(int count) {
        tap.hold = count;
    }

    /** The frames kept by {@link #holdNextFrames}, in the order they were written; the caller owns them. */
    public List<ByteBuf> heldFrames() {
        return tap.held;
    }

    /** Copies of the frames sent since the handshake, in order. */
    public List<byte[]> sentFrames() {
        return tap.sent;
    }

    /**
     * Waits for the next packet (after a handshake).
     *
     * @param timeout how long
     * @return the packet, or {@code null} on timeout
     * @throws InterruptedException if interrupted
     */
    public Packet poll(Duration timeout) throws InterruptedException {
        return packets.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits for a HandshakeError (without a handshake).
     *
     * @param timeout how long
     * @return the error, or {@code null} on timeout
     * @throws InterruptedException if interrupted
     */
    public HandshakeError refusal(Duration timeout) throws InterruptedException {
        return refusals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        for (ByteBuf frame : tap.held) {
            io.netty.util.ReferenceCountUtil.safeRelease(frame);
        }
        tap.held.clear();
    }
}
