package io.janus.core.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * One structured change to a valid message, as a coverage-guided fuzzer's mutators make: flip a bit, set
 * a byte, overwrite a 16- or 32-bit field with an interesting value (0, 1, the maximum, 2^31 - 1,
 * 0xFFFFFFFF, the message's own length plus or minus one), truncate, extend, insert, delete, duplicate.
 * Deterministic: the same mutation of the same bytes gives the same result, so a failing input can be
 * written down. Encoded in 9 bytes (kind, at, value) where a target's input is a byte program.
 */
record Mutation(Kind kind, int at, int value) {

    /** What the mutation does. {@code at} picks a position, {@code value} what goes there. */
    enum Kind { NONE, FLIP_BIT, SET_BYTE, SET_U16, SET_U32, TRUNCATE, EXTEND, INSERT, DELETE, DUPLICATE }

    /** Bytes of {@link #encode}. */
    static final int ENCODED_LENGTH = 9;

    static final Mutation NONE = new Mutation(Kind.NONE, 0, 0);

    /** Values that break length and range checks; index {@code value % 10}, with the length appended. */
    private static long interesting(int value, int length, boolean wide) {
        long[] base = wide
                ? new long[] {0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL}
                : new long[] {0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
        int i = Math.floorMod(value, base.length + 3);
        if (i < base.length) {
            return base[i];
        }
        return length + (i - base.length) - 1; // length - 1, length, length + 1
    }

    /** Applies the mutation to a copy of {@code base}. */
    byte[] apply(byte[] base) {
        int n = base.length;
        switch (kind) {
            case NONE:
                return base.clone();
            case FLIP_BIT: {
                if (n == 0) {
                    return base.clone();
                }
                byte[] out = base.clone();
                int bit = Math.floorMod(at, n * 8);
                out[bit / 8] ^= (byte) (1 << (bit % 8));
                return out;
            }
            case SET_BYTE: {
                if (n == 0) {
                    return base.clone();
                }
                byte[] out = base.clone();
                out[Math.floorMod(at, n)] = (byte) value;
                return out;
            }
            case SET_U16: {
                if (n < 2) {
                    return base.clone();
                }
                byte[] out = base.clone();
                int pos = Math.floorMod(at, n - 1);
                long v = interesting(value, n, false);
                out[pos] = (byte) (v >>> 8);
                out[pos + 1] = (byte) v;
                return out;
            }
            case SET_U32: {
                if (n < 4) {
                    return base.clone();
                }
                byte[] out = base.clone();
                int pos = Math.floorMod(at, n - 3);
                ByteBuffer.wrap(out).putInt(pos, (int) interesting(value, n, true));
                return out;
            }
            case TRUNCATE:
                return Arrays.copyOf(base, n == 0 ? 0 : Math.floorMod(at, n));
            case EXTEND: {
                byte[] out = Arrays.copyOf(base, n + 1 + Math.floorMod(value, 64));
                fill(out, n, out.length, at);
                return out;
            }
            case INSERT: {
                int pos = Math.floorMod(at, n + 1);
                int k = 1 + Math.floorMod(value, 16);
                byte[] out = new byte[n + k];
                System.arraycopy(base, 0, out, 0, pos);
                fill(out, pos, pos + k, value);
                System.arraycopy(base, pos, out, pos + k, n - pos);
                return out;
            }
            case DELETE: {
                if (n == 0) {
                    return base.clone();
                }
                int pos = Math.floorMod(at, n);
                int k = Math.min(n - pos, 1 + Math.floorMod(value, 16));
                byte[] out = new byte[n - k];
                System.arraycopy(base, 0, out, 0, pos);
                System.arraycopy(base, pos + k, out, pos, n - pos - k);
                return out;
            }
            case DUPLICATE: {
                if (n == 0) {
                    return base.clone();
                }
                int pos = Math.floorMod(at, n);
                int k = Math.min(n - pos, 1 + Math.floorMod(value, 32));
                byte[] out = new byte[n + k];
                System.arraycopy(base, 0, out, 0, pos + k);
                System.arraycopy(base, pos, out, pos + k, n - pos);
                return out;
            }
            default:
                throw new AssertionError(kind);
        }
    }

    /** Applies mutations in order. */
    static byte[] applyAll(byte[] base, List<Mutation> mutations) {
        byte[] out = base;
        for (Mutation m : mutations) {
            out = m.apply(out);
        }
        return out == base ? base.clone() : out;
    }

    private static void fill(byte[] out, int from, int to, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = from; i < to; i++) {
            out[i] = (byte) random.nextInt(256);
        }
    }

    void encode(ByteBuffer out) {
        out.put((byte) kind.ordinal()).putInt(at).putInt(value);
    }

    static Mutation decode(ByteBuffer in) {
        if (in.remaining() < ENCODED_LENGTH) {
            in.position(in.limit());
            return NONE;
        }
        Kind[] kinds = Kind.values();
        Kind kind = kinds[Math.floorMod(in.get(), kinds.length)];
        return new Mutation(kind, in.getInt(), in.getInt());
    }

    /** Any single mutation other than {@link Kind#NONE}; positions spread over the whole message. */
    static Arbitrary<Mutation> any() {
        return Combinators.combine(
                Arbitraries.of(Kind.values()).filter(k -> k != Kind.NONE),
                Arbitraries.integers().between(0, Integer.MAX_VALUE),
                Arbitraries.integers())
                .as(Mutation::new);
    }

    /** One to three mutations: one is the usual case, a few reach states that one cannot. */
    static Arbitrary<List<Mutation>> some() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, any().map(List::of)),
                Tuple.of(2, any().list().ofMinSize(2).ofMaxSize(3)));
    }
}
