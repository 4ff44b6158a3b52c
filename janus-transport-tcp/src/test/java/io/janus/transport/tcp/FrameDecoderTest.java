package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.transport.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TCP frame decoder on an {@link EmbeddedChannel}: whole frames out, typed errors for bad lengths. */
class FrameDecoderTest {

    private static final int MAX = 1024;

    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private static ByteBuf frame(int declared, byte[] body) {
        ByteBuf buf = Unpooled.buffer(4 + body.length);
        buf.writeInt(declared);
        buf.writeBytes(body);
        return buf;
    }

    private static Reason reasonOf(Throwable t) {
        JanusException e = JanusException.find(t);
        return e == null ? null : e.reason();
    }

    @Test
    void emitsWholeFramesAcrossArbitrarySplits() {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes(frame(3, new byte[] {1, 2, 3}));
        wire.writeBytes(frame(2, new byte[] {4, 5}));
        // Feed one byte at a time: the decoder must wait for whole frames.
        while (wire.isReadable()) {
            channel.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();

        ByteBuf first = channel.readInbound();
        ByteBuf second = channel.readInbound();
        assertThat(ByteBufUtilBytes.of(first)).containsExactly(1, 2, 3);
        assertThat(ByteBufUtilBytes.of(second)).containsExactly(4, 5);
        first.release();
        second.release();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void zeroLengthIsFrameEmpty() {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));

        assertThatThrownBy(() -> channel.writeInbound(frame(0, new byte[0])))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.FRAME_EMPTY));
    }

    @Test
    void hugeDeclaredLengthIsRefusedBeforeAnyAllocation() {
        TrackingAllocator alloc = new TrackingAllocator();
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(MAX));

        ByteBuf header = Unpooled.buffer(4).writeInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> channel.writeInbound(header))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.FRAME_TOO_LARGE))
                .hasMessageContaining("frame length 2147483647 exceeds maxFrameLength 1024");
        assertThat(alloc.largestRequest.get()).isLessThan(MAX);
    }

    @Test
    void lengthsAboveTwoToTheThirtyOneAreTooLargeNotNegative() {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));

        assertThatThrownBy(() -> channel.writeInbound(Unpooled.buffer(4).writeInt(0xFFFFFFFF)))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.FRAME_TOO_LARGE))
                .hasMessageContaining("frame length 4294967295");
    }

    @Test
    void everythingAfterAFailureIsDiscarded() {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));
        assertThatThrownBy(() -> channel.writeInbound(frame(MAX + 1, new byte[8])));

        // A well-formed frame after the failure must not be emitted.
        channel.writeInbound(frame(1, new byte[] {9}));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void connectionEndingInsideAFrameIsFrameTruncated() {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));
        channel.writeInbound(frame(10, new byte[] {1, 2, 3}));

        assertThatThrownBy(() -> channel.finish())
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.FRAME_TRUNCATED))
                .hasMessageContaining("the connection ended after 3 of 10 bytes of a frame body");
    }

    @Test
    void encoderAndDecoderAgree() {
        channel = new EmbeddedChannel(new LengthFieldPrepender(4), new FrameDecoder(MAX));
        channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {7, 8, 9}));
        CompositeByteBuf wire = Unpooled.compositeBuffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            wire.addComponent(true, part);
        }
        channel.writeInbound(wire);

        ByteBuf decoded = channel.readInbound();
        assertThat(ByteBufUtilBytes.of(decoded)).containsExactly(7, 8, 9);
        decoded.release();
    }

    /** Copies readable bytes for assertions; does not release. */
    static final class ByteBufUtilBytes {
        static byte[] of(ByteBuf buf) {
            return io.netty.buffer.ByteBufUtil.getBytes(buf);
        }
    }

    /** Remembers the largest buffer anyone asked for. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        final AtomicInteger largestRequest = new AtomicInteger();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            largestRequest.accumulateAndGet(initialCapacity, Math::max);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            largestRequest.accumulateAndGet(initialCapacity, Math::max);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
