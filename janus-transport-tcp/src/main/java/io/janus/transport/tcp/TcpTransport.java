package io.janus.transport.tcp;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportContext;
import io.janus.core.transport.EventLoops;
import io.janus.core.transport.StreamFraming;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The TCP transport: frames are a 4-byte big-endian length and a body. Native epoll when available,
 * NIO otherwise (whichever the gateway's event loops use); {@code TCP_NODELAY} on, since game messages
 * are small and latency-bound; flushes consolidated so a burst of small writes shares one syscall.
 * Connection limits per IP and in total are applied by the gateway's session pipeline.
 *
 * <p>Built by hand with {@link #builder()}, or found by name {@code tcp} through
 * {@link TcpTransportProvider}.
 */
public final class TcpTransport implements Transport {

    /** The provider name. */
    public static final String NAME = "tcp";

    private final InetSocketAddress address;
    private final int backlog;
    private volatile Channel serverChannel;

    private TcpTransport(Builder b) {
        this.address = b.address;
        this.backlog = b.backlog;
    }

    /**
     * Starts building a TCP transport.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized CompletableFuture<InetSocketAddress> start(TransportContext context) {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        int maxFrameLength = context.maxFrameLength();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(context.bossGroup(), context.workerGroup())
                .channel(EventLoops.serverSocketChannel(context.bossGroup()))
                .option(ChannelOption.SO_BACKLOG, backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        StreamFraming.install(ch.pipeline(), maxFrameLength);
                        context.initSession(ch);
                    }
                });
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        bootstrap.bind(address).addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                serverChannel = ch;
                bound.complete((InetSocketAddress) ch.localAddress());
            } else {
                bound.completeExceptionally(f.cause());
            }
        });
        return bound;
    }

    @Override
    public CompletableFuture<Void> stop() {
        Channel ch = serverChannel;
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        if (ch == null) {
            stopped.complete(null);
            return stopped;
        }
        ch.close().addListener(f -> stopped.complete(null));
        return stopped;
    }

    @Override
    public String toString() {
        Channel ch = serverChannel;
        return "TcpTransport{" + (ch != null ? ch.localAddress() : address) + "}";
    }

    /** Builds a {@link TcpTransport}. Not thread-safe. */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress(0);
        private int backlog = 1024;

        private Builder() {
        }

        /**
         * Listens on all interfaces.
         *
         * @param port the port; 0 picks a free one
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
            }
            this.address = new InetSocketAddress(port);
            return this;
        }

        /**
         * Listens on one address.
         *
         * @param address the address
         * @return this builder
         */
        public Builder address(InetSocketAddress address) {
            this.address = requireNonNull(address, "address");
            return this;
        }

        /**
         * Sets the accept backlog.
         *
         * @param backlog at least 1 (default 1024)
         * @return this builder
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog: " + backlog + " (expected: >= 1)");
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * Builds the transport.
         *
         * @return a transport, not started
         */
        public TcpTransport build() {
            return new TcpTransport(this);
        }
    }
}
