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
import java.util.HashSet;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link FecDecoder}: recovery, duplicates, stale and evicted groups, bounds and malformed shards. */
class FecDecoderTest {

    private static final int DATA = 4;
    private static final int PARITY = 2;
    private static final int TOTAL = DATA + PARITY;
    private static final int MAX_SHARD = 1500;

    private final List<ByteBuf> out = new ArrayList<>();
    private FecEncoder encoder;
    private FecDecoder decoder;
    /** Payloads given to the encoder, in order, as hex. */
    private final List<String> sent = new ArrayList<>();
    /** The encoder's datagrams (FEC header first), by sequence id. */
    private final List<ByteBuf> shards = new ArrayList<>();

    @BeforeEach
    void setUp() {
        encoder = new FecEncoder(DATA, PARITY, 0, MAX_SHARD, ByteBufAllocator.DEFAULT);
        decoder = new FecDecoder(DATA, PARITY, MAX_SHARD, 3, ByteBufAllocator.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        out.forEach(ByteBuf::release);
        shards.forEach(ByteBuf::release);
        decoder.close();
    }

    private void encodeGroups(int groups, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < groups * DATA; i++) {
            byte[] payload = new byte[1 + random.nextInt(300)];
            random.nextBytes(payload);
            sent.add(ByteBufUtil.hexDump(payload));
            encoder.encode(Unpooled.wrappedBuffer(payload), shards);
        }
    }

    private void feed(int seqId) {
        decoder.decode(shards.get(seqId).duplicate(), out);
    }

    private List<String> received() {
        List<String> hex = new ArrayList<>();
        for (ByteBuf b : out) {
            hex.add(ByteBufUtil.hexDump(b));
        }
        return hex;
    }

    private String sentPayload(int seqId) {
        return sent.get(seqId / TOTAL * DATA + seqId % TOTAL);
    }

    @Test
    void dataShardsPassAtOnceAndMissingOnesAreRecoveredWhenEnoughShardsArrive() {
        encodeGroups(1, 1);
        feed(0);
        assertThat(received()).containsExactly(sentPayload(0));
        feed(2);
        feed(4); // parity
        assertThat(out).hasSize(2);
        feed(5); // parity: 4 shards held, data 1 and 3 are recovered
        assertThat(received()).containsExactly(sentPayload(0), sentPayload(2), sentPayload(1), sentPayload(3));
        assertThat(decoder.recoveredShards()).isEqualTo(2);
        assertThat(decoder.pendingShards()).isZero();
    }

    @Test
    void groupWithAllDataNeedsNoParityAndLateParityIsStale() {
        encodeGroups(1, 2);
        for (int i = 0; i < TOTAL; i++) {
            feed(i);
        }
        assertThat(out).hasSize(DATA);
        assertThat(decoder.recoveredShards()).isZero();
        assertThat(decoder.staleShards()).isEqualTo(PARITY);
        assertThat(decoder.pendingGroups()).isZero();
    }

    @Test
    void duplicateShardsAreDroppedEntirely() {
        encodeGroups(1, 3);
        feed(1);
        feed(1);
        feed(4);
        feed(4);
        assertThat(received()).containsExactly(sentPayload(1));
        assertThat(decoder.duplicateShards()).isEqualTo(2);
        assertThat(decoder.pendingShards()).isEqualTo(2);
    }

    @Test
    void lateDataShardOfADoneGroupIsStillPassedOnButNotKept() {
        encodeGroups(2, 4);
        feed(TOTAL); // group 1, data 0
        feed(TOTAL + 1);
        feed(TOTAL + 2);
        feed(TOTAL + 3); // group 1 complete: floor is group 1
        feed(0); // group 0 is now stale; its payload still goes up (KCP drops what it has)
        assertThat(decoder.staleShards()).isEqualTo(1);
        assertThat(received()).endsWith(sentPayload(0));
        assertThat(decoder.pendingGroups()).isZero();
    }

    @Test
    void keepsAtMostMaxGroupsAndEvictsTheOldest() {
        encodeGroups(6, 5);
        for (int g = 0; g < 6; g++) {
            feed(g * TOTAL + DATA); // one parity shard per group: never enough to complete
            assertThat(decoder.pendingGroups()).isLessThanOrEqualTo(3);
            assertThat(decoder.pendingShards()).isLessThanOrEqualTo(3 * TOTAL);
        }
        assertThat(decoder.evictedGroups()).isEqualTo(3);
        // Group 2 was evicted: its shards are stale now and recover nothing.
        feed(2 * TOTAL);
        feed(2 * TOTAL + 1);
        feed(2 * TOTAL + 2);
        assertThat(decoder.recoveredShards()).isZero();
        assertThat(decoder.staleShards()).isEqualTo(3);
        // Group 5 is kept: three more shards recover its last data shard.
        feed(5 * TOTAL);
        feed(5 * TOTAL + 1);
        feed(5 * TOTAL + 2);
        assertThat(decoder.recoveredShards()).isEqualTo(1);
        assertThat(received()).endsWith(sentPayload(5 * TOTAL + 3));
    }

    @Test
    void shardOlderThanEveryKeptGroupIsDroppedWhenTheWindowIsFull() {
        encodeGroups(5, 6);
        feed(2 * TOTAL + DATA);
        feed(3 * TOTAL + DATA);
        feed(4 * TOTAL + DATA);
        feed(1 * TOTAL + DATA); // older than groups 2..4, window full
        assertThat(decoder.evictedGroups()).isZero();
        assertThat(decoder.staleShards()).isEqualTo(1);
        assertThat(decoder.pendingGroups()).isEqualTo(3);
    }

    @Test
    void survivesSequenceIdWrapAround() {
        // The encoder wraps at the largest multiple of 6 below 2^32; start the decoder's view there.
        long paws = 0xFFFF_FFFFL / TOTAL * TOTAL;
        List<ByteBuf> wrapped = new ArrayList<>();
        try {
            Random random = new Random(7);
            List<String> payloads = new ArrayList<>();
            for (int g = 0; g < 2; g++) {
                long base = g == 0 ? paws - TOTAL : 0;
                byte[][] data = new byte[TOTAL][];
                int max = 0;
                for (int i = 0; i < DATA; i++) {
                    byte[] payload = new byte[1 + random.nextInt(50)];
                    random.nextBytes(payload);
                    payloads.add(ByteBufUtil.hexDump(payload));
                    data[i] = new byte[2 + payload.length];
                    data[i][0] = (byte) data[i].length;
                    System.arraycopy(payload, 0, data[i], 2, payload.length);
                    max = Math.max(max, data[i].length);
                }
                for (int i = 0; i < TOTAL; i++) {
                    data[i] = Arrays.copyOf(i < DATA ? data[i] : new byte[0], max);
                }
                new ReedSolomon(DATA, PARITY).encodeParity(data, max);
                for (int i = 0; i < TOTAL; i++) {
                    ByteBuf shard = Unpooled.buffer();
                    shard.writeIntLE((int) (base + i));
                    shard.writeShortLE(i < DATA ? FecEncoder.TYPE_DATA : FecEncoder.TYPE_PARITY);
                    shard.writeBytes(data[i], 0, i < DATA ? (data[i][0] & 0xFF) : max);
                    wrapped.add(shard);
                }
            }
            // Lose data shard 1 of the last group before the wrap and data shard 0 of the first after.
            for (int i = 0; i < wrapped.size(); i++) {
                if (i != 1 && i != TOTAL) {
                    decoder.decode(wrapped.get(i).duplicate(), out);
                }
            }
            assertThat(decoder.recoveredShards()).isEqualTo(2);
            assertThat(decoder.staleShards()).isEqualTo(2); // each group's last parity arrives after recovery
            assertThat(received()).containsExactlyInAnyOrderElementsOf(payloads);
        } finally {
            wrapped.forEach(ByteBuf::release);
        }
    }

    @Test
    void encoderWrapsAtTheLastWholeGroupAndTheDecoderFollows() {
        long paws = 0xFFFF_FFFFL / TOTAL * TOTAL;
        encoder.seekForTest(paws - TOTAL);
        encodeGroups(2, 10);
        for (int i = 0; i < 2 * TOTAL; i++) {
            long expected = i < TOTAL ? paws - TOTAL + i : i - TOTAL;
            assertThat(shards.get(i).getUnsignedIntLE(0)).as("shard %d", i).isEqualTo(expected);
        }
        // Lose a data shard on each side of the wrap; both come back.
        for (int i = 0; i < 2 * TOTAL; i++) {
            if (i != 2 && i != TOTAL + 1) {
                feed(i);
            }
        }
        assertThat(decoder.recoveredShards()).isEqualTo(2);
        assertThat(new HashSet<>(received())).isEqualTo(new HashSet<>(sent));
    }

    @Test
    void refusesShortOversizedAndInconsistentShardsWithReasons() {
        ByteBuf tooShort = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, (byte) 0xf1, 0, 2});
        assertThatThrownBy(() -> decoder.decode(tooShort, out)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.KCPGO_DATAGRAM_TOO_SHORT));

        FecDecoder small = new FecDecoder(DATA, PARITY, 64, 3, ByteBufAllocator.DEFAULT);
        ByteBuf big = Unpooled.buffer().writeIntLE(0).writeShortLE(0xf2).writeZero(59);
        assertThatThrownBy(() -> small.decode(big, out)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.FEC_SHARD_TOO_LARGE));

        ByteBuf lying = Unpooled.buffer().writeIntLE(0).writeShortLE(0xf1).writeShortLE(40).writeZero(10);
        assertThatThrownBy(() -> decoder.decode(lying, out)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.FEC_SHARD_SIZE_INVALID));
        assertThat(out).isEmpty();
        assertThat(decoder.pendingShards()).isZero();

        ByteBuf notFec = Unpooled.buffer().writeIntLE(0).writeShortLE(0x51).writeZero(20);
        assertThatThrownBy(() -> decoder.decode(notFec, out)).isInstanceOf(IllegalArgumentException.class);
        for (ByteBuf b : List.of(tooShort, big, lying, notFec)) {
            b.release();
        }
        small.close();
    }

    @Test
    void shardTypeAtTheWrongPositionMeansOtherShardCounts() {
        // A 10 + 3 peer's data shard with seqid 4 lands on a parity position of a 4 + 2 decoder.
        ByteBuf data = Unpooled.buffer().writeIntLE(4).writeShortLE(FecEncoder.TYPE_DATA).writeShortLE(12)
                .writeZero(10);
        ByteBuf parity = Unpooled.buffer().writeIntLE(7).writeShortLE(FecEncoder.TYPE_PARITY).writeZero(12);
        try {
            for (ByteBuf shard : List.of(data, parity)) {
                assertThatThrownBy(() -> decoder.decode(shard, out))
                        .isInstanceOfSatisfying(ProtocolException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.FEC_SHARD_COUNTS_MISMATCH))
                        .hasMessageContaining("other shard counts");
            }
            assertThat(out).isEmpty();
            assertThat(decoder.pendingShards()).isZero();
        } finally {
            data.release();
            parity.release();
        }
        // 0xFFFFFFFF is past the wrap point of 6-shard groups (0xFFFFFFFC): no 4 + 2 peer sends it.
        ByteBuf pastWrap = Unpooled.buffer().writeIntLE(-1).writeShortLE(FecEncoder.TYPE_PARITY).writeZero(12);
        try {
            assertThatThrownBy(() -> decoder.decode(pastWrap, out))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.FEC_SHARD_COUNTS_MISMATCH));
        } finally {
            pastWrap.release();
        }
    }

    @Test
    void recoveredShardWithImpossibleSizeIsRefusedAndTheDecoderStaysUsable() {
        // Parity that does not match the data: recovery yields a size field of garbage.
        encodeGroups(2, 8);
        ByteBuf forged = shards.get(DATA).copy();
        try {
            for (int i = FecEncoder.HEADER_SIZE; i < forged.writerIndex(); i++) {
                forged.setByte(i, 0xEE);
            }
            feed(0);
            feed(1);
            feed(2);
            int before = out.size();
            assertThatThrownBy(() -> decoder.decode(forged, out)).isInstanceOfSatisfying(ProtocolException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.FEC_SHARD_SIZE_INVALID));
            assertThat(out).hasSize(before);
            assertThat(decoder.pendingGroups()).isZero();
        } finally {
            forged.release();
        }
        // The next group still decodes and recovers.
        feed(TOTAL);
        feed(TOTAL + 1);
        feed(TOTAL + 2);
        feed(TOTAL + DATA);
        assertThat(received()).endsWith(sentPayload(TOTAL + 3));
    }

    @Test
    void closeReleasesKeptShards() {
        encodeGroups(3, 9);
        for (int g = 0; g < 3; g++) {
            feed(g * TOTAL);
            feed(g * TOTAL + DATA);
        }
        assertThat(decoder.pendingShards()).isEqualTo(6);
        decoder.close();
        assertThat(decoder.pendingShards()).isZero();
        // The leak detector fails this test if close() left a copy unreleased.
    }
}
