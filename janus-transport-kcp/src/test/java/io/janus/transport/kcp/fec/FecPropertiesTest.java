package io.janus.transport.kcp.fec;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of the Reed-Solomon code and of the FEC codec, over generated shard counts and losses. */
class FecPropertiesTest {

    @Property(tries = 200)
    void anyDataShardsOfAGroupRecoverTheRest(@ForAll @IntRange(min = 1, max = 40) int data,
            @ForAll @IntRange(min = 1, max = 20) int parity, @ForAll @IntRange(min = 0, max = 64) int length,
            @ForAll long seed) {
        Random random = new Random(seed);
        ReedSolomon rs = new ReedSolomon(data, parity);
        byte[][] shards = ReedSolomonTest.randomShards(random, data, parity, length);
        rs.encodeParity(shards, length);

        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < data + parity; i++) {
            indexes.add(i);
        }
        Collections.shuffle(indexes, random);
        int lost = random.nextInt(parity + 1);
        boolean[] present = new boolean[data + parity];
        Arrays.fill(present, true);
        byte[][] damaged = ReedSolomonTest.copy(shards);
        for (int k = 0; k < lost; k++) {
            present[indexes.get(k)] = false;
            Arrays.fill(damaged[indexes.get(k)], (byte) 0xA5);
        }
        rs.reconstructData(damaged, present, length);
        for (int d = 0; d < data; d++) {
            assertThat(damaged[d]).isEqualTo(shards[d]);
        }
    }

    @Property(tries = 100)
    void parityIsLinearSoTheXorOfTwoGroupsEncodesToTheXorOfTheirParity(
            @ForAll @IntRange(min = 1, max = 30) int data, @ForAll @IntRange(min = 1, max = 10) int parity,
            @ForAll long seed) {
        Random random = new Random(seed);
        ReedSolomon rs = new ReedSolomon(data, parity);
        byte[][] a = ReedSolomonTest.randomShards(random, data, parity, 16);
        byte[][] b = ReedSolomonTest.randomShards(random, data, parity, 16);
        byte[][] sum = new byte[data + parity][16];
        for (int d = 0; d < data; d++) {
            for (int i = 0; i < 16; i++) {
                sum[d][i] = (byte) (a[d][i] ^ b[d][i]);
            }
        }
        rs.encodeParity(a, 16);
        rs.encodeParity(b, 16);
        rs.encodeParity(sum, 16);
        for (int p = data; p < data + parity; p++) {
            for (int i = 0; i < 16; i++) {
                assertThat(sum[p][i]).isEqualTo((byte) (a[p][i] ^ b[p][i]));
            }
        }
    }

    @Property(tries = 40)
    void codecDeliversEveryPayloadWhenEachGroupLosesAtMostParityShards(
            @ForAll("shardCounts") int[] counts, @ForAll boolean header,
            @ForAll @IntRange(min = 1, max = 40) int payloadCount, @ForAll long seed) {
        int data = counts[0];
        int parity = counts[1];
        int total = data + parity;
        Random random = new Random(seed);
        KcpGoPacketConfig config = KcpGoPacketConfig.builder().packetHeader(header).fec(data, parity).build();
        List<ByteBuf> datagrams = new ArrayList<>();
        List<ByteBuf> payloads = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        try (KcpGoPacketCodec sender = new KcpGoPacketCodec(config, ByteBufAllocator.DEFAULT);
                KcpGoPacketCodec receiver = new KcpGoPacketCodec(config, ByteBufAllocator.DEFAULT)) {
            for (int i = 0; i < payloadCount; i++) {
                // Mostly small payloads (the usual game traffic), now and then one of the largest size.
                int length = random.nextInt(8) == 0 ? sender.maxPayloadSize() : 1 + random.nextInt(200);
                byte[] payload = new byte[length];
                random.nextBytes(payload);
                sent.add(ByteBufUtil.hexDump(payload));
                sender.encode(Unpooled.wrappedBuffer(payload), datagrams);
            }
            int completeGroups = payloadCount / data;
            List<ByteBuf> delivered = new ArrayList<>();
            for (int g = 0; g * total < datagrams.size(); g++) {
                List<ByteBuf> group = new ArrayList<>(datagrams.subList(g * total,
                        Math.min(datagrams.size(), (g + 1) * total)));
                if (g < completeGroups) {
                    Collections.shuffle(group, random); // reordering inside a group
                    int lose = random.nextInt(parity + 1);
                    group = group.subList(lose, group.size());
                }
                delivered.addAll(group);
            }
            for (ByteBuf d : delivered) {
                receiver.decode(d.duplicate(), payloads);
            }
            List<String> got = new ArrayList<>();
            payloads.forEach(p -> got.add(ByteBufUtil.hexDump(p)));
            // A data shard that arrives after its group was completed by recovery is passed on again,
            // as kcp-go does (KCP drops the duplicate segment): so compare as sets.
            assertThat(new HashSet<>(got)).isEqualTo(new HashSet<>(sent));
            assertThat(got.size() - sent.size()).isBetween(0, completeGroups * parity);
            assertThat(receiver.fecDecoder().pendingShards()).isLessThanOrEqualTo(
                    config.maxFecGroups() * total);
        } finally {
            datagrams.forEach(ByteBuf::release);
            payloads.forEach(ByteBuf::release);
        }
    }

    @Property(tries = 100)
    void arbitraryBytesNeverEscapeAsAnythingButAProtocolException(@ForAll byte[] junk, @ForAll boolean header,
            @ForAll boolean fec) {
        KcpGoPacketConfig config = KcpGoPacketConfig.builder().packetHeader(header)
                .fec(fec ? 10 : 0, fec ? 3 : 0).build();
        List<ByteBuf> payloads = new ArrayList<>();
        ByteBuf datagram = ByteBufAllocator.DEFAULT.buffer().writeBytes(junk);
        if (header && junk.length >= KcpGoHeader.SIZE) {
            KcpGoHeader.seal(datagram); // let half of the junk past the checksum
        }
        try (KcpGoPacketCodec codec = new KcpGoPacketCodec(config, ByteBufAllocator.DEFAULT)) {
            codec.decode(datagram, payloads);
        } catch (ProtocolException expected) {
            assertThat(payloads).isEmpty();
        } finally {
            datagram.release();
            payloads.forEach(ByteBuf::release);
        }
    }

    @Provide
    Arbitrary<int[]> shardCounts() {
        return Arbitraries.integers().between(1, 16).flatMap(d -> Arbitraries.integers().between(1, 8)
                .map(p -> new int[] {d, p}));
    }
}
