package io.janus.transport.kcp.fec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ReedSolomon} matches klauspost/reedsolomon's default code and recovers erasures. */
class ReedSolomonTest {

    @Test
    void encodesKlauspostsPublishedVectorForFivePlusFive() {
        // klauspost/reedsolomon TestOneEncode (also Backblaze JavaReedSolomon's): 5 data + 5 parity.
        ReedSolomon rs = new ReedSolomon(5, 5);
        byte[][] shards = {
            {0, 1}, {4, 5}, {2, 3}, {6, 7}, {8, 9}, new byte[2], new byte[2], new byte[2], new byte[2], new byte[2],
        };
        rs.encodeParity(shards, 2);
        assertThat(shards[5]).containsExactly(12, 13);
        assertThat(shards[6]).containsExactly(10, 11);
        assertThat(shards[7]).containsExactly(14, 15);
        assertThat(shards[8]).containsExactly(90, 91);
        assertThat(shards[9]).containsExactly(94, 95);
    }

    @Test
    void topOfTheMatrixIsTheIdentity() {
        ReedSolomon rs = new ReedSolomon(10, 3);
        for (int r = 0; r < 10; r++) {
            int[] row = rs.matrixRow(r);
            for (int c = 0; c < 10; c++) {
                assertThat(row[c]).as("M[%d][%d]", r, c).isEqualTo(r == c ? 1 : 0);
            }
        }
    }

    @Test
    void recoversEveryPatternOfMaximalDataLossForSeveralConfigurations() {
        int[][] configs = {{1, 1}, {2, 1}, {3, 2}, {10, 3}, {4, 4}, {20, 10}};
        Random random = new Random(42);
        for (int[] config : configs) {
            int data = config[0];
            int parity = config[1];
            ReedSolomon rs = new ReedSolomon(data, parity);
            int length = 1 + random.nextInt(200);
            byte[][] original = randomShards(random, data, parity, length);
            rs.encodeParity(original, length);
            for (int trial = 0; trial < 50; trial++) {
                byte[][] damaged = copy(original);
                boolean[] present = new boolean[data + parity];
                Arrays.fill(present, true);
                int erasures = Math.min(parity, data);
                for (int e = 0; e < erasures; e++) {
                    int victim = random.nextInt(data + parity);
                    present[victim] = false;
                    Arrays.fill(damaged[victim], (byte) 0x5A);
                }
                rs.reconstructData(damaged, present, length);
                for (int d = 0; d < data; d++) {
                    assertThat(damaged[d]).as("%d+%d shard %d", data, parity, d).isEqualTo(original[d]);
                }
            }
        }
    }

    @Test
    void largestCodeOf256ShardsRoundTrips() {
        ReedSolomon rs = new ReedSolomon(200, 56);
        Random random = new Random(7);
        byte[][] shards = randomShards(random, 200, 56, 16);
        rs.encodeParity(shards, 16);
        byte[][] damaged = copy(shards);
        boolean[] present = new boolean[256];
        Arrays.fill(present, true);
        for (int d = 0; d < 56; d++) {
            present[d * 3] = false;
            Arrays.fill(damaged[d * 3], (byte) 0);
        }
        rs.reconstructData(damaged, present, 16);
        for (int d = 0; d < 200; d++) {
            assertThat(damaged[d]).isEqualTo(shards[d]);
        }
    }

    @Test
    void refusesTooFewShardsAndBadShapes() {
        ReedSolomon rs = new ReedSolomon(3, 2);
        byte[][] shards = randomShards(new Random(1), 3, 2, 8);
        boolean[] present = {true, false, false, false, true};
        assertThatThrownBy(() -> rs.reconstructData(shards, present, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only 2 shards present");
        assertThatThrownBy(() -> rs.encodeParity(new byte[4][8], 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shards.length");
        assertThatThrownBy(() -> rs.encodeParity(shards, 9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: >= 9");
        assertThatThrownBy(() -> new ReedSolomon(200, 57)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReedSolomon(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    static byte[][] randomShards(Random random, int data, int parity, int length) {
        byte[][] shards = new byte[data + parity][length];
        for (int d = 0; d < data; d++) {
            random.nextBytes(shards[d]);
        }
        return shards;
    }

    static byte[][] copy(byte[][] shards) {
        byte[][] copy = new byte[shards.length][];
        for (int i = 0; i < shards.length; i++) {
            copy[i] = shards[i].clone();
        }
        return copy;
    }
}
