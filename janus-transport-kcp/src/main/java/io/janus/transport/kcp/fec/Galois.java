package io.janus.transport.kcp.fec;

/**
 * Arithmetic in GF(2^8) as used by klauspost/reedsolomon (and therefore by kcp-go): the field is
 * built on the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) with generator 2. Addition is
 * XOR; multiplication goes through a full 256 x 256 product table (64 KiB, built once) so the inner
 * loops of encoding are a single array lookup per byte.
 */
final class Galois {

    /** The field's reduction polynomial, including the x^8 term. */
    static final int POLYNOMIAL = 0x11D;

    /** {@code EXP[i]} is 2^i; doubled in length so a sum of two logarithms needs no modulo. */
    private static final int[] EXP = new int[510];

    /** {@code LOG[a]} is the discrete logarithm of {@code a} to base 2; {@code LOG[0]} is unused. */
    private static final int[] LOG = new int[256];

    /** {@code MUL[a][b]} is the product a * b. */
    private static final byte[][] MUL = new byte[256][256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            EXP[i + 255] = x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) {
                x ^= POLYNOMIAL;
            }
        }
        for (int a = 1; a < 256; a++) {
            for (int b = 1; b < 256; b++) {
                MUL[a][b] = (byte) EXP[LOG[a] + LOG[b]];
            }
        }
    }

    private Galois() {
    }

    /** Returns a * b. */
    static int mul(int a, int b) {
        return MUL[a & 0xFF][b & 0xFF] & 0xFF;
    }

    /** Returns a / b; {@code b} must not be zero. */
    static int div(int a, int b) {
        if (b == 0) {
            throw new ArithmeticException("division by zero in GF(256)");
        }
        if (a == 0) {
            return 0;
        }
        return EXP[LOG[a] - LOG[b] + 255];
    }

    /**
     * Returns a raised to the power n, with 0^0 = 1, exactly as klauspost/reedsolomon's {@code galExp}
     * defines it for its Vandermonde matrix.
     */
    static int exp(int a, int n) {
        if (n == 0) {
            return 1;
        }
        if (a == 0) {
            return 0;
        }
        return EXP[(LOG[a] * n) % 255];
    }

    /** Returns the row of the product table for multiplying by {@code coefficient}; never modify it. */
    static byte[] mulRow(int coefficient) {
        return MUL[coefficient & 0xFF];
    }

    /**
     * Adds {@code coefficient * in[inOff..inOff+len)} into {@code out[outOff..outOff+len)}.
     */
    static void mulAdd(int coefficient, byte[] in, int inOff, byte[] out, int outOff, int len) {
        if (coefficient == 0) {
            return;
        }
        if (coefficient == 1) {
            for (int i = 0; i < len; i++) {
                out[outOff + i] ^= in[inOff + i];
            }
            return;
        }
        byte[] row = MUL[coefficient];
        for (int i = 0; i < len; i++) {
            out[outOff + i] ^= row[in[inOff + i] & 0xFF];
        }
    }

    /**
     * Writes {@code coefficient * in[inOff..inOff+len)} into {@code out[outOff..outOff+len)}.
     */
    static void mulSet(int coefficient, byte[] in, int inOff, byte[] out, int outOff, int len) {
        byte[] row = MUL[coefficient & 0xFF];
        for (int i = 0; i < len; i++) {
            out[outOff + i] = row[in[inOff + i] & 0xFF];
        }
    }
}
