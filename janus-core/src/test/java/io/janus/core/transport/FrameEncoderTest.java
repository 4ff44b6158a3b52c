package io.janus.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameEncoder} on an {@link EmbeddedChannel}: the 4-byte length then the body, small bodies
 * copied into one buffer, large ones sent as a two-part composite, every body released (the tests run
 * under Netty's PARANOID leak detector), and what it writes read back whole by {@link FrameDecoder}.
 */
class FrameEncoderTest {

    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private static byte[] bytes(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        return b;
    }

    @Test
    void smallBodyIsCopiedBehindItsLengthIntoOneBuffer() {
        channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        ByteBuf body = channel.alloc().buffer().writeBytes(bytes(100));
        body.readerIndex(3); // only the readable bytes are the body
        channel.writeOutbound(body);

        assertThat(body.refCnt()).isZero();
        ByteBuf frame = channel.readOutbound();
        try {
            assertThat(frame).isNotInstanceOf(CompositeByteBuf.class);
            assertThat(frame.readableBytes()).isEqualTo(4 + 97);
            assertThat(frame.readInt()).isEqualTo(97);
            assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(Arrays.copyOfRange(bytes(100), 3, 100));
        } finally {
            frame.release();
        }
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void largeBodyGoesOutUncopiedAsHeaderAndBody() {
        channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        int length = FrameEncoder.COPY_LIMIT + 1;
        ByteBuf body = channel.alloc().buffer().writeBytes(bytes(length));
        channel.writeOutbound(body);

        ByteBuf frame = channel.readOutbound();
        try {
            assertThat(frame).isInstanceOf(CompositeByteBuf.class);
            assertThat(((CompositeByteBuf) frame).numComponents()).isEqualTo(2);
            // The body itself, not a copy: the composite holds it until the frame is released.
            assertThat(body.refCnt()).isEqualTo(1);
            assertThat(frame.readInt()).isEqualTo(length);
            assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(bytes(length));
        } finally {
            frame.release();
        }
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void bodiesAtTheCopyLimitAndAboveRoundTripThroughTheDecoder() {
        EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        channel = new EmbeddedChannel(new FrameDecoder(64 * 1024));
        int[] lengths = {1, 64, FrameEncoder.COPY_LIMIT, FrameEncoder.COPY_LIMIT + 1, 40_000};
        for (int length : lengths) {
            encoder.writeOutbound(Unpooled.wrappedBuffer(bytes(length)));
        }
        for (ByteBuf frame; (frame = encoder.readOutbound()) != null; ) {
            channel.writeInbound(frame);
        }
        for (int length : lengths) {
            ByteBuf body = channel.readInbound();
            try {
                assertThat(ByteBufUtil.getBytes(body)).isEqualTo(bytes(length));
            } finally {
                body.release();
            }
        }
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(encoder.finishAndReleaseAll()).isFalse();
    }

    @Test
    void otherMessagesPassThrough() {
        channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        channel.writeOutbound("not a buffer");
        assertThat((Object) channel.readOutbound()).isEqualTo("not a buffer");
    }
}
