package io.janus.transport.ws;

import io.janus.api.Reason;
import io.janus.core.spi.TransportContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of a server connection, until the WebSocket upgrade: validates the opening handshake
 * of RFC 6455 section 4.2.1, checks the Origin, answers with Netty's handshaker, then replaces itself
 * with the frame handlers and installs the session pipeline. Requests to other paths get a static file
 * (when the transport serves some) or 404.
 *
 * <p>Every refusal is an HTTP error with {@code Connection: close}, counted with a {@link Reason}
 * through {@link TransportContext#recordFailure} and logged (rate-limited) with that reason:
 * <ul>
 *   <li>400 {@link Reason#WS_BAD_REQUEST}: bytes that are not an HTTP request; 414 or 431 for a request
 *       line or headers over their limits (the aggregator answers 413 for a body over its limit); 405
 *       for a method other than GET or HEAD on a static path; a failed TLS handshake (closed);</li>
 *   <li>404 {@link Reason#WS_NOT_FOUND}: a path that is neither the WebSocket path nor a static file;</li>
 *   <li>405, 426 or 400 {@link Reason#WS_BAD_UPGRADE}: the WebSocket path with another method than
 *       GET, without {@code Upgrade: websocket} and {@code Connection: upgrade}, without a Host, a
 *       16-byte Sec-WebSocket-Key or a Sec-WebSocket-Version, or with a version other than 13 (426
 *       naming version 13, section 4.4);</li>
 *   <li>403 {@link Reason#WS_ORIGIN_REFUSED}: an Origin outside the allowlist;</li>
 *   <li>408 {@link Reason#WS_UPGRADE_TIMEOUT}: no upgrade within the upgrade timeout (slow or
 *       silent clients cannot hold a connection open in the HTTP phase).</li>
 * </ul>
 *
 * <p>Not sharable; runs on the channel's event loop and never blocks it (static files are read on the
 * {@link StaticResources} thread).
 */
final class WsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final WsServerSettings settings;
    private final TransportContext context;
    private final WebSocketServerHandshakerFactory handshakers;
    private final AtomicInteger pendingUpgrades;
    private ScheduledFuture<?> upgradeDeadline;
    private boolean answered;
    private boolean released;

    WsHttpHandler(WsServerSettings settings, TransportContext context, String webSocketUrl,
            AtomicInteger pendingUpgrades) {
        this.settings = settings;
        this.context = context;
        this.pendingUpgrades = pendingUpgrades;
        this.handshakers = new WebSocketServerHandshakerFactory(webSocketUrl, null, settings.decoderConfig());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        upgradeDeadline = ctx.executor().schedule(() -> {
            if (!answered && ctx.channel().isActive()) {
                refuse(ctx, HttpResponseStatus.REQUEST_TIMEOUT, Reason.WS_UPGRADE_TIMEOUT,
                        "no WebSocket upgrade within " + settings.upgradeTimeoutMillis() + " ms");
            }
        }, settings.upgradeTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (upgradeDeadline != null) {
            upgradeDeadline.cancel(false);
        }
        // Removed after the upgrade, or with the pipeline when the channel is closed: either way the
        // connection no longer counts against maxPendingUpgrades.
        if (!released) {
            released = true;
            pendingUpgrades.decrementAndGet();
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (answered) {
            return; // pipelined requests after a refusal: the connection is closing
        }
        DecoderResult result = request.decoderResult();
        if (!result.isSuccess()) {
            Throwable cause = result.cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : HttpResponseStatus.BAD_REQUEST;
            refuse(ctx, status, Reason.WS_BAD_REQUEST, "not a valid HTTP request: " + cause.getMessage());
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals(settings.path())) {
            upgrade(ctx, request);
        } else if (settings.staticResources() != null) {
            serveStatic(ctx, request, path);
        } else {
            refuse(ctx, HttpResponseStatus.NOT_FOUND, Reason.WS_NOT_FOUND, request.method() + " " + shorten(path)
                    + ": not the WebSocket path " + settings.path());
        }
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpHeaders headers = request.headers();
        if (!HttpMethod.GET.equals(request.method())) {
            FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED);
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            refuse(ctx, response, Reason.WS_BAD_UPGRADE, request.method() + " " + settings.path()
                    + " (expected: GET with a WebSocket upgrade)");
            return;
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (!settings.origins().allows(origin)) {
            refuse(ctx, HttpResponseStatus.FORBIDDEN, Reason.WS_ORIGIN_REFUSED,
                    "origin " + (origin == null ? "(none)" : shorten(origin)) + " is not allowed");
            return;
        }
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            FullHttpResponse response = response(HttpResponseStatus.UPGRADE_REQUIRED);
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            refuse(ctx, response, Reason.WS_BAD_UPGRADE,
                    "GET " + settings.path() + " without Upgrade: websocket and Connection: upgrade");
            return;
        }
        if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion()) || !headers.contains(HttpHeaderNames.HOST)) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, Reason.WS_BAD_UPGRADE,
                    "WebSocket upgrade needs HTTP/1.1 and a Host header (RFC 6455 section 4.1)");
            return;
        }
        String version = headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (version == null) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, Reason.WS_BAD_UPGRADE,
                    "WebSocket upgrade without Sec-WebSocket-Version");
            return;
        }
        if (!"13".equals(version.trim())) {
            FullHttpResponse response = response(HttpResponseStatus.UPGRADE_REQUIRED);
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            refuse(ctx, response, Reason.WS_BAD_UPGRADE,
                    "Sec-WebSocket-Version " + shorten(version) + " (expected: 13)");
            return;
        }
        if (!isValidKey(headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, Reason.WS_BAD_UPGRADE,
                    "Sec-WebSocket-Key missing or not 16 bytes in base64 (RFC 6455 section 4.1)");
            return;
        }
        WebSocketServerHandshaker handshaker = handshakers.newHandshaker(request);
        if (handshaker == null) {
            // Unreachable after the version check; kept so a Netty change cannot turn into a null.
            refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, Reason.WS_BAD_UPGRADE, "unsupported WebSocket version");
            return;
        }
        answered = true;
        upgradeDeadline.cancel(false);
        handshaker.handshake(ctx.channel(), request).addListener(f -> {
            if (!f.isSuccess()) {
                settings.log().info("WebSocket upgrade from {} failed: {}", ctx.channel().remoteAddress(),
                        f.cause().toString());
                ctx.close();
                return;
            }
            startSession(ctx);
        });
    }

    /** After the 101 response: frames in place of HTTP, then the session pipeline (initSession). */
    private void startSession(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        String name = ctx.name();
        pipeline.addAfter(name, "ws-idle",
                new IdleStateHandler(settings.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addAfter("ws-idle", "ws-frames", new WsFrameCodec(settings.maxFrameLength(),
                settings.pingIntervalMillis(), settings.idleTimeoutMillis()));
        pipeline.remove(this);
        context.initSession(ctx.channel());
        // The session's handlers were added to an active channel: tell them it is active now, from
        // the frame codec on, so the handlers before it do not see the event twice.
        ChannelHandlerContext frames = pipeline.context("ws-frames");
        if (frames != null) {
            frames.fireChannelActive();
        }
    }

    private static boolean isValidKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void serveStatic(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED);
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            refuse(ctx, response, Reason.WS_BAD_REQUEST, method + " " + shorten(path) + " (expected: GET or HEAD)");
            return;
        }
        answered = true;
        boolean head = HttpMethod.HEAD.equals(method);
        settings.staticResources().find(path).whenComplete((found, error) -> ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (error != null) {
                send(ctx, response(HttpResponseStatus.SERVICE_UNAVAILABLE));
            } else if (found.isEmpty()) {
                answered = false;
                refuse(ctx, HttpResponseStatus.NOT_FOUND, Reason.WS_NOT_FOUND, "GET " + shorten(path)
                        + ": no static resource");
            } else {
                send(ctx, fileResponse(ctx, found.get(), head));
            }
        }));
    }

    private static FullHttpResponse fileResponse(ChannelHandlerContext ctx, StaticResources.Resource file,
            boolean head) {
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(file.body());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, file.body().length);
        response.headers().set("X-Content-Type-Options", "nosniff");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    private static FullHttpResponse response(HttpResponseStatus status) {
        ByteBuf body = Unpooled.copiedBuffer(status.toString() + "\n", StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, Reason reason, String message) {
        refuse(ctx, response(status), reason, message);
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpResponse response, Reason reason, String message) {
        answered = true;
        settings.recordFailure(context, reason, ctx.channel().remoteAddress(), message);
        send(ctx, response);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response) {
        answered = true;
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** A client-supplied string in a log line: bounded, without control characters. */
    static String shorten(String s) {
        String t = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            ctx.close(); // reset by the client: not worth a line each
        } else if (!answered) {
            // A TLS record that is not TLS, a request over the aggregator's limit, and the like.
            Throwable root = cause.getCause() != null ? cause.getCause() : cause;
            settings.recordFailure(context, Reason.WS_BAD_REQUEST, ctx.channel().remoteAddress(),
                    "before the WebSocket upgrade: " + root);
            answered = true;
            if (cause instanceof TooLongFrameException) {
                send(ctx, response(HttpResponseStatus.BAD_REQUEST));
            } else {
                ctx.close();
            }
        } else {
            ctx.close();
        }
    }
}
