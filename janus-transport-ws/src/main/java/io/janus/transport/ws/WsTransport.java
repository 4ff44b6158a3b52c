package io.janus.transport.ws;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportContext;
import io.janus.core.transport.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The WebSocket transport (RFC 6455) for browser clients: an HTTP/1.1 server whose upgrade path
 * (default {@code /janus}) turns into a WebSocket; each binary message carries exactly one Janus frame
 * body, without a length prefix. Optional TLS (wss), optional permessage-deflate (RFC 7692, off by
 * default since the session protocol compresses already), an Origin allowlist, and optional static
 * files for other paths (a demo page).
 *
 * <p>One connection goes through these steps:
 * <ol>
 *   <li>HTTP: {@code HttpServerCodec} with a request line of at most {@value #MAX_INITIAL_LINE} bytes and
 *       headers of at most {@value #MAX_HEADER_SIZE}, a body of at most {@value #MAX_HTTP_BODY} bytes;
 *       at most {@code maxPendingUpgrades} connections of the transport may be in this phase at once,
 *       each for at most the upgrade timeout. Refusals are HTTP errors counted with a reason code
 *       ({@code WS_*} in {@code janus.v1.Reason}); see {@link WsHttpHandler}.</li>
 *   <li>The upgrade (RFC 6455 section 4.2.2), then {@link TransportContext#initSession} on a pipeline
 *       of whole frames; from then on the gateway's connection limits, login deadline and session idle
 *       timeout apply.</li>
 *   <li>WebSocket frames, see {@link WsFrameCodec}: a message over the gateway's maxFrameLength
 *       closes with 1009 and {@code FRAME_TOO_LARGE}, a text message with 1003, a framing error with
 *       1002; pings are answered; the transport pings every {@code pingInterval} and closes with 1001
 *       ({@code WS_IDLE_TIMEOUT}) when no frame at all arrives for {@code idleTimeout}.</li>
 * </ol>
 *
 * <p>Two idle timeouts: this transport's ({@code idleTimeout}, default 45 s) counts every WebSocket
 * frame, pongs included, so it only catches peers that are gone (a network that dropped, a frozen tab);
 * the gateway's session idle timeout ({@code SessionOptions.idleTimeout}) counts only Janus frames and
 * so requires the client's heartbeats. Pongs never keep a silent session alive, and the transport
 * never closes a session that sends heartbeats. Keep {@code idleTimeout} at least the session's
 * timeout and {@code pingInterval} well under both.
 *
 * <p>Built by hand with {@link #builder()}, or found by name {@code ws} through
 * {@link WsTransportProvider}.
 */
public final class WsTransport implements Transport {

    /** The provider name. */
    public static final String NAME = "ws";
    /** The default WebSocket path. */
    public static final String DEFAULT_PATH = "/janus";

    /** Longest HTTP request line accepted; a longer one is answered 414. */
    static final int MAX_INITIAL_LINE = 4096;
    /** Most bytes of HTTP headers accepted; more are answered 431. */
    static final int MAX_HEADER_SIZE = 8192;
    /** Largest HTTP request body accepted; a larger one is answered 413. */
    static final int MAX_HTTP_BODY = 8192;

    private final InetSocketAddress address;
    private final int backlog;
    private final String path;
    private final String allowedOrigins;
    private final boolean requireOrigin;
    private final Duration pingInterval;
    private final Duration idleTimeout;
    private final Duration upgradeTimeout;
    private final int maxPendingUpgrades;
    private final Path tlsCertificate;
    private final Path tlsPrivateKey;
    private final boolean compression;
    private final String staticResources;
    private final int staticMaxBytes;
    private final AtomicInteger pendingUpgrades = new AtomicInteger();
    private volatile Channel serverChannel;
    private volatile StaticResources files;

    private WsTransport(Builder b) {
        this.address = b.address;
        this.backlog = b.backlog;
        this.path = b.path;
        this.allowedOrigins = b.allowedOrigins;
        this.requireOrigin = b.requireOrigin;
        this.pingInterval = b.pingInterval;
        this.idleTimeout = b.idleTimeout;
        this.upgradeTimeout = b.upgradeTimeout;
        this.maxPendingUpgrades = b.maxPendingUpgrades;
        this.tlsCertificate = b.tlsCertificate;
        this.tlsPrivateKey = b.tlsPrivateKey;
        this.compression = b.compression;
        this.staticResources = b.staticResources;
        this.staticMaxBytes = b.staticMaxBytes;
        // Checked here so a bad allowlist fails when the gateway is built, not at the first request.
        OriginPolicy.parse(allowedOrigins, requireOrigin);
    }

    /**
     * Starts building a WebSocket transport.
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

    /** The WebSocket path, for example {@code /janus}. */
    public String path() {
        return path;
    }

    /** Whether the transport serves wss (TLS). */
    public boolean isTls() {
        return tlsCertificate != null;
    }

    @Override
    public synchronized CompletableFuture<InetSocketAddress> start(TransportContext context) {
        requireNonNull(context, "context");
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        SslContext ssl;
        try {
            ssl = tlsCertificate == null ? null
                    : SslContextBuilder.forServer(tlsCertificate.toFile(), tlsPrivateKey.toFile()).build();
        } catch (Exception | Error e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("ws transport: cannot load TLS "
                    + "certificate " + tlsCertificate + " and private key " + tlsPrivateKey + ": " + e, e));
        }
        StaticResources staticFiles = staticResources == null ? null
                : new StaticResources(staticResources, classLoader(), staticMaxBytes);
        files = staticFiles;
        int maxFrameLength = context.maxFrameLength();
        WsServerSettings settings = new WsServerSettings(path, maxFrameLength, pingInterval.toMillis(),
                idleTimeout.toMillis(), upgradeTimeout.toMillis(), OriginPolicy.parse(allowedOrigins, requireOrigin),
                staticFiles, compression);
        String url = (ssl != null ? "wss" : "ws") + "://localhost" + path;
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
                        if (pendingUpgrades.incrementAndGet() > maxPendingUpgrades) {
                            pendingUpgrades.decrementAndGet();
                            settings.recordFailure(context, Reason.CONNECTION_LIMIT, ch.remoteAddress(),
                                    "more than " + maxPendingUpgrades + " connections waiting for their upgrade");
                            ch.close();
                            return;
                        }
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_HEADER_SIZE));
                        p.addLast("http-aggregator", new BoundedHttpAggregator(MAX_HTTP_BODY, settings, context));
                        if (compression) {
                            p.addLast("ws-compression", new WebSocketServerCompressionHandler(WsFrameCodec.inflateLimit(maxFrameLength)));
                        }
                        p.addLast("ws-upgrade", new WsHttpHandler(settings, context, url, pendingUpgrades));
                    }
                });
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        bootstrap.bind(address).addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = ((ChannelFuture) f).channel();
                serverChannel = ch;
                bound.complete((InetSocketAddress) ch.localAddress());
            } else {
                if (staticFiles != null) {
                    staticFiles.close();
                }
                bound.completeExceptionally(f.cause());
            }
        });
        return bound;
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : WsTransport.class.getClassLoader();
    }

    /** Connections accepted and not yet upgraded (or refused). */
    int pendingUpgrades() {
        return pendingUpgrades.get();
    }

    @Override
    public CompletableFuture<Void> stop() {
        Channel ch = serverChannel;
        StaticResources staticFiles = files;
        if (staticFiles != null) {
            staticFiles.close();
        }
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
        return "WsTransport{" + (isTls() ? "wss://" : "ws://") + (ch != null ? ch.localAddress() : address) + path
                + "}";
    }

    /** Builds a {@link WsTransport}. Not thread-safe. */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress(0);
        private int backlog = 1024;
        private String path = DEFAULT_PATH;
        private String allowedOrigins;
        private boolean requireOrigin;
        private Duration pingInterval = Duration.ofSeconds(15);
        private Duration idleTimeout = Duration.ofSeconds(45);
        private Duration upgradeTimeout = Duration.ofSeconds(10);
        private int maxPendingUpgrades = 1024;
        private Path tlsCertificate;
        private Path tlsPrivateKey;
        private boolean compression;
        private String staticResources;
        private int staticMaxBytes = 1024 * 1024;

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
         * Sets the path of the WebSocket upgrade.
         *
         * @param path an absolute path such as {@code /janus} (the default)
         * @return this builder
         */
        public Builder path(String path) {
            requireNonNull(path, "path");
            if (!path.startsWith("/") || path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
                throw new IllegalArgumentException("path: '" + path + "' (expected: an absolute path such as /janus)");
            }
            this.path = path;
            return this;
        }

        /**
         * Limits the browser origins that may connect.
         *
         * @param allowedOrigins comma-separated exact origins ({@code https://game.example.com}) and
         *        wildcards ({@code https://*.example.com}); {@code null} or empty allows every origin
         * @return this builder
         * @throws IllegalArgumentException naming an entry that is not an origin
         */
        public Builder allowedOrigins(String allowedOrigins) {
            OriginPolicy.parse(allowedOrigins, false);
            this.allowedOrigins = allowedOrigins;
            return this;
        }

        /**
         * Whether a request without an Origin header is refused when an allowlist is set (default
         * false: programs that are not browsers send none, and could send any).
         *
         * @param requireOrigin whether to refuse requests without Origin
         * @return this builder
         */
        public Builder requireOrigin(boolean requireOrigin) {
            this.requireOrigin = requireOrigin;
            return this;
        }

        /**
         * How often the transport pings each client.
         *
         * @param interval positive (default 15 s)
         * @return this builder
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = positive("pingInterval", interval);
            return this;
        }

        /**
         * How long a connection may show no WebSocket frame at all (pongs count) before it is closed
         * with 1001 and {@code WS_IDLE_TIMEOUT}.
         *
         * @param timeout positive (default 45 s)
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", timeout);
            return this;
        }

        /**
         * How long a connection may take from accept to a complete WebSocket upgrade (TLS handshake
         * included), after which it is answered 408 with {@code WS_UPGRADE_TIMEOUT}.
         *
         * @param timeout positive (default 10 s)
         * @return this builder
         */
        public Builder upgradeTimeout(Duration timeout) {
            this.upgradeTimeout = positive("upgradeTimeout", timeout);
            return this;
        }

        /**
         * How many connections may be waiting for their upgrade at once; more are closed at accept
         * and counted as {@code CONNECTION_LIMIT}.
         *
         * @param max at least 1 (default 1024)
         * @return this builder
         */
        public Builder maxPendingUpgrades(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingUpgrades: " + max + " (expected: >= 1)");
            }
            this.maxPendingUpgrades = max;
            return this;
        }

        /**
         * Serves wss: TLS with a certificate chain and its private key, both PEM files (the key
         * unencrypted PKCS#8).
         *
         * @param certificate the certificate chain
         * @param privateKey the private key
         * @return this builder
         */
        public Builder tls(Path certificate, Path privateKey) {
            this.tlsCertificate = requireNonNull(certificate, "certificate");
            this.tlsPrivateKey = requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * Turns permessage-deflate (RFC 7692) on or off; off by default, since the session protocol
         * compresses large bodies already. Inflated messages are bounded by maxFrameLength.
         *
         * @param compression whether to accept the extension
         * @return this builder
         */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        /**
         * Serves GET and HEAD requests for other paths from the class path.
         *
         * @param classpathPrefix for example {@code janus-demo/web}; {@code null} serves nothing (404)
         * @return this builder
         */
        public Builder staticResources(String classpathPrefix) {
            this.staticResources = classpathPrefix;
            return this;
        }

        /**
         * The largest static file served.
         *
         * @param maxBytes at least 1 (default 1 MiB)
         * @return this builder
         */
        public Builder staticMaxBytes(int maxBytes) {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("staticMaxBytes: " + maxBytes + " (expected: >= 1)");
            }
            this.staticMaxBytes = maxBytes;
            return this;
        }

        private static Duration positive(String name, Duration d) {
            requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }

        /**
         * Builds the transport.
         *
         * @return a transport, not started
         */
        public WsTransport build() {
            return new WsTransport(this);
        }
    }
}
