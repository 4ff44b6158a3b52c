package io.janus.core.admin;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.Gateway;
import io.janus.core.GatewayStats;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.session.Session;
import io.janus.core.transport.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's admin endpoint of one {@link Gateway}: HTTP/1.1 on a port of its own, bound to
 * 127.0.0.1 unless {@link AdminOptions} say otherwise. Started and stopped with the gateway when given
 * to {@link Gateway.Builder#admin(AdminOptions)}; its address is {@link Gateway#adminAddress()}.
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>request</th><th>answer</th></tr>
 * <tr><td>{@code GET /health}</td><td>200 {@code {"status":"alive",...}} while the process serves</td></tr>
 * <tr><td>{@code GET /ready}</td><td>200 when {@link Gateway#isReady()}, 503 otherwise (starting,
 *     draining, stopping, or a service of the route table without an instance); the body names the
 *     state and the unavailable services</td></tr>
 * <tr><td>{@code GET /stats/connections}</td><td>200, JSON: sessions (in total, logged-in players, per
 *     transport), connections accepted, handshakes (total and per second over the last
 *     {@value GatewayStats#RATE_WINDOW_SECONDS} s; a handshake counts when the gateway has sent its
 *     signed ServerHello and derived the session keys), logins, requests, and failures by reason
 *     ({@code connections}: sessions and connections closed or refused, except {@code OK};
 *     {@code requests}: requests answered with an error)</td></tr>
 * <tr><td>{@code GET /metrics}</td><td>200, the Prometheus text format 0.0.4</td></tr>
 * <tr><td>{@code POST /drain[?reconnectAddress=host:port]}</td><td>bearer token; 202, then
 *     {@link Gateway#drain(String)}; 409 when the gateway is already stopping</td></tr>
 * <tr><td>{@code POST /sessions/{playerId}/kick[?message=...]}</td><td>bearer token; 200 after a kick
 *     with {@link Reason#KICKED}; 404 when the player has no session here</td></tr>
 * </table>
 *
 * <p>The mutating endpoints need {@code Authorization: Bearer <token>} with the configured token,
 * compared in constant time: 401 without credentials, 403 with a wrong token, 403 for every request when
 * no token is configured. Other paths answer 404, other methods 405. Every answer carries
 * {@code Connection: close} and the connection closes after it. Request bodies are ignored and limited
 * to {@value #MAX_CONTENT_LENGTH} bytes (larger: 413); at most {@value #MAX_CONNECTIONS} connections
 * at once, each closed after {@value #READ_TIMEOUT_SECONDS} s without a complete request.
 *
 * <p>Runs on the event loop group it is given (the gateway's boss group), which it never shuts down.
 * Nothing it does blocks: a drain or a kick is started, not awaited. Thread-safe.
 */
public final class AdminServer {

    /** The largest request body accepted, in bytes. */
    public static final int MAX_CONTENT_LENGTH = 64 * 1024;
    /** The most admin connections open at once. */
    public static final int MAX_CONNECTIONS = 64;
    /** A connection without a complete request for this long is closed. */
    public static final int READ_TIMEOUT_SECONDS = 10;

    private static final Logger logger = LoggerFactory.getLogger(AdminServer.class);
    private static final RateLimitedLog refusals = new RateLimitedLog(logger, 5);
    private static final int MAX_MESSAGE_LENGTH = 256;
    /** Set on a connection once its one request is answered; requests pipelined behind it are dropped. */
    private static final AttributeKey<Boolean> ANSWERED = AttributeKey.valueOf("janus.admin.answered");

    private final Gateway gateway;
    private final AdminOptions options;
    private final EventLoopGroup group;
    private final byte[] tokenDigest;
    private final ChannelGroup connections;
    private final Handler handler = new Handler();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<InetSocketAddress> startFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> stopFuture = new CompletableFuture<>();
    private volatile Channel serverChannel;

    /**
     * Creates the endpoint of a gateway; nothing is bound until {@link #start()}.
     *
     * @param gateway the gateway it reports on and acts on
     * @param options where to listen, and the token
     * @param group the event loops to run on; not shut down by this server
     */
    public AdminServer(Gateway gateway, AdminOptions options, EventLoopGroup group) {
        this.gateway = requireNonNull(gateway, "gateway");
        this.options = requireNonNull(options, "options");
        this.group = requireNonNull(group, "group");
        this.tokenDigest = options.bearerToken().map(AdminServer::sha256).orElse(null);
        this.connections = new DefaultChannelGroup("janus-admin", group.next());
    }

    /** Hashing both sides first makes the comparison independent of the tokens' lengths too. */
    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Binds the endpoint. Calling it again returns the same future.
     *
     * @return a future completed with the bound address, or failed when it cannot bind
     */
    public CompletableFuture<InetSocketAddress> start() {
        if (!started.compareAndSet(false, true)) {
            return startFuture;
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(EventLoops.serverSocketChannel(group))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (connections.size() >= MAX_CONNECTIONS || stopFuture.isDone()) {
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(MAX_CONTENT_LENGTH))
                                .addLast(handler);
                    }
                });
        bootstrap.bind(options.socketAddress()).addListener(f -> {
            if (!f.isSuccess()) {
                startFuture.completeExceptionally(f.cause());
                return;
            }
            Channel channel = ((io.netty.channel.ChannelFuture) f).channel();
            serverChannel = channel;
            InetSocketAddress address = (InetSocketAddress) channel.localAddress();
            logger.info("Gateway {} admin endpoint on http://{}:{} (bearer token {})", gateway.id(),
                    address.getAddress().getHostAddress(), address.getPort(),
                    tokenDigest == null ? "not configured: drain and kick are refused" : "configured");
            startFuture.complete(address);
        });
        return startFuture;
    }

    /**
     * The bound address.
     *
     * @return the address, or {@code null} before the endpoint is bound
     */
    public InetSocketAddress address() {
        Channel channel = serverChannel;
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    /**
     * Stops accepting and closes open admin connections. Never blocks; calling it again returns the same
     * future.
     *
     * @return a future completed once the listening socket and the connections are closed
     */
    public CompletableFuture<Void> stop() {
        Channel channel = serverChannel;
        if (stopFuture.isDone() || !started.get()) {
            stopFuture.complete(null);
            return stopFuture;
        }
        CompletableFuture<Void> unbound = new CompletableFuture<>();
        if (channel == null) {
            // Not bound (yet): close whatever the bind produces.
            startFuture.whenComplete((a, t) -> {
                Channel c = serverChannel;
                if (c == null) {
                    unbound.complete(null);
                } else {
                    c.close().addListener(f -> unbound.complete(null));
                }
            });
        } else {
            channel.close().addListener(f -> unbound.complete(null));
        }
        unbound.whenComplete((v, t) -> connections.close().addListener(f -> stopFuture.complete(null)));
        return stopFuture;
    }

    @Override
    public String toString() {
        return "AdminServer{" + options + ", address=" + address() + "}";
    }

    /** Serves one request per connection; shared by every connection, stateless. */
    @ChannelHandler.Sharable
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (ctx.channel().attr(ANSWERED).setIfAbsent(Boolean.TRUE) != null) {
                return; // one request per connection: the answer to the first one closes it
            }
            ctx.channel().config().setAutoRead(false);
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, error("malformed HTTP request"));
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            HttpMethod method = request.method();
            switch (path) {
                case "/health":
                    if (allowed(ctx, method, HttpMethod.GET)) {
                        respond(ctx, HttpResponseStatus.OK, new Json().put("status", "alive")
                                .put("gateway", gateway.id()).put("state", state()).toString());
                    }
                    return;
                case "/ready":
                    if (allowed(ctx, method, HttpMethod.GET)) {
                        ready(ctx);
                    }
                    return;
                case "/stats/connections":
                    if (allowed(ctx, method, HttpMethod.GET)) {
                        respond(ctx, HttpResponseStatus.OK, connectionStats());
                    }
                    return;
                case "/metrics":
                    if (allowed(ctx, method, HttpMethod.GET)) {
                        respond(ctx, HttpResponseStatus.OK, PrometheusText.CONTENT_TYPE,
                                PrometheusText.render(gateway.stats(), gateway.sessionsByTransport(), gateway.isReady(),
                                        gateway.outboundQueuedBytes()));
                    }
                    return;
                case "/drain":
                    if (allowed(ctx, method, HttpMethod.POST) && authorized(ctx, request)) {
                        drain(ctx, uri);
                    }
                    return;
                default:
                    break;
            }
            String player = kickTarget(path);
            if (player != null) {
                if (allowed(ctx, method, HttpMethod.POST) && authorized(ctx, request)) {
                    kick(ctx, player, uri);
                }
                return;
            }
            respond(ctx, HttpResponseStatus.NOT_FOUND, error("no such endpoint: " + path));
        }

        private boolean allowed(ChannelHandlerContext ctx, HttpMethod method, HttpMethod expected) {
            if (method.equals(expected)) {
                return true;
            }
            FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json",
                    error(method + " is not allowed here (expected: " + expected + ")"));
            response.headers().set(HttpHeaderNames.ALLOW, expected.name());
            send(ctx, response);
            return false;
        }

        /** The bearer check of the mutating endpoints; answers the refusal itself. */
        private boolean authorized(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (tokenDigest == null) {
                respond(ctx, HttpResponseStatus.FORBIDDEN, error("admin token not configured"));
                return false;
            }
            String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)
                    || header.substring(7).trim().isEmpty()) {
                refusals.warn("admin {} {} from {} refused: no bearer token", request.method(), request.uri(),
                        ctx.channel().remoteAddress());
                FullHttpResponse response = response(HttpResponseStatus.UNAUTHORIZED, "application/json",
                        error("bearer token required"));
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"janus-admin\"");
                send(ctx, response);
                return false;
            }
            // Never logged: neither the configured token nor what the client sent.
            if (!MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).trim()))) {
                refusals.warn("admin {} {} from {} refused: wrong bearer token", request.method(), request.uri(),
                        ctx.channel().remoteAddress());
                respond(ctx, HttpResponseStatus.FORBIDDEN, error("invalid bearer token"));
                return false;
            }
            return true;
        }

        private void ready(ChannelHandlerContext ctx) {
            boolean ready = gateway.isReady();
            List<String> unavailable = gateway.unavailableServices();
            respond(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, new Json()
                    .put("ready", ready)
                    .put("state", state())
                    .putStrings("unavailableServices", unavailable)
                    .toString());
        }

        private String connectionStats() {
            GatewayStats stats = gateway.stats();
            Map<String, Integer> byTransport = gateway.sessionsByTransport();
            int total = byTransport.values().stream().mapToInt(Integer::intValue).sum();
            Map<String, Long> closed = new LinkedHashMap<>();
            stats.sessionsClosed().forEach((reason, n) -> {
                if (reason != Reason.OK) {
                    closed.put(reason.name(), n);
                }
            });
            Map<String, Long> failed = new LinkedHashMap<>();
            stats.requestsFailed().forEach((reason, n) -> failed.put(reason.name(), n));
            Map<String, Long> handshakeFailures = new LinkedHashMap<>();
            stats.handshakesFailed().forEach((reason, n) -> handshakeFailures.put(reason.name(), n));
            return new Json()
                    .put("gateway", gateway.id())
                    .put("state", state())
                    .put("sessions", new Json()
                            .put("total", total)
                            .put("players", gateway.sessions().playerCount())
                            .putCounts("byTransport", byTransport))
                    .put("connectionsAccepted", stats.connectionsAccepted())
                    .put("handshakes", new Json()
                            .put("total", stats.handshakes())
                            .put("perSecond", stats.handshakesPerSecond())
                            .put("windowSeconds", GatewayStats.RATE_WINDOW_SECONDS)
                            .putCounts("failed", handshakeFailures))
                    .put("logins", stats.logins())
                    .put("requests", stats.requests())
                    .put("failures", new Json()
                            .putCounts("connections", closed)
                            .putCounts("requests", failed))
                    .toString();
        }

        private void drain(ChannelHandlerContext ctx, QueryStringDecoder uri) {
            Gateway.State state = gateway.state();
            if (state == Gateway.State.STOPPING || state == Gateway.State.STOPPED) {
                respond(ctx, HttpResponseStatus.CONFLICT, error("the gateway is already stopping"));
                return;
            }
            String reconnect = parameter(uri, "reconnectAddress");
            if (reconnect != null && reconnect.length() > MAX_MESSAGE_LENGTH) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, error("reconnectAddress: " + reconnect.length()
                        + " characters (expected: at most " + MAX_MESSAGE_LENGTH + ")"));
                return;
            }
            logger.info("Gateway {}: drain requested over the admin endpoint by {} (reconnect address: {})",
                    gateway.id(), ctx.channel().remoteAddress(), reconnect == null ? "none" : reconnect);
            Json body = new Json().put("draining", true).put("reconnectAddress", reconnect);
            // Answered first, drained once the answer is out: the drain ends by closing this endpoint.
            send(ctx, response(HttpResponseStatus.ACCEPTED, "application/json", body.toString()))
                    .addListener(f -> gateway.drain(reconnect));
        }

        private void kick(ChannelHandlerContext ctx, String player, QueryStringDecoder uri) {
            long playerId;
            try {
                playerId = Long.parseLong(player);
            } catch (NumberFormatException e) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, error("playerId: " + player
                        + " (expected: a decimal 64-bit integer)"));
                return;
            }
            Session session = gateway.sessions().sessionOfPlayer(playerId);
            if (session == null || !session.isActive()) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, new Json()
                        .put("error", "no session for player " + playerId + " on this gateway")
                        .put("playerId", playerId).toString());
                return;
            }
            String message = parameter(uri, "message");
            if (message == null || message.isEmpty()) {
                message = "kicked by an operator";
            } else if (message.length() > MAX_MESSAGE_LENGTH) {
                message = message.substring(0, MAX_MESSAGE_LENGTH);
            }
            logger.info("Gateway {}: player {} (session {}) kicked over the admin endpoint by {}", gateway.id(),
                    playerId, session.id(), ctx.channel().remoteAddress());
            session.close(Reason.KICKED, message);
            respond(ctx, HttpResponseStatus.OK, new Json().put("kicked", true).put("playerId", playerId)
                    .put("sessionId", session.id()).toString());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Read timeouts, resets: nothing to answer.
            logger.debug("Admin connection {} failed", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }

    /** The player id of {@code /sessions/{playerId}/kick}, or {@code null} for another path. */
    static String kickTarget(String path) {
        String prefix = "/sessions/";
        String suffix = "/kick";
        if (!path.startsWith(prefix) || !path.endsWith(suffix)
                || path.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        String id = path.substring(prefix.length(), path.length() - suffix.length());
        return id.indexOf('/') >= 0 ? null : id;
    }

    private static String parameter(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private String state() {
        return gateway.state().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String error(String message) {
        return new Json().put("error", message).toString();
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String json) {
        respond(ctx, status, "application/json", json);
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType,
            String body) {
        send(ctx, response(status, contentType, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType.equals("application/json")
                        ? "application/json; charset=utf-8" : contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /** Writes a response (released by the encoder) and closes the connection after it. */
    private static io.netty.channel.ChannelFuture send(ChannelHandlerContext ctx, FullHttpResponse response) {
        return ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
