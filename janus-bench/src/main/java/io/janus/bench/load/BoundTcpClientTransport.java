package io.janus.bench.load;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.ClientTransport;
import io.janus.core.transport.EventLoops;
import io.janus.core.transport.StreamFraming;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The TCP client transport of {@code janus-transport-tcp} (same framing, same options), but binding each
 * connection to the next of several loopback source addresses before connecting, for runs with more
 * connections than one address has ephemeral ports. Also used for raw connections to the ceiling.
 */
final class BoundTcpClientTransport implements ClientTransport {

    private final SourceAddresses sources;

    BoundTcpClientTransport(SourceAddresses sources) {
        this.sources = requireNonNull(sources, "sources");
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public CompletableFuture<Channel> connect(InetSocketAddress address, EventLoopGroup group, int maxFrameLength,
            Consumer<Channel> initializer) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(EventLoops.socketChannel(group))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        StreamFraming.install(ch.pipeline(), maxFrameLength);
                        initializer.accept(ch);
                    }
                });
        InetSocketAddress local = sources.next();
        ChannelFuture f = local == null ? bootstrap.connect(address) : bootstrap.connect(address, local);
        CompletableFuture<Channel> connected = new CompletableFuture<>();
        f.addListener(done -> {
            if (done.isSuccess()) {
                connected.complete(f.channel());
            } else {
                connected.completeExceptionally(done.cause());
            }
        });
        return connected;
    }
}
