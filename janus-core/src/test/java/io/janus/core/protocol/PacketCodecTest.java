package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PacketCodec}: frames to packets and back, malformed frames, and who releases the buffers. */
class PacketCodecTest {

    private static final Packet PACKET = Packet.newBuilder()
            .setModule(6)
            .setSeq(2)
            .setIndex(41)
            .setObj(-9_000_000_000L)
            .setBody(ByteString.copyFromUtf8("hello, room"))
            .setFlags(1)
            .setStatus(1001)
            .build();

    private final EmbeddedChannel channel = new EmbeddedChannel(PacketCodec.INSTANCE);

    @AfterEach
    void closeChannel() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf frame(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    @Test
    void encodesAPacketIntoOneFrameHoldingExactlyItsBytes() {
        assertThat(channel.writeOutbound(PACKET)).isTrue();

        ByteBuf encoded = channel.readOutbound();
        try {
            assertThat(ByteBufUtil.getBytes(encoded)).isEqualTo(PACKET.toByteArray());
        } finally {
            encoded.release();
        }
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void roundTripsAPacketThroughTheChannel() {
        channel.writeOutbound(PACKET);
        ByteBuf encoded = channel.readOutbound();

        assertThat(channel.writeInbound(encoded)).isTrue();

        Packet decoded = channel.readInbound();
        assertThat(decoded).isEqualTo(PACKET);
        assertThat(encoded.refCnt()).as("the codec releases the inbound frame").isZero();
    }

    @Test
    void roundTripsTheDefaultPacketAsAnEmptyFrame() {
        channel.writeOutbound(Packet.getDefaultInstance());
        ByteBuf encoded = channel.readOutbound();
        assertThat(encoded.readableBytes()).isZero();

        channel.writeInbound(encoded);

        assertThat((Packet) channel.readInbound()).isEqualTo(Packet.getDefaultInstance());
        assertThat(encoded.refCnt()).isZero();
    }

    @Test
    void decodesAFrameSpreadOverSeveralBuffers() {
        byte[] bytes = PACKET.toByteArray();
        int half = bytes.length / 2;
        CompositeByteBuf composite = ByteBufAllocator.DEFAULT.compositeBuffer();
        composite.addComponent(true, frame(Arrays.copyOfRange(bytes, 0, half)));
        composite.addComponent(true, ByteBufAllocator.DEFAULT.directBuffer()
                .writeBytes(bytes, half, bytes.length - half));

        channel.writeInbound(composite);

        assertThat((Packet) channel.readInbound()).isEqualTo(PACKET);
        assertThat(composite.refCnt()).isZero();
    }

    @Test
    void decodesEachFrameIntoItsOwnPacket() {
        Packet second = PACKET.toBuilder().setIndex(42).setBody(ByteString.EMPTY).build();

        channel.writeInbound(frame(PACKET.toByteArray()), frame(second.toByteArray()));

        assertThat((Packet) channel.readInbound()).isEqualTo(PACKET);
        assertThat((Packet) channel.readInbound()).isEqualTo(second);
        assertThat((Object) channel.readInbound()).isNull();
    }

    @ParameterizedTest(name = "frame {0}")
    @ValueSource(strings = {
        "00",         // field number 0
        "0f",         // wire type 7 does not exist
        "08ff",       // varint cut short
        "2a05abcd",   // body declares 5 bytes, 2 follow
        "ffffffffffffffffffff01", // tag varint longer than 10 bytes
    })
    void malformedFrameRaisesMalformedPacketAndIsReleased(String hex) {
        ByteBuf bad = frame(ByteBufUtil.decodeHexDump(hex));

        Throwable thrown = catchThrowable(() -> channel.writeInbound(bad));

        assertThat(thrown).isInstanceOf(DecoderException.class);
        JanusException cause = JanusException.find(thrown);
        assertThat(cause).isInstanceOf(ProtocolException.class);
        assertThat(cause.reason()).isEqualTo(Reason.MALFORMED_PACKET);
        assertThat(cause.getMessage()).contains("a frame of " + hex.length() / 2 + " bytes is not a valid packet");
        assertThat(bad.refCnt()).as("the codec releases a frame it cannot decode").isZero();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void malformedPacketExceptionHasNoStackTrace() {
        ByteBuf bad = frame(new byte[] {0});
        try {
            assertThatThrownBy(() -> PacketCodec.decode(bad))
                    .isInstanceOf(ProtocolException.class)
                    .satisfies(t -> assertThat(t.getStackTrace()).isEmpty());
        } finally {
            bad.release();
        }
    }

    @Test
    void staticDecodeConsumesTheFrameButLeavesReleasingToTheCaller() {
        ByteBuf buf = frame(PACKET.toByteArray());
        try {
            assertThat(PacketCodec.decode(buf)).isEqualTo(PACKET);
            assertThat(buf.refCnt()).isEqualTo(1);
            assertThat(buf.isReadable()).isFalse();
        } finally {
            buf.release();
        }
    }

    @Test
    void staticEncodeReturnsABufferTheCallerOwns() throws Exception {
        ByteBuf buf = PacketCodec.encode(ByteBufAllocator.DEFAULT, PACKET);
        try {
            assertThat(buf.refCnt()).isEqualTo(1);
            assertThat(buf.readableBytes()).isEqualTo(PACKET.getSerializedSize());
            assertThat(Packet.parseFrom(ByteBufUtil.getBytes(buf))).isEqualTo(PACKET);
        } finally {
            buf.release();
        }
    }
}
