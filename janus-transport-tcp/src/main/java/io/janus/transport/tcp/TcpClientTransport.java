package io.janus.transport.tcp;

import io.janus.core.spi.ClientTransport;
import io.janus.core.transport.EventLoops;
import io.janus.core.transport.StreamFraming;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** The client side of the TCP transport: the same 4-byte length framing as {@link TcpTransport}. */
public final class TcpClientTransport implements ClientTransport {

    private final int connectTimeoutMillis;

    /**
     * Creates a client transport.
     *
     * @param connectTimeoutMillis how long a connection attempt may take
     */
    public TcpClientTransport(int connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    public String name() {
        return TcpTransport.NAME;
    }

    @Override
    public CompletableFuture<Channel> connect(InetSocketAddress address, io.netty.channel.EventLoopGroup group,
            int maxFrameLength, Consumer<Channel> initializer) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(EventLoops.socketChannel(group))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        StreamFraming.install(ch.pipeline(), maxFrameLength);
                        initializer.accept(ch);
                    }
                });
        CompletableFuture<Channel> connected = new CompletableFuture<>();
        bootstrap.connect(address).addListener(f -> {
            if (f.isSuccess()) {
                connected.complete(((ChannelFuture) f).channel());
            } else {
                connected.completeExceptionally(f.cause());
            }
        });
        return connected;
    }
}
