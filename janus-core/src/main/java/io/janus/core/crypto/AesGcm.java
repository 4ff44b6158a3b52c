package io.janus.core.crypto;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM with a 96-bit nonce and a 128-bit tag (NIST SP 800-38D), built once per key and reused for
 * every record: nothing is allocated per record and no cipher engine is re-initialised.
 *
 * <p>The block cipher is the JDK's {@code AES/ECB/NoPadding}, keyed once in the constructor, so that
 * HotSpot's AES intrinsics apply; the GCM construction around it is written here:
 * <ul>
 * <li>the hash subkey {@code H = CIPH_K(0^128)} (SP 800-38D, section 7.1, step 1);
 * <li>the pre-counter block {@code J0 = IV || 0^31 || 1} for a 96-bit IV (section 7.1, step 2);
 * <li>GCTR (section 6.5): the counter blocks {@code inc32(J0)}, {@code inc32(inc32(J0))}, ...
 *     (inc32, section 6.2, increments the low 32 bits modulo 2^32) are written into a per-instance
 *     scratch array and encrypted in one {@link Cipher#update(byte[], int, int, byte[], int)} call per
 *     {@value #CHUNK} bytes, the first call also encrypting {@code J0} for the tag;
 * <li>GHASH (section 6.4) over {@code A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64} (section 7.1,
 *     step 5), multiplying in GF(2^128) as section 6.3 defines it (the polynomial
 *     {@code 1 + x + x^2 + x^7 + x^128}, the leftmost bit of a block the coefficient of x^0);
 * <li>the tag {@code T = MSB_128(GCTR_K(J0, S))}, that is {@code S XOR CIPH_K(J0)} (section 7.1,
 *     step 6), and its check before any decryption (section 7.2, steps 6 to 8).
 * </ul>
 *
 * <p><b>Constant time.</b> GHASH uses no table indexed by secret data (the subkey {@code H} or the
 * running hash): a carry-less 64x64-bit product is computed with integer multiplications of operands
 * masked to every fourth bit ("multiplication with holes": the carries of each product land in the
 * bits that the mask of the result drops), its upper half from the bit-reversed operands; a 128x128
 * product is three of those by Karatsuba, reduced with shifts. (The technique is the one T. Pornin
 * describes for BearSSL's {@code ghash_ctmul64}, "Constant-Time Mul", bearssl.org/constanttime.html;
 * it assumes 64-bit integer multiplication in constant time, as on x86-64 and AArch64.) The tag is
 * compared without an early exit. Lengths and the position of a failure are not secret.
 *
 * <p><b>Cost.</b> Nothing is allocated per record and the engine is never rebuilt, but GHASH in Java
 * costs about 65 ns per 16-byte block on the development machine where the JDK's carry-less-multiply
 * intrinsic costs a few: this class beats the JDK's re-initialised AES-GCM only for records of up to
 * about five blocks ({@link TrafficCipher} uses it up to {@code TrafficCipher.SMALL_RECORD} bytes).
 *
 * <p><b>In place.</b> {@link #seal} encrypts a range of a Netty buffer and writes the tag after it;
 * {@link #open} computes GHASH over the ciphertext first and decrypts only when the tag matches, so
 * no unauthenticated plaintext is ever written: a failed open leaves the buffer as it was.
 *
 * <p>The GHASH of the last additional data of up to 16 bytes is kept: a record layer that
 * authenticates a record type hashes that block once, not once per record.
 *
 * <p><b>Bounds.</b> Two scratch arrays of {@value #CHUNK} bytes and a 16-byte tail; records larger
 * than a chunk are processed in chunks. A record is at most 2^31 - 1 bytes, far below GCM's limit of
 * 2^32 - 2 blocks, so the 32-bit counter never wraps.
 *
 * <p>One instance per key and direction. Not thread-safe: its scratch arrays are reused by every call.
 * The caller supplies a fresh nonce for each record under a key (SP 800-38D, section 8.2.1); this
 * class does not check.
 */
public final class AesGcm {

    /** Nonce bytes: 96 bits, the only IV length this class supports (SP 800-38D, section 5.2.1.1). */
    public static final int NONCE_LENGTH = 12;
    /** Tag bytes: 128 bits. */
    public static final int TAG_LENGTH = 16;
    /** Bytes of counter blocks encrypted per {@code Cipher.update}: 16 blocks; bounds the scratch arrays. */
    public static final int CHUNK = 256;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private static final long M0 = 0x1111111111111111L;
    private static final long M1 = 0x2222222222222222L;
    private static final long M2 = 0x4444444444444444L;
    private static final long M3 = 0x8888888888888888L;

    private final Cipher aes;
    /** Counter blocks of the current chunk; block 0 of the first chunk is J0. */
    private final byte[] counters = new byte[CHUNK];
    /** The key stream: the encrypted counter blocks. */
    private final byte[] stream = new byte[CHUNK];
    /** A partial last block, zero-padded. */
    private final byte[] tail = new byte[16];

    // H = hi:lo as masked operands for the three Karatsuba products (hi, lo, hi ^ lo), plain and
    // bit-reversed: hXY = (operand X) & MY, with X in {1 = hi, 0 = lo, 2 = hi ^ lo}, R for reversed.
    private final long h10, h11, h12, h13;
    private final long h00, h01, h02, h03;
    private final long h20, h21, h22, h23;
    private final long r10, r11, r12, r13;
    private final long r00, r01, r02, r03;
    private final long r20, r21, r22, r23;

    /** The last additional data of up to one block (length, then its bytes), and its GHASH. */
    private int aadCachedLength = -1;
    private long aadCachedHi;
    private long aadCachedLo;
    private long aadHashHi;
    private long aadHashLo;

    /** The running GHASH value, high and low 64 bits. */
    private long yHi;
    private long yLo;

    /**
     * Keys a new instance.
     *
     * @param key an AES key of 16, 24 or 32 bytes; copied by the JDK cipher
     * @throws IllegalArgumentException when the key has another length
     * @throws IllegalStateException when the JVM has no AES/ECB/NoPadding
     */
    public AesGcm(byte[] key) {
        requireNonNull(key, "key");
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: 16, 24 or 32)");
        }
        try {
            aes = Ciphers.get("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB/NoPadding is not available in this JVM", e);
        }
        // H = CIPH_K(0^128), SP 800-38D, section 7.1, step 1.
        byte[] h = new byte[16];
        encrypt(h, 16);
        long hi = (long) LONGS.get(stream, 0);
        long lo = (long) LONGS.get(stream, 8);
        long mid = hi ^ lo;
        h10 = hi & M0; h11 = hi & M1; h12 = hi & M2; h13 = hi & M3;
        h00 = lo & M0; h01 = lo & M1; h02 = lo & M2; h03 = lo & M3;
        h20 = mid & M0; h21 = mid & M1; h22 = mid & M2; h23 = mid & M3;
        long rhi = Long.reverse(hi);
        long rlo = Long.reverse(lo);
        long rmid = Long.reverse(mid);
        r10 = rhi & M0; r11 = rhi & M1; r12 = rhi & M2; r13 = rhi & M3;
        r00 = rlo & M0; r01 = rlo & M1; r02 = rlo & M2; r03 = rlo & M3;
        r20 = rmid & M0; r21 = rmid & M1; r22 = rmid & M2; r23 = rmid & M3;
        Arrays.fill(stream, (byte) 0);
    }

    /**
     * Encrypts {@code length} bytes of {@code buf} at {@code offset} in place and writes the 16-byte tag
     * right after them (SP 800-38D, section 7.1). Absolute indexes: the buffer's reader and writer
     * indexes are not used or changed, and {@code offset + length + 16} must not exceed its capacity.
     * Nothing is allocated; the buffer is read and written 8 bytes at a time, big-endian.
     *
     * @param nonce the 12-byte nonce; never reuse one under the same key
     * @param aad the additional authenticated data
     * @param aadOffset where it starts in {@code aad}
     * @param aadLength its length
     * @param buf the buffer, heap or direct, not read-only, which this method does not release
     * @param offset the plaintext's index in {@code buf}
     * @param length the plaintext's length
     */
    public void seal(byte[] nonce, byte[] aad, int aadOffset, int aadLength, ByteBuf buf, int offset, int length) {
        check(nonce, aad, aadOffset, aadLength, buf, offset, length);
        yHi = 0;
        yLo = 0;
        hashAad(aad, aadOffset, aadLength);
        long j0Hi = 0;
        long j0Lo = 0;
        int done = 0;
        int counter = 2;
        boolean first = true;
        do {
            int slot = first ? 1 : 0;
            int blocks = Math.min(CHUNK / 16 - slot, (length - done + 15) >>> 4);
            counter = fillCounters(nonce, first, blocks, counter);
            encrypt(counters, (slot + blocks) << 4);
            if (first) {
                j0Hi = (long) LONGS.get(stream, 0);
                j0Lo = (long) LONGS.get(stream, 8);
            }
            int s = slot << 4;
            int end = Math.min(length, done + (blocks << 4));
            int p = offset + done;
            for (; done + 16 <= end; done += 16, p += 16, s += 16) {
                long c0 = buf.getLong(p) ^ (long) LONGS.get(stream, s);
                long c1 = buf.getLong(p + 8) ^ (long) LONGS.get(stream, s + 8);
                buf.setLong(p, c0);
                buf.setLong(p + 8, c1);
                ghash(c0, c1);
            }
            if (done < end) {
                int r = end - done;
                for (int i = 0; i < r; i++) {
                    byte c = (byte) (buf.getByte(p + i) ^ stream[s + i]);
                    buf.setByte(p + i, c);
                    tail[i] = c;
                }
                Arrays.fill(tail, r, 16, (byte) 0);
                ghash((long) LONGS.get(tail, 0), (long) LONGS.get(tail, 8));
                done = end;
            }
            first = false;
        } while (done < length);
        ghash((long) aadLength << 3, (long) length << 3);
        int t = offset + length;
        buf.setLong(t, yHi ^ j0Hi);
        buf.setLong(t + 8, yLo ^ j0Lo);
        yHi = 0;
        yLo = 0;
    }

    /**
     * Checks the tag after {@code length} bytes of ciphertext at {@code offset} and, only when it
     * matches, decrypts the ciphertext in place (SP 800-38D, section 7.2). Absolute indexes: the
     * buffer's reader and writer indexes are not used or changed. Nothing is allocated.
     *
     * @param nonce the 12-byte nonce the record was sealed with
     * @param aad the additional authenticated data
     * @param aadOffset where it starts in {@code aad}
     * @param aadLength its length
     * @param buf the buffer, heap or direct, not read-only, which this method does not release; holds the ciphertext and then the tag
     * @param offset the ciphertext's index in {@code buf}
     * @param length the ciphertext's length, the tag excluded
     * @return whether the tag matched; when it did not, the buffer is unchanged
     */
    public boolean open(byte[] nonce, byte[] aad, int aadOffset, int aadLength, ByteBuf buf, int offset, int length) {
        check(nonce, aad, aadOffset, aadLength, buf, offset, length);
        yHi = 0;
        yLo = 0;
        hashAad(aad, aadOffset, aadLength);
        int p = offset;
        int end = offset + length;
        for (; p + 16 <= end; p += 16) {
            ghash(buf.getLong(p), buf.getLong(p + 8));
        }
        if (p < end) {
            int r = end - p;
            for (int i = 0; i < r; i++) {
                tail[i] = buf.getByte(p + i);
            }
            Arrays.fill(tail, r, 16, (byte) 0);
            ghash((long) LONGS.get(tail, 0), (long) LONGS.get(tail, 8));
        }
        ghash((long) aadLength << 3, (long) length << 3);
        long sHi = yHi;
        long sLo = yLo;
        yHi = 0;
        yLo = 0;

        int blocks = Math.min(CHUNK / 16 - 1, (length + 15) >>> 4);
        int counter = fillCounters(nonce, true, blocks, 2);
        encrypt(counters, (1 + blocks) << 4);
        long diff = (sHi ^ (long) LONGS.get(stream, 0) ^ buf.getLong(end))
                | (sLo ^ (long) LONGS.get(stream, 8) ^ buf.getLong(end + 8));
        if (diff != 0) {
            Arrays.fill(stream, (byte) 0);
            return false;
        }
        int done = 0;
        int s = 16;
        while (true) {
            int stop = Math.min(length, done + (blocks << 4));
            int q = offset + done;
            for (; done + 16 <= stop; done += 16, q += 16, s += 16) {
                buf.setLong(q, buf.getLong(q) ^ (long) LONGS.get(stream, s));
                buf.setLong(q + 8, buf.getLong(q + 8) ^ (long) LONGS.get(stream, s + 8));
            }
            for (; done < stop; done++, q++, s++) {
                buf.setByte(q, buf.getByte(q) ^ stream[s]);
            }
            if (done >= length) {
                return true;
            }
            blocks = Math.min(CHUNK / 16, (length - done + 15) >>> 4);
            counter = fillCounters(nonce, false, blocks, counter);
            encrypt(counters, blocks << 4);
            s = 0;
        }
    }

    private static void check(byte[] nonce, byte[] aad, int aadOffset, int aadLength, ByteBuf buf, int offset,
            int length) {
        requireNonNull(nonce, "nonce");
        requireNonNull(aad, "aad");
        requireNonNull(buf, "buf");
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("nonce: " + nonce.length + " bytes (expected: 12)");
        }
        if (aadOffset < 0 || aadLength < 0 || aadLength > aad.length - aadOffset) {
            throw new IndexOutOfBoundsException("aad: " + aadLength + " bytes at " + aadOffset + " of " + aad.length);
        }
        if (offset < 0 || length < 0 || (long) offset + length + TAG_LENGTH > buf.capacity()) {
            throw new IndexOutOfBoundsException(
                    "record: " + length + " bytes and a tag at " + offset + " of a buffer of " + buf.capacity());
        }
        if (buf.isReadOnly()) {
            throw new IllegalArgumentException("buf is read-only");
        }
    }

    /**
     * Writes {@code blocks} counter blocks {@code nonce || [counter]32}, counting up from
     * {@code counter} (inc32, SP 800-38D, section 6.2), after J0 when {@code first}.
     *
     * @return the next counter
     */
    private int fillCounters(byte[] nonce, boolean first, int blocks, int counter) {
        long n0 = (long) LONGS.get(nonce, 0);
        int n1 = (int) INTS.get(nonce, 8);
        int s = 0;
        if (first) {
            // J0 = IV || 0^31 || 1 (section 7.1, step 2).
            LONGS.set(counters, 0, n0);
            INTS.set(counters, 8, n1);
            INTS.set(counters, 12, 1);
            s = 16;
        }
        for (int i = 0; i < blocks; i++, s += 16, counter++) {
            LONGS.set(counters, s, n0);
            INTS.set(counters, s + 8, n1);
            INTS.set(counters, s + 12, counter);
        }
        return counter;
    }

    /** Encrypts the first {@code length} bytes of {@code in} into {@link #stream}. */
    private void encrypt(byte[] in, int length) {
        try {
            int written = aes.update(in, 0, length, stream, 0);
            if (written != length) {
                throw new IllegalStateException("AES/ECB wrote " + written + " of " + length + " bytes");
            }
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private void hashAad(byte[] aad, int offset, int length) {
        if (length <= 16) {
            // One block, typically the same one record after record (a record type): its GHASH, A * H,
            // is kept. The additional data is public, so comparing it may take data-dependent time.
            long aHi = 0;
            long aLo = 0;
            for (int i = 0; i < length; i++) {
                long b = aad[offset + i] & 0xFFL;
                if (i < 8) {
                    aHi |= b << (56 - 8 * i);
                } else {
                    aLo |= b << (120 - 8 * i);
                }
            }
            if (length != aadCachedLength || aHi != aadCachedHi || aLo != aadCachedLo) {
                if (length > 0) {
                    ghash(aHi, aLo);
                }
                aadCachedLength = length;
                aadCachedHi = aHi;
                aadCachedLo = aLo;
                aadHashHi = yHi;
                aadHashLo = yLo;
            }
            yHi = aadHashHi;
            yLo = aadHashLo;
            return;
        }
        int p = offset;
        int end = offset + length;
        for (; p + 16 <= end; p += 16) {
            ghash((long) LONGS.get(aad, p), (long) LONGS.get(aad, p + 8));
        }
        if (p < end) {
            int r = end - p;
            System.arraycopy(aad, p, tail, 0, r);
            Arrays.fill(tail, r, 16, (byte) 0);
            ghash((long) LONGS.get(tail, 0), (long) LONGS.get(tail, 8));
        }
    }

    /**
     * One GHASH step (SP 800-38D, section 6.4): {@code Y = (Y XOR X) * H} in GF(2^128) (section 6.3).
     *
     * <p>A block {@code hi:lo} read big-endian holds the coefficient of x^i at bit {@code 127 - i}. In
     * that reflected order the carry-less product of two blocks, shifted left by one, holds the
     * coefficient of x^i at bit {@code 255 - i}; the upper 128 bits are then the coefficients of x^0 to
     * x^127 and the lower ones those of x^128 to x^255, folded back with x^128 = 1 + x + x^2 + x^7.
     */
    private void ghash(long xHi, long xLo) {
        long a1 = yHi ^ xHi;
        long a0 = yLo ^ xLo;
        long a2 = a1 ^ a0;
        // Karatsuba: a1*b1, a0*b0, (a1^a0)*(b1^b0), each 64x64 -> 128 bits (hi from the reversed operands).
        long p1l = bmul(a1, h10, h11, h12, h13);
        long p0l = bmul(a0, h00, h01, h02, h03);
        long p2l = bmul(a2, h20, h21, h22, h23);
        // Bit reversal is linear: reverse(a1 ^ a0) = reverse(a1) ^ reverse(a0).
        long a1r = Long.reverse(a1);
        long a0r = Long.reverse(a0);
        long p1h = Long.reverse(bmul(a1r, r10, r11, r12, r13)) >>> 1;
        long p0h = Long.reverse(bmul(a0r, r00, r01, r02, r03)) >>> 1;
        long p2h = Long.reverse(bmul(a1r ^ a0r, r20, r21, r22, r23)) >>> 1;
        p2l ^= p1l ^ p0l;
        p2h ^= p1h ^ p0h;
        // The 255-bit product z0:z1:z2:z3 (z0 the most significant word).
        long z0 = p1h;
        long z1 = p1l ^ p2h;
        long z2 = p0h ^ p2l;
        long z3 = p0l;
        // Shift left by one into the reflected order of 256 bits.
        long w0 = (z0 << 1) | (z1 >>> 63);
        long w1 = (z1 << 1) | (z2 >>> 63);
        long w2 = (z2 << 1) | (z3 >>> 63);
        long w3 = z3 << 1;
        // Fold x^192..x^255 (w3) into x^64..x^134, then x^128..x^191 (w2) into x^0..x^70.
        w1 ^= w3 ^ (w3 >>> 1) ^ (w3 >>> 2) ^ (w3 >>> 7);
        w2 ^= (w3 << 63) ^ (w3 << 62) ^ (w3 << 57);
        w0 ^= w2 ^ (w2 >>> 1) ^ (w2 >>> 2) ^ (w2 >>> 7);
        w1 ^= (w2 << 63) ^ (w2 << 62) ^ (w2 << 57);
        yHi = w0;
        yLo = w1;
    }

    /**
     * The low 64 bits of the carry-less product of {@code x} and {@code y}, given {@code y} split into
     * {@code y & M0} to {@code y & M3}. With every fourth bit kept, each integer product sums at most 15
     * one-bit terms at any of its bits below bit 60 (16 at most at bits 60 to 63, whose carries leave the
     * word), so a sum fits in the four bits up to the next bit of the same class and its carries land in
     * bits that the final masks drop. Integer multiplication takes the same time for all operands on the
     * processors HotSpot targets.
     */
    private static long bmul(long x, long y0, long y1, long y2, long y3) {
        long x0 = x & M0;
        long x1 = x & M1;
        long x2 = x & M2;
        long x3 = x & M3;
        long z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
        long z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
        long z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
        long z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
        return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
    }
}
