package io.janus.core.transport;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Writes each outbound frame body behind its 4-byte big-endian length (docs/protocol.md, "Framing over
 * TCP"); the encoding side of {@link FrameDecoder}.
 *
 * <p>A body of at most {@link #COPY_LIMIT} bytes, what a game packet record nearly always is, is copied
 * behind its header into one new buffer: one buffer, one entry in the channel's outbound buffer and one
 * I/O vector per frame. Netty's {@code LengthFieldPrepender}, used before, sends a 4-byte header buffer
 * and the body as two messages, which doubles the outbound entries, their bookkeeping and the vectors
 * of each {@code writev}; a copy of a small record costs less than that. A larger body is not copied:
 * header and body go out as one {@link CompositeByteBuf} of two components.
 *
 * <p>Messages that are not {@link ByteBuf}s pass through untouched. The body is released here (its
 * bytes copied, or its ownership passed to the composite); the frame is released by the channel once
 * written. Stateless and sharable.
 */
@Sharable
public final class FrameEncoder extends ChannelOutboundHandlerAdapter {

    /** Bodies up to this many bytes are copied behind their header; larger ones are not. */
    public static final int COPY_LIMIT = 2048;

    /** The shared instance. */
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf) {
            ctx.write(frame(ctx.alloc(), (ByteBuf) msg), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /**
     * Frames one body: its length, then its readable bytes.
     *
     * @param alloc the allocator of the frame
     * @param body the frame body; released here, on every path
     * @return the frame; the caller releases it
     */
    public static ByteBuf frame(ByteBufAllocator alloc, ByteBuf body) {
        requireNonNull(alloc, "alloc");
        requireNonNull(body, "body");
        int length = body.readableBytes();
        if (length <= COPY_LIMIT) {
            try {
                ByteBuf frame = alloc.ioBuffer(FrameDecoder.HEADER_LENGTH + length);
                return frame.writeInt(length).writeBytes(body, body.readerIndex(), length);
            } finally {
                body.release();
            }
        }
        ByteBuf header;
        try {
            header = alloc.ioBuffer(FrameDecoder.HEADER_LENGTH).writeInt(length);
        } catch (RuntimeException | Error e) {
            body.release();
            throw e;
        }
        CompositeByteBuf frame;
        try {
            frame = alloc.compositeBuffer(2);
        } catch (RuntimeException | Error e) {
            header.release();
            body.release();
            throw e;
        }
        // Passes the ownership of both to the composite, which releases them if it fails.
        return frame.addComponents(true, header, body);
    }
}
