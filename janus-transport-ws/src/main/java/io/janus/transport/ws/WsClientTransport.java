package io.janus.transport.ws;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.ClientTransport;
import io.janus.core.transport.EventLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The client side of the WebSocket transport: connects to {@code ws://host:port/path} (or
 * {@code wss://} with TLS), upgrades (RFC 6455 section 4.1), and gives the caller a channel whose
 * messages are whole Janus frames, one binary WebSocket message each, as {@link WsTransport} expects.
 * Frames the client sends are masked (section 5.3); a message from the gateway over maxFrameLength is
 * refused as on the server.
 *
 * <p>{@link ClientTransport#connect} takes only an address, so everything else is set here: on
 * {@link #builder()}, or through {@link WsClientTransportProvider}'s properties ({@code path},
 * {@code tls}, {@code trustCertificate}, {@code origin}, {@code compression},
 * {@code connectTimeoutMillis}). Defaults: path {@code /janus}, no TLS, no Origin header, no
 * compression, 10 s to connect and upgrade. Thread-safe and reusable for many connections.
 */
public final class WsClientTransport implements ClientTransport {

    /** Name of the frame codec in the client pipeline. */
    static final String FRAMES = "ws-frames";

    private final String path;
    private final SslContext ssl;
    private final String origin;
    private final boolean compression;
    private final int connectTimeoutMillis;

    private WsClientTransport(Builder b) throws SSLException {
        this.path = b.path;
        this.origin = b.origin;
        this.compression = b.compression;
        this.connectTimeoutMillis = b.connectTimeoutMillis;
        if (b.sslContext != null) {
            this.ssl = b.sslContext;
        } else if (b.tls) {
            SslContextBuilder ssl = SslContextBuilder.forClient();
            if (b.trustCertificate != null) {
                ssl.trustManager(b.trustCertificate.toFile());
            }
            this.ssl = ssl.build();
        } else {
            this.ssl = null;
        }
    }

    /**
     * Starts building a client transport.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return WsTransport.NAME;
    }

    /**
     * The URI this transport connects to for an address.
     *
     * @param address the gateway's address
     * @return for example {@code ws://127.0.0.1:7001/janus}
     */
    public URI uri(InetSocketAddress address) {
        requireNonNull(address, "address");
        String host = address.getHostString();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return URI.create((ssl != null ? "wss://" : "ws://") + host + ":" + address.getPort() + path);
    }

    @Override
    public CompletableFuture<Channel> connect(InetSocketAddress address, EventLoopGroup group, int maxFrameLength,
            Consumer<Channel> initializer) {
        requireNonNull(address, "address");
        requireNonNull(group, "group");
        requireNonNull(initializer, "initializer");
        HttpHeaders headers = new DefaultHttpHeaders();
        if (origin != null) {
            headers.set(HttpHeaderNames.ORIGIN, origin);
        }
        // Masking on, mask mismatch not allowed; absolute upgrade URI off (a path, as browsers send).
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri(address),
                WebSocketVersion.V13, null, compression, headers, maxFrameLength, true, false);
        CompletableFuture<Channel> connected = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(EventLoops.socketChannel(group))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
                        }
                        p.addLast("http", new HttpClientCodec(4096, 8192, 8192));
                        p.addLast("http-aggregator", new HttpObjectAggregator(8192));
                        if (compression) {
                            p.addLast("ws-compression", new WebSocketClientCompressionHandler(WsFrameCodec.inflateLimit(maxFrameLength)));
                        }
                        p.addLast("ws-handshake", new WsClientHandshakeHandler(handshaker, connected,
                                connectTimeoutMillis));
                        p.addLast(FRAMES, new WsFrameCodec(maxFrameLength, 0, 0));
                        initializer.accept(ch);
                    }
                });
        bootstrap.connect(address).addListener(f -> {
            if (!f.isSuccess()) {
                connected.completeExceptionally(f.cause());
            }
        });
        return connected;
    }

    @Override
    public String toString() {
        return "WsClientTransport{" + (ssl != null ? "wss" : "ws") + ", path=" + path + "}";
    }

    /** Builds a {@link WsClientTransport}. Not thread-safe. */
    public static final class Builder {
        private String path = WsTransport.DEFAULT_PATH;
        private boolean tls;
        private Path trustCertificate;
        private SslContext sslContext;
        private String origin;
        private boolean compression;
        private int connectTimeoutMillis = 10_000;

        private Builder() {
        }

        /**
         * Sets the WebSocket path.
         *
         * @param path an absolute path (default {@code /janus})
         * @return this builder
         */
        public Builder path(String path) {
            requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path: '" + path + "' (expected: an absolute path such as /janus)");
            }
            this.path = path;
            return this;
        }

        /**
         * Connects with TLS (wss), trusting the JDK's default certificate authorities unless
         * {@link #trustCertificate} says otherwise.
         *
         * @param tls whether to use TLS
         * @return this builder
         */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Connects with TLS, trusting only the certificates in a PEM file (a test gateway's
         * self-signed certificate, a private authority).
         *
         * @param pemFile the trusted certificates
         * @return this builder
         */
        public Builder trustCertificate(Path pemFile) {
            this.trustCertificate = requireNonNull(pemFile, "pemFile");
            this.tls = true;
            return this;
        }

        /**
         * Connects with TLS as configured by a client {@link SslContext}; overrides {@link #tls} and
         * {@link #trustCertificate}.
         *
         * @param sslContext a client context
         * @return this builder
         */
        public Builder sslContext(SslContext sslContext) {
            requireNonNull(sslContext, "sslContext");
            if (!sslContext.isClient()) {
                throw new IllegalArgumentException("sslContext: a server context (expected: a client context)");
            }
            this.sslContext = sslContext;
            return this;
        }

        /**
         * Sends an Origin header, as a browser page on that origin would.
         *
         * @param origin for example {@code https://game.example.com}; {@code null} sends none (default)
         * @return this builder
         */
        public Builder origin(String origin) {
            this.origin = origin;
            return this;
        }

        /**
         * Offers permessage-deflate (RFC 7692); off by default.
         *
         * @param compression whether to offer it
         * @return this builder
         */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        /**
         * Bounds the TCP connect and, separately, the TLS handshake plus WebSocket upgrade.
         *
         * @param millis positive (default 10,000)
         * @return this builder
         */
        public Builder connectTimeoutMillis(int millis) {
            if (millis < 1) {
                throw new IllegalArgumentException("connectTimeoutMillis: " + millis + " (expected: > 0)");
            }
            this.connectTimeoutMillis = millis;
            return this;
        }

        /**
         * Builds the client transport.
         *
         * @return the client transport
         * @throws IllegalArgumentException when the trusted certificates cannot be read
         */
        public WsClientTransport build() {
            try {
                return new WsClientTransport(this);
            } catch (SSLException | RuntimeException e) {
                throw new IllegalArgumentException("ws client transport: cannot set up TLS"
                        + (trustCertificate != null ? " trusting " + trustCertificate : "") + ": " + e, e);
            }
        }
    }
}
