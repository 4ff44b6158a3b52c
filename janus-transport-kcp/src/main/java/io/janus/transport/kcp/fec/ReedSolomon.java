package io.janus.transport.kcp.fec;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * A systematic Reed-Solomon erasure code over GF(2^8), byte-for-byte compatible with the default
 * encoder of <a href="https://github.com/klauspost/reedsolomon">klauspost/reedsolomon</a>, which
 * kcp-go uses for its FEC layer.
 *
 * <p>Construction (klauspost/reedsolomon {@code buildMatrix}, after Backblaze's JavaReedSolomon):
 * the field is GF(2^8) with polynomial 0x11D and generator 2 ({@link Galois}); a
 * {@code total x data} Vandermonde matrix {@code V[r][c] = r^c} (with 0^0 = 1) is multiplied on the
 * right by the inverse of its top {@code data x data} square, which makes the top square the identity
 * (data shards are sent unchanged) while keeping every {@code data x data} selection of rows
 * invertible. Parity shard {@code p} is {@code sum_c M[data + p][c] * shard[c]}, byte by byte.
 * Reconstruction inverts the rows of the first {@code data} shards present, as klauspost does; the
 * inverse is unique, so the recovered bytes do not depend on the elimination order.
 *
 * <p>Instances are immutable apart from a one-entry cache of the last decoding matrix, so an instance
 * must not be used by two threads at once (one per codec, like the codec itself).
 */
public final class ReedSolomon {

    /** The largest total number of shards GF(2^8) allows. */
    public static final int MAX_TOTAL_SHARDS = 256;

    private final int dataShards;
    private final int parityShards;
    private final int totalShards;
    /** The full {@code total x data} encoding matrix; rows {@code data..total-1} make parity. */
    private final int[][] matrix;

    /** Present-shard pattern of {@link #cachedInverse}, or {@code null}. */
    private boolean[] cachedPattern;
    private int[][] cachedInverse;
    private int[] cachedRows;

    /**
     * Creates a code with the given numbers of data and parity shards.
     *
     * @param dataShards data shards per group, at least 1
     * @param parityShards parity shards per group, at least 1
     * @throws IllegalArgumentException when a count is below 1 or their sum exceeds 256
     */
    public ReedSolomon(int dataShards, int parityShards) {
        if (dataShards < 1 || parityShards < 1) {
            throw new IllegalArgumentException("dataShards: " + dataShards + ", parityShards: " + parityShards
                    + " (expected: both >= 1)");
        }
        if (dataShards + parityShards > MAX_TOTAL_SHARDS) {
            throw new IllegalArgumentException("dataShards + parityShards: " + (dataShards + parityShards)
                    + " (expected: <= " + MAX_TOTAL_SHARDS + ")");
        }
        this.dataShards = dataShards;
        this.parityShards = parityShards;
        this.totalShards = dataShards + parityShards;
        this.matrix = buildMatrix(dataShards, totalShards);
    }

    /** Returns the number of data shards per group. */
    public int dataShards() {
        return dataShards;
    }

    /** Returns the number of parity shards per group. */
    public int parityShards() {
        return parityShards;
    }

    /** Returns data plus parity shards. */
    public int totalShards() {
        return totalShards;
    }

    /**
     * Returns a copy of one row of the encoding matrix (rows below {@link #dataShards()} are the
     * identity), for tests and diagnostics.
     *
     * @param row the row, {@code 0 <= row < totalShards()}
     * @return the row's {@code dataShards()} coefficients
     */
    public int[] matrixRow(int row) {
        checkIndex(row, totalShards, "row");
        return matrix[row].clone();
    }

    /**
     * Computes the parity shards from the data shards.
     *
     * @param shards {@code totalShards()} arrays: the data shards first (read), then the parity shards
     *     (overwritten); each at least {@code length} bytes long
     * @param length the number of bytes of each shard to encode
     * @throws IllegalArgumentException when the array count or a length does not fit
     */
    public void encodeParity(byte[][] shards, int length) {
        checkShards(shards, length);
        for (int p = 0; p < parityShards; p++) {
            encodeParity(p, shards, 0, shards[dataShards + p], 0, length);
        }
    }

    /**
     * Computes parity shard {@code parityIndex} into {@code out} starting at {@code outOff}; the data
     * shards are read from {@code data[c][dataOff..dataOff+length)}.
     */
    void encodeParity(int parityIndex, byte[][] data, int dataOff, byte[] out, int outOff, int length) {
        int[] row = matrix[dataShards + parityIndex];
        Galois.mulSet(row[0], data[0], dataOff, out, outOff, length);
        for (int c = 1; c < dataShards; c++) {
            Galois.mulAdd(row[c], data[c], dataOff, out, outOff, length);
        }
    }

    /**
     * Recovers the missing data shards from any {@code dataShards()} shards that are present. Parity
     * shards that are missing are left untouched (kcp-go never needs them).
     *
     * @param shards {@code totalShards()} arrays, each at least {@code length} bytes long; the arrays
     *     of missing data shards are overwritten with the recovered bytes
     * @param present which shards hold valid bytes
     * @param length the number of bytes of each shard
     * @throws IllegalArgumentException when fewer than {@code dataShards()} shards are present or an
     *     array does not fit
     */
    public void reconstructData(byte[][] shards, boolean[] present, int length) {
        checkShards(shards, length);
        requireNonNull(present, "present");
        if (present.length != totalShards) {
            throw new IllegalArgumentException("present.length: " + present.length + " (expected: "
                    + totalShards + ")");
        }
        int count = 0;
        boolean dataMissing = false;
        for (int i = 0; i < totalShards; i++) {
            if (present[i]) {
                count++;
            } else if (i < dataShards) {
                dataMissing = true;
            }
        }
        if (count < dataShards) {
            throw new IllegalArgumentException("only " + count + " shards present (expected: at least "
                    + dataShards + ")");
        }
        if (!dataMissing) {
            return;
        }
        if (cachedPattern == null || !Arrays.equals(cachedPattern, present)) {
            int[] rows = new int[dataShards];
            for (int i = 0, n = 0; n < dataShards; i++) {
                if (present[i]) {
                    rows[n++] = i;
                }
            }
            int[][] sub = new int[dataShards][];
            for (int r = 0; r < dataShards; r++) {
                sub[r] = matrix[rows[r]].clone();
            }
            cachedInverse = invert(sub);
            cachedRows = rows;
            cachedPattern = present.clone();
        }
        int[][] inverse = cachedInverse;
        int[] rows = cachedRows;
        for (int d = 0; d < dataShards; d++) {
            if (present[d]) {
                continue;
            }
            // Missing data shard d is row d of the inverse applied to the chosen present shards;
            // none of those is shard d itself, so writing it cannot disturb the inputs.
            byte[] out = shards[d];
            int[] coefficients = inverse[d];
            Galois.mulSet(coefficients[0], shards[rows[0]], 0, out, 0, length);
            for (int c = 1; c < dataShards; c++) {
                Galois.mulAdd(coefficients[c], shards[rows[c]], 0, out, 0, length);
            }
        }
    }

    private void checkShards(byte[][] shards, int length) {
        requireNonNull(shards, "shards");
        if (shards.length != totalShards) {
            throw new IllegalArgumentException("shards.length: " + shards.length + " (expected: "
                    + totalShards + ")");
        }
        if (length < 0) {
            throw new IllegalArgumentException("length: " + length + " (expected: >= 0)");
        }
        for (int i = 0; i < totalShards; i++) {
            requireNonNull(shards[i], "shards[i]");
            if (shards[i].length < length) {
                throw new IllegalArgumentException("shards[" + i + "].length: " + shards[i].length
                        + " (expected: >= " + length + ")");
            }
        }
    }

    private static void checkIndex(int index, int bound, String name) {
        if (index < 0 || index >= bound) {
            throw new IllegalArgumentException(name + ": " + index + " (expected: 0 <= " + name + " < "
                    + bound + ")");
        }
    }

    /** klauspost/reedsolomon's default matrix: Vandermonde times the inverse of its top square. */
    private static int[][] buildMatrix(int dataShards, int totalShards) {
        int[][] vandermonde = new int[totalShards][dataShards];
        for (int r = 0; r < totalShards; r++) {
            for (int c = 0; c < dataShards; c++) {
                vandermonde[r][c] = Galois.exp(r, c);
            }
        }
        int[][] top = new int[dataShards][];
        for (int r = 0; r < dataShards; r++) {
            top[r] = vandermonde[r].clone();
        }
        int[][] topInverse = invert(top);
        int[][] result = new int[totalShards][dataShards];
        for (int r = 0; r < totalShards; r++) {
            for (int c = 0; c < dataShards; c++) {
                int value = 0;
                for (int k = 0; k < dataShards; k++) {
                    value ^= Galois.mul(vandermonde[r][k], topInverse[k][c]);
                }
                result[r][c] = value;
            }
        }
        return result;
    }

    /**
     * Inverts a square matrix by Gauss-Jordan elimination; {@code m} is destroyed.
     *
     * @throws IllegalStateException when the matrix is singular (never for rows of a valid code)
     */
    static int[][] invert(int[][] m) {
        int n = m.length;
        int[][] inv = new int[n][n];
        for (int i = 0; i < n; i++) {
            inv[i][i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && m[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new IllegalStateException("singular matrix");
            }
            if (pivot != col) {
                int[] t = m[pivot];
                m[pivot] = m[col];
                m[col] = t;
                t = inv[pivot];
                inv[pivot] = inv[col];
                inv[col] = t;
            }
            int scale = m[col][col];
            if (scale != 1) {
                for (int c = 0; c < n; c++) {
                    m[col][c] = Galois.div(m[col][c], scale);
                    inv[col][c] = Galois.div(inv[col][c], scale);
                }
            }
            for (int r = 0; r < n; r++) {
                int factor = m[r][col];
                if (r == col || factor == 0) {
                    continue;
                }
                for (int c = 0; c < n; c++) {
                    m[r][c] ^= Galois.mul(factor, m[col][c]);
                    inv[r][c] ^= Galois.mul(factor, inv[col][c]);
                }
            }
        }
        return inv;
    }
}
