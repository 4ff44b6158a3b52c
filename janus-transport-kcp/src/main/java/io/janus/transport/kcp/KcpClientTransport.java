package io.janus.transport.kcp;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.ClientTransport;
import io.janus.core.transport.EventLoops;
import io.janus.transport.kcp.internal.KcpClientHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client side of the KCP transport ({@link KcpTransport}): each connection is one KCP conversation
 * with a random conv on its own UDP socket, shown to the caller as a channel of whole frames (the 4-byte
 * length framing over the KCP byte stream). The engines of all connections on one event loop share one
 * periodic task. Settings: {@link KcpSettings#clientBuilder()}.
 */
public final class KcpClientTransport implements ClientTransport {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KcpSettings settings;

    /**
     * Creates a client transport.
     *
     * @param settings the settings, usually from {@link KcpSettings#clientBuilder()}
     */
    public KcpClientTransport(KcpSettings settings) {
        this.settings = requireNonNull(settings, "settings");
    }

    /** Creates a client transport with kcptun's client defaults. */
    public KcpClientTransport() {
        this(KcpSettings.clientBuilder().build());
    }

    @Override
    public String name() {
        return KcpTransport.NAME;
    }

    /** The settings. */
    public KcpSettings settings() {
        return settings;
    }

    @Override
    public CompletableFuture<Channel> connect(InetSocketAddress address, EventLoopGroup group, int maxFrameLength,
            Consumer<Channel> initializer) {
        requireNonNull(address, "address");
        requireNonNull(group, "group");
        requireNonNull(initializer, "initializer");
        CompletableFuture<Channel> connected = new CompletableFuture<>();
        EventLoop loop = group.next();
        int conv = RANDOM.nextInt();
        KcpClientHandler handler = KcpClientHandler.create(address, conv, settings, loop,
                maxFrameLength, initializer, connected);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(EventLoops.datagramChannel(group))
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, settings.mtu())))
                .handler(handler);
        InetSocketAddress local = new InetSocketAddress(address.getAddress().isLoopbackAddress()
                ? address.getAddress() : null, 0);
        bootstrap.bind(local).addListener(f -> {
            if (!f.isSuccess()) {
                connected.completeExceptionally(f.cause());
            }
        });
        return connected;
    }

    @Override
    public String toString() {
        return "KcpClientTransport{" + settings + "}";
    }
}
