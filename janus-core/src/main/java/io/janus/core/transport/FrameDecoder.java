package io.janus.core.transport;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a byte stream (TCP, or a smux stream over KCP) into frames: a 4-byte big-endian unsigned length, then that many bytes of
 * body (docs/protocol.md, "Framing over TCP").
 *
 * <p>The declared length is checked before anything is allocated for it: 0 raises
 * {@link Reason#FRAME_EMPTY}, more than {@code maxFrameLength} (lengths of 2^31 and above included)
 * raises {@link Reason#FRAME_TOO_LARGE}, and a connection that ends inside a frame raises
 * {@link Reason#FRAME_TRUNCATED}. So the bytes held for one connection never exceed
 * {@code 4 + maxFrameLength} plus one socket read. After a failure every further byte is discarded.
 *
 * <p>Each emitted frame is a retained slice of the cumulation buffer; the next handler releases it.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** Bytes of the length prefix. */
    public static final int HEADER_LENGTH = 4;

    private final int maxFrameLength;
    private boolean failed;

    /**
     * Creates a decoder.
     *
     * @param maxFrameLength the largest body accepted
     */
    public FrameDecoder(int maxFrameLength) {
        if (maxFrameLength <= 0) {
            throw new IllegalArgumentException("maxFrameLength: " + maxFrameLength + " (expected: > 0)");
        }
        this.maxFrameLength = maxFrameLength;
        setCumulator(COMPACTING);
    }

    /**
     * Netty's merging cumulator, but read bytes are dropped before the buffer grows: the merging one
     * grows in place, read bytes included, so a buffer could reach twice what the decoder needs (a
     * frame, its header and one read). Only when nothing else holds the buffer: frames handed on are
     * retained slices of it, and moving bytes under them would corrupt them (the merging cumulator
     * then copies into a new buffer of the readable bytes).
     */
    private static final Cumulator COMPACTING = (alloc, cumulation, in) -> {
        if (cumulation.refCnt() == 1 && cumulation.readerIndex() > 0
                && cumulation.writableBytes() < in.readableBytes()) {
            cumulation.discardReadBytes();
        }
        return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    };

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < HEADER_LENGTH) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length == 0) {
            fail(in);
            throw new ProtocolException(Reason.FRAME_EMPTY, "frame length 0 (expected: 1 to " + maxFrameLength + ")");
        }
        if (length > maxFrameLength) {
            fail(in);
            throw new ProtocolException(Reason.FRAME_TOO_LARGE,
                    "frame length " + length + " exceeds maxFrameLength " + maxFrameLength);
        }
        if (in.readableBytes() < HEADER_LENGTH + length) {
            return;
        }
        in.skipBytes(HEADER_LENGTH);
        out.add(in.readRetainedSlice((int) length));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (!failed && in.isReadable()) {
            int left = in.readableBytes();
            String detail = left < HEADER_LENGTH
                    ? left + " of the " + HEADER_LENGTH + " bytes of a frame header"
                    : (left - HEADER_LENGTH) + " of " + in.getUnsignedInt(in.readerIndex()) + " bytes of a frame body";
            fail(in);
            // Fired, not thrown: ByteToMessageDecoder announces channelInactive before it rethrows, and
            // the session must learn why it ended before it learns that it ended.
            ctx.fireExceptionCaught(new ProtocolException(Reason.FRAME_TRUNCATED,
                    "the connection ended after " + detail));
        }
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
