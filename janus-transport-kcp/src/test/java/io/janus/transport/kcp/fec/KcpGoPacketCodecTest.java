package io.janus.transport.kcp.fec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link KcpGoPacketCodec}: the four header/FEC combinations, loss, and the ownership contract. */
class KcpGoPacketCodecTest {

    private final List<ByteBuf> datagrams = new ArrayList<>();
    private final List<ByteBuf> payloads = new ArrayList<>();

    @AfterEach
    void release() {
        datagrams.forEach(ByteBuf::release);
        payloads.forEach(ByteBuf::release);
    }

    private static KcpGoPacketCodec codec(boolean header, int data, int parity) {
        return new KcpGoPacketCodec(KcpGoPacketConfig.builder().packetHeader(header).fec(data, parity).build(),
                ByteBufAllocator.DEFAULT);
    }

    @Test
    void everyCombinationRoundTripsAndLayoutMatchesKcpGo() {
        boolean[] headers = {true, false};
        int[][] fecs = {{10, 3}, {0, 0}, {1, 1}};
        for (boolean header : headers) {
            for (int[] fec : fecs) {
                try (KcpGoPacketCodec sender = codec(header, fec[0], fec[1]);
                        KcpGoPacketCodec receiver = codec(header, fec[0], fec[1])) {
                    ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {9, 8, 7, 6, 5});
                    sender.encode(payload, datagrams);
                    assertThat(payload.readerIndex()).isZero();
                    assertThat(payload.refCnt()).isEqualTo(1);
                    ByteBuf first = datagrams.get(0);
                    int offset = header ? KcpGoHeader.SIZE : 0;
                    assertThat(first.readableBytes()).isEqualTo(sender.config().overhead() + 5);
                    if (fec[0] > 0) {
                        assertThat(first.getIntLE(offset)).isZero(); // first seqid
                        assertThat(first.getUnsignedShortLE(offset + 4)).isEqualTo(0xf1);
                        assertThat(first.getUnsignedShortLE(offset + 6)).isEqualTo(7); // 2 + payload
                    }
                    for (ByteBuf d : datagrams) {
                        receiver.decode(d.duplicate(), payloads);
                    }
                    assertThat(payloads).hasSize(1);
                    assertThat(ByteBufUtil.getBytes(payloads.get(0))).containsExactly(9, 8, 7, 6, 5);
                    release();
                    datagrams.clear();
                    payloads.clear();
                }
            }
        }
    }

    @Test
    void everyGroupEndsWithItsParityShards() {
        try (KcpGoPacketCodec codec = codec(true, 10, 3)) {
            for (int i = 0; i < 25; i++) {
                codec.encode(Unpooled.wrappedBuffer(new byte[1 + i]), datagrams);
            }
            assertThat(datagrams).hasSize(25 + 2 * 3);
            for (int i = 0; i < datagrams.size(); i++) {
                ByteBuf d = datagrams.get(i);
                assertThat(d.getUnsignedIntLE(KcpGoHeader.SIZE)).isEqualTo(i);
                int type = d.getUnsignedShortLE(KcpGoHeader.SIZE + 4);
                assertThat(type).isEqualTo(i % 13 < 10 ? 0xf1 : 0xf2);
                if (type == 0xf2) {
                    // Parity is as long as the group's longest data shard (size field + payload).
                    int longest = 2 + (i / 13) * 10 + 10;
                    assertThat(d.readableBytes()).isEqualTo(KcpGoHeader.SIZE + 6 + longest);
                }
            }
        }
    }

    @Test
    void lossOfUpToParityShardsPerGroupIsRepaired() {
        Random random = new Random(11);
        List<String> sent = new ArrayList<>();
        try (KcpGoPacketCodec sender = codec(true, 10, 3); KcpGoPacketCodec receiver = codec(true, 10, 3)) {
            for (int i = 0; i < 100; i++) {
                byte[] payload = new byte[24 + random.nextInt(1200)];
                random.nextBytes(payload);
                sent.add(ByteBufUtil.hexDump(payload));
                sender.encode(Unpooled.wrappedBuffer(payload), datagrams);
            }
            for (int i = 0; i < datagrams.size(); i++) {
                if (i % 13 == 2 || i % 13 == 5 || i % 13 == 9) {
                    continue; // three data shards of every group lost
                }
                receiver.decode(datagrams.get(i).duplicate(), payloads);
            }
            List<String> got = new ArrayList<>();
            payloads.forEach(p -> got.add(ByteBufUtil.hexDump(p)));
            assertThat(got).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(receiver.fecDecoder().recoveredShards()).isEqualTo(30);
        }
    }

    @Test
    void fecOnAcceptsBareKcpLikeKcpGoAndFecOffRefusesShards() {
        ByteBuf kcp = Unpooled.buffer();
        KcpSegment.write(kcp, 7, KcpSegment.CMD_ACK, 32, 1, 2, 3, new byte[0]);
        try (KcpGoPacketCodec fecOn = codec(false, 10, 3); KcpGoPacketCodec fecOff = codec(false, 0, 0)) {
            fecOn.decode(kcp.duplicate(), payloads);
            assertThat(payloads).hasSize(1);
            assertThat(KcpSegment.parseAll(payloads.get(0))).singleElement()
                    .satisfies(s -> assertThat(s.cmd()).isEqualTo(KcpSegment.CMD_ACK));

            fecOn.encode(kcp, datagrams);
            assertThatThrownBy(() -> fecOff.decode(datagrams.get(0).duplicate(), payloads))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.FEC_NOT_CONFIGURED));
            assertThat(payloads).hasSize(1);
        } finally {
            kcp.release();
        }
    }

    @Test
    void malformedDatagramsFailWithReasonsAndAddNothing() {
        try (KcpGoPacketCodec codec = codec(true, 10, 3)) {
            codec.encode(Unpooled.wrappedBuffer(new byte[100]), datagrams);
            ByteBuf corrupt = datagrams.get(0).copy();
            corrupt.setByte(KcpGoHeader.SIZE + 10, corrupt.getByte(KcpGoHeader.SIZE + 10) ^ 1);
            try {
                assertThatThrownBy(() -> codec.decode(corrupt, payloads))
                        .isInstanceOfSatisfying(ProtocolException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.KCPGO_CHECKSUM_MISMATCH));
            } finally {
                corrupt.release();
            }
            ByteBuf oversized = Unpooled.buffer().writeZero(KcpGoHeader.SIZE).writeIntLE(0).writeShortLE(0xf2)
                    .writeZero(1500);
            KcpGoHeader.seal(oversized);
            datagrams.add(oversized); // released with the others
            assertThatThrownBy(() -> codec.decode(oversized, payloads))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.FEC_SHARD_TOO_LARGE));
            ByteBuf empty = Unpooled.buffer();
            try (KcpGoPacketCodec bare = codec(false, 0, 0)) {
                assertThatThrownBy(() -> bare.decode(empty, payloads))
                        .isInstanceOfSatisfying(ProtocolException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.KCPGO_DATAGRAM_TOO_SHORT));
            }
            assertThat(payloads).isEmpty();
        }
    }

    @Test
    void encodeRefusesEmptyAndOversizedPayloadsAndAddsNothing() {
        try (KcpGoPacketCodec codec = codec(true, 10, 3)) {
            assertThat(codec.maxPayloadSize()).isEqualTo(1500 - 20 - 8);
            assertThatThrownBy(() -> codec.encode(Unpooled.EMPTY_BUFFER, datagrams))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> codec.encode(Unpooled.wrappedBuffer(new byte[1473]), datagrams))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..1472");
            assertThat(datagrams).isEmpty();
            codec.encode(Unpooled.wrappedBuffer(new byte[1472]), datagrams);
            assertThat(datagrams.get(0).readableBytes()).isEqualTo(1500);
        }
    }

    @Test
    void configRefusesInconsistentShardCounts() {
        assertThatThrownBy(() -> KcpGoPacketConfig.builder().fec(10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KcpGoPacketConfig.builder().fec(0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KcpGoPacketConfig.builder().fec(250, 7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KcpGoPacketConfig.builder().maxFecGroups(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KcpGoPacketConfig.builder().maxDatagramSize(63))
                .isInstanceOf(IllegalArgumentException.class);
        KcpGoPacketConfig config = KcpGoPacketConfig.builder().packetHeader(false).noFec().build();
        assertThat(config.toBuilder().build().toString()).isEqualTo(config.toString());
        assertThat(config.overhead()).isZero();
    }
}
