package io.janus.transport.ws;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * Turns WebSocket messages into whole Janus frames and back, on both ends of a connection: one binary
 * message carries exactly one frame body, without a length prefix (RFC 6455 section 5.6). Sits after
 * Netty's WebSocket frame decoder and encoder and before the session pipeline.
 *
 * <p>Inbound: a binary message is passed on as one {@link ByteBuf} (the next handler releases it);
 * a fragmented message (section 5.4) is reassembled, and refused with close code 1009 and
 * {@link Reason#FRAME_TOO_LARGE} as soon as the fragments received so far exceed
 * {@code maxFrameLength}, so at most {@code maxFrameLength} bytes are ever held for a message (a single
 * frame is refused by Netty's decoder from its declared length, before its payload is read). A text
 * message closes with 1003 ({@link Reason#WS_UNSUPPORTED_DATA}), an empty one with 1008
 * ({@link Reason#FRAME_EMPTY}), a framing violation with 1002 ({@link Reason#WS_PROTOCOL_ERROR}), and
 * no frame at all (not even a pong) for the idle timeout with 1001 ({@link Reason#WS_IDLE_TIMEOUT}):
 * each of these is raised as a {@link ProtocolException} to the session pipeline, which counts, logs
 * and closes, and the close then carries the WebSocket close code. Pings are answered with a pong
 * carrying the same application data (section 5.5.3); a close frame from the peer is answered with a
 * close frame and the connection is closed (section 5.5.1).
 *
 * <p>Outbound: a {@link ByteBuf} becomes one {@link BinaryWebSocketFrame} (ownership moves to the
 * frame). Closing the channel first sends a close frame (1000 unless a failure above chose the code);
 * the connection is closed when the close frame is written, after at most {@link #CLOSE_GRACE_MILLIS},
 * or at once when the peer does not read. Data written after the close frame is released and failed.
 *
 * <p>On the server, when {@code pingIntervalMillis} is positive, a ping is sent at that interval (not
 * when the peer is not reading), so a live browser answers with pongs that keep the idle timeout of
 * this transport from firing. The session layer's own idle timeout (SessionOptions.idleTimeout) counts
 * only Janus frames, so pongs never keep a session that sends no heartbeats alive.
 *
 * <p>Not sharable: one per channel, used only on its event loop.
 */
final class WsFrameCodec extends ChannelDuplexHandler {

    /** The most a close frame may take to be written before the connection is closed anyway. */
    static final long CLOSE_GRACE_MILLIS = 1000;

    /** Fragments merged into one buffer once a message has this many (bounds the component array). */
    private static final int MAX_COMPONENTS = 64;

    private final int maxFrameLength;
    private final long pingIntervalMillis;
    private final long idleTimeoutMillis;

    private CompositeByteBuf partial;
    private boolean failed;
    private boolean closeSent;
    private boolean closing;
    private int closeCode = WebSocketCloseStatus.NORMAL_CLOSURE.code();
    private String closeText = "";
    private ScheduledFuture<?> pingTask;

    /**
     * Creates a codec.
     *
     * @param maxFrameLength the largest message accepted, in bytes
     * @param pingIntervalMillis how often to ping the peer; 0 for never
     * @param idleTimeoutMillis the idle timeout the {@link io.netty.handler.timeout.IdleStateHandler}
     *        before this handler uses, for the log message only
     */
    WsFrameCodec(int maxFrameLength, long pingIntervalMillis, long idleTimeoutMillis) {
        this.maxFrameLength = maxFrameLength;
        this.pingIntervalMillis = pingIntervalMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /**
     * The bound given to the permessage-deflate inflater: the inflater needs some room past the
     * message it produces, so it gets twice maxFrameLength (capped), and this codec refuses an
     * inflated message over maxFrameLength itself.
     *
     * @param maxFrameLength the largest message accepted
     * @return the inflater's allocation bound
     */
    static int inflateLimit(int maxFrameLength) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 2L * maxFrameLength);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (pingIntervalMillis > 0) {
            pingTask = ctx.executor().scheduleAtFixedRate(() -> ping(ctx), pingIntervalMillis, pingIntervalMillis,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void ping(ChannelHandlerContext ctx) {
        // A peer that does not read gets no more pings queued; its idle timeout or the session's
        // outbound limit deals with it.
        if (!closeSent && ctx.channel().isActive() && ctx.channel().isWritable()) {
            ctx.writeAndFlush(new PingWebSocketFrame());
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cleanUp();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cleanUp();
        super.channelInactive(ctx);
    }

    private void cleanUp() {
        if (pingTask != null) {
            pingTask.cancel(false);
            pingTask = null;
        }
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        WebSocketFrame frame = (WebSocketFrame) msg;
        if (failed) {
            frame.release();
            return;
        }
        if (frame instanceof BinaryWebSocketFrame) {
            onBinary(ctx, frame);
        } else if (frame instanceof ContinuationWebSocketFrame) {
            onContinuation(ctx, frame);
        } else if (frame instanceof PingWebSocketFrame) {
            if (closeSent) {
                frame.release();
            } else {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content()));
            }
        } else if (frame instanceof PongWebSocketFrame) {
            frame.release();
        } else if (frame instanceof CloseWebSocketFrame) {
            onClose(ctx, (CloseWebSocketFrame) frame);
        } else if (frame instanceof TextWebSocketFrame) {
            frame.release();
            fail(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, Reason.WS_UNSUPPORTED_DATA,
                    "text WebSocket message (expected: binary messages only)");
        } else {
            frame.release();
            fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, Reason.WS_PROTOCOL_ERROR,
                    "unexpected WebSocket frame " + frame.getClass().getSimpleName());
        }
    }

    private void onBinary(ChannelHandlerContext ctx, WebSocketFrame frame) {
        ByteBuf content = frame.content();
        if (content.readableBytes() > maxFrameLength) {
            // Only an inflated (permessage-deflate) message gets here: the decoder refuses larger
            // frames on the wire from their header.
            int length = content.readableBytes();
            frame.release();
            fail(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, Reason.FRAME_TOO_LARGE,
                    "inflated message length " + length + " exceeds maxFrameLength " + maxFrameLength);
            return;
        }
        if (frame.isFinalFragment()) {
            if (!content.isReadable()) {
                frame.release();
                fail(ctx, WebSocketCloseStatus.POLICY_VIOLATION, Reason.FRAME_EMPTY, "empty WebSocket message");
                return;
            }
            ctx.fireChannelRead(content);
            return;
        }
        // Netty's decoder refuses a data frame inside an unfinished fragmented message (section 5.4).
        partial = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
        partial.addComponent(true, content);
    }

    private void onContinuation(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (partial == null) {
            // The continuation of a text message, already refused.
            frame.release();
            return;
        }
        long length = (long) partial.readableBytes() + frame.content().readableBytes();
        if (length > maxFrameLength) {
            frame.release();
            fail(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, Reason.FRAME_TOO_LARGE,
                    "fragmented message length " + length + " so far exceeds maxFrameLength " + maxFrameLength);
            return;
        }
        partial.addComponent(true, frame.content());
        if (frame.isFinalFragment()) {
            CompositeByteBuf message = partial;
            partial = null;
            if (!message.isReadable()) {
                message.release();
                fail(ctx, WebSocketCloseStatus.POLICY_VIOLATION, Reason.FRAME_EMPTY, "empty WebSocket message");
                return;
            }
            ctx.fireChannelRead(message);
        }
    }

    private void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame frame) {
        int status = frame.statusCode();
        frame.release();
        failed = true;
        if (!closeSent) {
            // Echo the peer's code (section 5.5.1); a close without a code is answered with 1000.
            closeCode = status > 0 ? status : WebSocketCloseStatus.NORMAL_CLOSURE.code();
            closeText = "";
        }
        ctx.channel().close();
    }

    /**
     * Refuses the connection: later inbound frames are dropped, the close frame will carry
     * {@code status}, and the session pipeline gets a {@link ProtocolException} with {@code reason},
     * which it counts, logs and answers by closing.
     */
    private void fail(ChannelHandlerContext ctx, WebSocketCloseStatus status, Reason reason, String message) {
        failed = true;
        if (partial != null) {
            partial.release();
            partial = null;
        }
        closeCode = status.code();
        closeText = reason.name();
        ctx.fireExceptionCaught(new ProtocolException(reason, message));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            WebSocketCloseStatus status = ((CorruptedWebSocketFrameException) cause).closeStatus();
            if (status != null && status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
                fail(ctx, status, Reason.FRAME_TOO_LARGE, "WebSocket frame over maxFrameLength " + maxFrameLength
                        + ": " + cause.getMessage());
            } else {
                fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, Reason.WS_PROTOCOL_ERROR,
                        "WebSocket framing: " + cause.getMessage());
            }
        } else if (cause instanceof DecompressionException && !failed
                && String.valueOf(cause.getMessage()).contains("maximum size")) {
            // permessage-deflate data that would inflate past the inflater's bound (see
            // inflateLimit): refused while inflating, never held in full.
            fail(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, Reason.FRAME_TOO_LARGE,
                    "compressed message inflates past maxFrameLength " + maxFrameLength);
        } else if (cause instanceof DecoderException && !failed) {
            // permessage-deflate data that does not inflate, and the like.
            fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, Reason.WS_PROTOCOL_ERROR,
                    "WebSocket message: " + cause.getMessage());
        } else if (!(cause instanceof DecoderException)) {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            // Ours, from the transport's IdleStateHandler: not passed on, since the session pipeline
            // reads every IdleStateEvent as its own idle timeout.
            if (!failed) {
                fail(ctx, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, Reason.WS_IDLE_TIMEOUT,
                        "no WebSocket frame (not even a pong) for " + idleTimeoutMillis + " ms");
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (closeSent && (msg instanceof ByteBuf || msg instanceof WebSocketFrame)) {
            // Nothing may follow a close frame (section 5.5.1).
            ReferenceCountUtil.release(msg);
            if (!promise.isVoid()) {
                // A void promise would turn the failure into an exceptionCaught for each write still
                // queued behind the close (a flood of pushes to a slow reader), all for nothing.
                promise.tryFailure(new ClosedChannelException());
            }
            return;
        }
        if (msg instanceof ByteBuf) {
            ctx.write(new BinaryWebSocketFrame((ByteBuf) msg), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closing) {
            ctx.close(promise);
            return;
        }
        closing = true;
        if (closeSent || !ctx.channel().isActive() || !ctx.channel().isWritable()) {
            closeSent = true;
            ctx.close(promise);
            return;
        }
        closeSent = true;
        ScheduledFuture<?> grace = ctx.executor().schedule(() -> {
            ctx.close(promise);
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        ctx.writeAndFlush(new CloseWebSocketFrame(closeCode, closeText)).addListener(f -> {
            if (grace.cancel(false)) {
                ctx.close(promise);
            }
        });
    }
}
