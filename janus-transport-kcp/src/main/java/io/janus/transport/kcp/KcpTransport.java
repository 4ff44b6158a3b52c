package io.janus.transport.kcp;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportContext;
import io.janus.core.transport.EventLoops;
import io.janus.transport.kcp.internal.KcpServerHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The KCP transport: a reliable, ordered byte stream over UDP (skywind3000/kcp, wire-compatible with
 * xtaci/kcp-go v5 with a nil block cipher and no FEC), carrying the same 4-byte length-prefixed frames as
 * TCP. One UDP socket on one event loop of the gateway's worker group; each KCP conversation, identified
 * by (remote address, conv), becomes a child {@link Channel} of bytes on that loop with
 * {@link io.janus.core.transport.StreamFraming} and the gateway's session pipeline. All engines of the
 * socket are driven by one periodic task with a priority queue of their next update times.
 *
 * <p>Protections: garbage datagrams are dropped without a reply and counted
 * ({@code KCP_MALFORMED_SEGMENT}, {@code KCP_UNKNOWN_COMMAND}, {@code KCP_CONV_MISMATCH}); sessions are
 * capped in total and while half-open ({@code KCP_SESSION_LIMIT}); until a client has proven its address
 * (a record of it arrived after the server hello), the gateway sends it at most as many bytes as it
 * received from it, so a spoofed source cannot use the gateway as an amplifier (the Janus client pads its
 * first datagrams so that the server hello fits; kcp-go clients, which do not pad, are held to the same
 * bound by holding back bare acknowledgements until their retransmissions have paid for the server
 * hello: docs/security.md); a dead link or an idle timeout closes the session with
 * {@code KCP_DEAD_LINK} or {@code KCP_IDLE_TIMEOUT}. Settings: {@link KcpSettings}.
 *
 * <p>Built with {@link #builder()} or found by name {@code kcp} through {@link KcpTransportProvider}.
 */
public final class KcpTransport implements Transport {

    /** The provider name. */
    public static final String NAME = "kcp";

    private final InetSocketAddress address;
    private final KcpSettings settings;
    private volatile Channel channel;
    private volatile KcpServerHandler handler;

    private KcpTransport(Builder b) {
        this.address = b.address;
        this.settings = b.settings;
    }

    /**
     * Starts building a KCP transport.
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

    /** The settings. */
    public KcpSettings settings() {
        return settings;
    }

    /** Open KCP sessions, 0 before start. */
    public int sessionCount() {
        KcpServerHandler h = handler;
        return h == null ? 0 : h.sessionCount();
    }

    /** Datagrams dropped by the anti-amplification rule so far. */
    public long amplificationDrops() {
        KcpServerHandler h = handler;
        return h == null ? 0 : h.amplificationDrops();
    }

    @Override
    public synchronized CompletableFuture<InetSocketAddress> start(TransportContext context) {
        requireNonNull(context, "context");
        if (channel != null) {
            throw new IllegalStateException("already started");
        }
        KcpServerHandler h = new KcpServerHandler(context, settings);
        Bootstrap bootstrap = new Bootstrap()
                // A worker loop, not a boss loop: the sessions live on the socket's loop (game handlers
                // that do not block run there), and writing datagrams from it is never a hop to
                // another thread that a shutdown could overtake.
                .group(context.workerGroup())
                .channel(EventLoops.datagramChannel(context.workerGroup()))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, settings.mtu())))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(h);
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        bootstrap.bind(address).addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = ((ChannelFuture) f).channel();
                channel = ch;
                handler = h;
                bound.complete((InetSocketAddress) ch.localAddress());
            } else {
                bound.completeExceptionally(f.cause());
            }
        });
        return bound;
    }

    /**
     * Stops opening sessions. The socket stays open for the sessions that are still open, so the
     * gateway can still kick them, and closes when the last one ended.
     */
    @Override
    public CompletableFuture<Void> stop() {
        Channel ch = channel;
        KcpServerHandler h = handler;
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        if (ch == null) {
            stopped.complete(null);
            return stopped;
        }
        ch.eventLoop().execute(() -> {
            h.stopAccepting();
            stopped.complete(null);
        });
        return stopped;
    }

    @Override
    public String toString() {
        Channel ch = channel;
        return "KcpTransport{" + (ch != null ? ch.localAddress() : address) + ", " + settings + "}";
    }

    /** Builds a {@link KcpTransport}. Not thread-safe. */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress(0);
        private KcpSettings settings = KcpSettings.builder().build();

        private Builder() {
        }

        /**
         * Listens on one address.
         *
         * @param address the address; port 0 picks a free one
         * @return this builder
         */
        public Builder address(InetSocketAddress address) {
            this.address = requireNonNull(address, "address");
            return this;
        }

        /**
         * Sets the KCP settings.
         *
         * @param settings the settings
         * @return this builder
         */
        public Builder settings(KcpSettings settings) {
            this.settings = requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Builds the transport.
         *
         * @return a transport, not started
         */
        public KcpTransport build() {
            return new KcpTransport(this);
        }
    }
}
