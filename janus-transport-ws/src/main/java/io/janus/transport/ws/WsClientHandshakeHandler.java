package io.janus.transport.ws;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client's opening handshake (RFC 6455 section 4.1): sends the upgrade request when the TCP (or
 * TLS) connection is up, checks the 101 answer with Netty's handshaker, then removes itself and tells
 * the handlers after it that the channel is active. Until then it holds the {@code channelActive}
 * event back, so the caller's handlers (which start the Janus handshake on it) see the channel become
 * active only once it carries WebSocket messages. The whole upgrade is bounded by a timeout.
 *
 * <p>Not sharable; runs on the channel's event loop.
 */
final class WsClientHandshakeHandler extends ChannelInboundHandlerAdapter {

    private final WebSocketClientHandshaker handshaker;
    private final CompletableFuture<Channel> connected;
    private final long timeoutMillis;
    private ScheduledFuture<?> deadline;

    WsClientHandshakeHandler(WebSocketClientHandshaker handshaker, CompletableFuture<Channel> connected,
            long timeoutMillis) {
        this.handshaker = handshaker;
        this.connected = connected;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> fail(ctx, new IOException("WebSocket upgrade to "
                + handshaker.uri() + " took more than " + timeoutMillis + " ms")), timeoutMillis, TimeUnit.MILLISECONDS);
        handshaker.handshake(ctx.channel()).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ctx, f.cause());
            }
        });
        // channelActive is not passed on here: see finish().
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpResponse) || handshaker.isHandshakeComplete()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FullHttpResponse response = (FullHttpResponse) msg;
        try {
            handshaker.finishHandshake(ctx.channel(), response);
        } catch (RuntimeException e) {
            // 403 for a refused origin, 404 for a wrong path, a bad Sec-WebSocket-Accept...
            fail(ctx, new IOException("WebSocket upgrade to " + handshaker.uri() + " refused: " + e.getMessage(), e));
            return;
        } finally {
            response.release();
        }
        finish(ctx);
    }

    private void finish(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ChannelHandlerContext next = ctx.pipeline().context(WsClientTransport.FRAMES);
        ctx.pipeline().remove(this);
        if (next != null) {
            next.fireChannelActive();
        }
        connected.complete(ctx.channel());
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (connected.completeExceptionally(cause)) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(ctx, new ClosedChannelException());
        // Not passed on: the caller's handlers never saw the channel active.
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }
}
