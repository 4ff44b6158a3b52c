package io.janus.transport.kcp.fec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link KcpGoHeader}: CRC-32/IEEE over the body, random nonce, typed failures. */
class KcpGoHeaderTest {

    @Test
    void crc32IsTheIeeeChecksumOnHeapDirectAndCompositeBuffers() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        // The standard check value of CRC-32/ISO-HDLC (IEEE 802.3), as Go's crc32.ChecksumIEEE gives.
        int expected = 0xCBF43926;
        assertThat(KcpGoHeader.crc32(Unpooled.wrappedBuffer(check), 0, 9)).isEqualTo(expected);
        ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(check);
        CompositeByteBuf composite = Unpooled.compositeBuffer().addComponents(true,
                Unpooled.wrappedBuffer(check, 0, 4), Unpooled.wrappedBuffer(check, 4, 5));
        try {
            assertThat(KcpGoHeader.crc32(direct, 0, 9)).isEqualTo(expected);
            assertThat(KcpGoHeader.crc32(composite, 0, 9)).isEqualTo(expected);
        } finally {
            direct.release();
            composite.release();
        }
    }

    @Test
    void sealThenVerifyRoundTripsAndNoncesDiffer() {
        ByteBuf a = Unpooled.buffer().writeZero(KcpGoHeader.SIZE).writeBytes(new byte[] {1, 2, 3});
        ByteBuf b = Unpooled.buffer().writeZero(KcpGoHeader.SIZE).writeBytes(new byte[] {1, 2, 3});
        KcpGoHeader.seal(a);
        KcpGoHeader.seal(b);
        assertThat(a.getIntLE(16)).isEqualTo(b.getIntLE(16));
        assertThat(a.slice(0, 16)).isNotEqualTo(b.slice(0, 16));
        KcpGoHeader.verifyAndSkip(a);
        assertThat(a.readableBytes()).isEqualTo(3);
        assertThat(a.readByte()).isEqualTo((byte) 1);
    }

    @Test
    void flippedBodyBitIsAChecksumMismatchAndTheReaderIndexStays() {
        ByteBuf datagram = Unpooled.buffer().writeZero(KcpGoHeader.SIZE).writeBytes(new byte[40]);
        KcpGoHeader.seal(datagram);
        datagram.setByte(30, 0x80);
        assertThatThrownBy(() -> KcpGoHeader.verifyAndSkip(datagram))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.KCPGO_CHECKSUM_MISMATCH))
                .hasMessageContaining("CRC32");
        assertThat(datagram.readerIndex()).isZero();
    }

    @Test
    void datagramWithNothingAfterTheHeaderIsTooShort() {
        for (int length : new int[] {0, 1, 19, 20}) {
            ByteBuf datagram = Unpooled.buffer().writeZero(length);
            assertThatThrownBy(() -> KcpGoHeader.verifyAndSkip(datagram))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.KCPGO_DATAGRAM_TOO_SHORT));
        }
        assertThatThrownBy(() -> KcpGoHeader.seal(Unpooled.buffer().writeZero(19)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
