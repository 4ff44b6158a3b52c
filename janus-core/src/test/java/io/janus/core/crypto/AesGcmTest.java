package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link AesGcm}: the AES-256 test cases with a 96-bit IV of the GCM specification (McGrew and Viega,
 * "The Galois/Counter Mode of Operation", appendix B, test cases 13 to 16; 17 and 18 use other IV
 * lengths, which {@link AesGcm} does not support), a cross-check against the JDK's AES/GCM for every
 * length from 0 to 600 bytes and a few up to 70,000 in heap and direct buffers, with one instance
 * reused across many records, and the refusal of any altered tag, ciphertext, additional data or nonce
 * without writing any plaintext.
 */
class AesGcmTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    /** Seals {@code plaintext} with {@code gcm} in a buffer of the given kind; returns ciphertext || tag. */
    private static byte[] seal(AesGcm gcm, byte[] nonce, byte[] aad, byte[] plaintext, boolean direct, int offset) {
        ByteBuf buf = allocate(offset + plaintext.length + AesGcm.TAG_LENGTH + 3, direct);
        try {
            buf.setBytes(offset, plaintext);
            gcm.seal(nonce, aad, 0, aad.length, buf, offset, plaintext.length);
            byte[] out = new byte[plaintext.length + AesGcm.TAG_LENGTH];
            buf.getBytes(offset, out);
            assertThat(buf.readerIndex()).as("indexes untouched").isZero();
            assertThat(buf.writerIndex()).as("indexes untouched").isZero();
            return out;
        } finally {
            buf.release();
        }
    }

    /** Opens ciphertext || tag with {@code gcm}; returns the plaintext, or null when refused. */
    private static byte[] open(AesGcm gcm, byte[] nonce, byte[] aad, byte[] sealed, boolean direct, int offset) {
        ByteBuf buf = allocate(offset + sealed.length + 5, direct);
        try {
            buf.setBytes(offset, sealed);
            int length = sealed.length - AesGcm.TAG_LENGTH;
            boolean opened = gcm.open(nonce, aad, 0, aad.length, buf, offset, length);
            byte[] after = new byte[sealed.length];
            buf.getBytes(offset, after);
            if (!opened) {
                assertThat(after).as("a refused record is left as it came").isEqualTo(sealed);
                return null;
            }
            assertThat(Arrays.copyOfRange(after, length, sealed.length)).as("the tag is left in place")
                    .isEqualTo(Arrays.copyOfRange(sealed, length, sealed.length));
            return Arrays.copyOf(after, length);
        } finally {
            buf.release();
        }
    }

    /** A buffer of exactly {@code capacity} bytes, indexes at 0. */
    private static ByteBuf allocate(int capacity, boolean direct) {
        return direct ? Unpooled.directBuffer(capacity, capacity) : Unpooled.buffer(capacity, capacity);
    }

    private static byte[] jdkSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(plaintext);
    }

    private static byte[] random(Random random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }

    private static void assertVector(String key, String plaintext, String aad, String nonce, String ciphertext,
            String tag) {
        AesGcm gcm = new AesGcm(hex(key));
        byte[] expected = hex(ciphertext + tag);
        for (boolean direct : new boolean[] {false, true}) {
            assertThat(HEX.formatHex(seal(gcm, hex(nonce), hex(aad), hex(plaintext), direct, 0)))
                    .as("seal, direct=%s", direct).isEqualTo(ciphertext + tag);
            assertThat(open(gcm, hex(nonce), hex(aad), expected, direct, 7)).as("open, direct=%s", direct)
                    .isEqualTo(hex(plaintext));
        }
    }

    private static final String ZERO_KEY = "0000000000000000000000000000000000000000000000000000000000000000";
    private static final String KEY = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
    private static final String IV = "cafebabefacedbaddecaf888";
    private static final String P64 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private static final String C64 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

    @Test
    void testCase13EmptyPlaintextZeroKey() {
        assertVector(ZERO_KEY, "", "", "000000000000000000000000", "", "530f8afbc74536b9a963b4f1c4cb738b");
    }

    @Test
    void testCase14OneZeroBlock() {
        assertVector(ZERO_KEY, "00000000000000000000000000000000", "", "000000000000000000000000",
                "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919");
    }

    @Test
    void testCase15FourBlocks() {
        assertVector(KEY, P64, "", IV, C64, "b094dac5d93471bdec1a502270e3cc6c");
    }

    @Test
    void testCase16PartialBlockWithAdditionalData() {
        assertVector(KEY, P64.substring(0, 120), "feedfacedeadbeeffeedfacedeadbeefabaddad2", IV,
                C64.substring(0, 120), "76fc6ece0f4e1768cddf8853bb2d551b");
    }

    @Test
    void matchesTheJdkForEveryLengthUpTo600AndSomeLargerOnes() throws Exception {
        Random random = new Random(8);
        int[] lengths = new int[601 + 6];
        for (int i = 0; i <= 600; i++) {
            lengths[i] = i;
        }
        System.arraycopy(new int[] {1023, 1024, 4097, 16_384, 65_536, 70_000}, 0, lengths, 601, 6);
        byte[] key = null;
        AesGcm gcm = null;
        for (int i = 0; i < lengths.length; i++) {
            if (i % 50 == 0) {
                // One instance for 50 records, each under a new nonce, as a session uses it.
                key = random(random, 32);
                gcm = new AesGcm(key);
            }
            int length = lengths[i];
            byte[] nonce = random(random, 12);
            byte[] aad = random(random, random.nextInt(4) == 0 ? random.nextInt(70) : 1);
            byte[] plaintext = random(random, length);
            boolean direct = (i & 1) == 0;
            byte[] expected = jdkSeal(key, nonce, aad, plaintext);
            assertThat(seal(gcm, nonce, aad, plaintext, direct, i % 9)).as("length %s", length).isEqualTo(expected);
            assertThat(open(gcm, nonce, aad, expected, !direct, i % 5)).as("length %s", length).isEqualTo(plaintext);
        }
    }

    @Test
    void matchesTheJdkWithAes128AndAes192Keys() throws Exception {
        Random random = new Random(128);
        for (int keyLength : new int[] {16, 24}) {
            byte[] key = random(random, keyLength);
            AesGcm gcm = new AesGcm(key);
            for (int length : new int[] {0, 1, 16, 100, 700}) {
                byte[] nonce = random(random, 12);
                byte[] plaintext = random(random, length);
                byte[] aad = random(random, 20);
                byte[] expected = jdkSeal(key, nonce, aad, plaintext);
                assertThat(seal(gcm, nonce, aad, plaintext, true, 0)).isEqualTo(expected);
                assertThat(open(gcm, nonce, aad, expected, false, 0)).isEqualTo(plaintext);
            }
        }
    }

    @Test
    void theAdditionalDataMayLieAnywhereInItsArray() throws Exception {
        Random random = new Random(3);
        byte[] key = random(random, 32);
        byte[] nonce = random(random, 12);
        byte[] plaintext = random(random, 40);
        byte[] types = {0x17, 0x18};
        AesGcm gcm = new AesGcm(key);
        ByteBuf buf = Unpooled.buffer(56, 56).setBytes(0, plaintext);
        try {
            gcm.seal(nonce, types, 1, 1, buf, 0, 40);
            byte[] sealed = new byte[56];
            buf.getBytes(0, sealed);
            assertThat(sealed).isEqualTo(jdkSeal(key, nonce, new byte[] {0x18}, plaintext));
            assertThat(gcm.open(nonce, types, 0, 1, buf, 0, 40)).as("the other type byte").isFalse();
            assertThat(gcm.open(nonce, types, 1, 1, buf, 0, 40)).isTrue();
            byte[] opened = new byte[40];
            buf.getBytes(0, opened);
            assertThat(opened).isEqualTo(plaintext);
        } finally {
            buf.release();
        }
    }

    @Test
    void refusesAnyAlteredTagCiphertextAdditionalDataOrNonceWithoutWritingPlaintext() {
        Random random = new Random(14);
        byte[] key = random(random, 32);
        AesGcm gcm = new AesGcm(key);
        for (int length : new int[] {0, 5, 16, 33, 600}) {
            byte[] nonce = random(random, 12);
            byte[] aad = random(random, 3);
            byte[] plaintext = random(random, length);
            byte[] sealed = seal(gcm, nonce, aad, plaintext, true, 0);
            for (int i = 0; i < sealed.length; i++) {
                byte[] altered = sealed.clone();
                altered[i] ^= (byte) (1 << (i & 7));
                assertThat(open(gcm, nonce, aad, altered, (i & 1) == 0, 0)).as("byte %s of %s", i, length).isNull();
            }
            for (int i = 0; i < aad.length * 8; i++) {
                byte[] altered = aad.clone();
                altered[i >>> 3] ^= (byte) (1 << (i & 7));
                assertThat(open(gcm, nonce, altered, sealed, true, 0)).as("aad bit %s", i).isNull();
            }
            assertThat(open(gcm, nonce, Arrays.copyOf(aad, 2), sealed, true, 0)).as("aad cut").isNull();
            for (int i = 0; i < 96; i++) {
                byte[] altered = nonce.clone();
                altered[i >>> 3] ^= (byte) (1 << (i & 7));
                assertThat(open(gcm, altered, aad, sealed, false, 0)).as("nonce bit %s", i).isNull();
            }
            assertThat(open(new AesGcm(random(random, 32)), nonce, aad, sealed, true, 0)).as("another key").isNull();
            if (length > 0) {
                byte[] shorter = Arrays.copyOfRange(sealed, 1, sealed.length);
                assertThat(open(gcm, nonce, aad, shorter, true, 0)).as("truncated").isNull();
            }
            assertThat(open(gcm, nonce, aad, sealed, true, 0)).as("the original still opens").isEqualTo(plaintext);
        }
    }

    @Test
    void oneInstanceSealsAndOpensManyRecordsInTurn() throws Exception {
        Random random = new Random(99);
        byte[] key = random(random, 32);
        AesGcm sealer = new AesGcm(key);
        AesGcm opener = new AesGcm(key);
        byte[] iv = random(random, 12);
        for (int record = 0; record < 2_000; record++) {
            byte[] nonce = iv.clone();
            nonce[11] ^= (byte) record;
            nonce[10] ^= (byte) (record >>> 8);
            byte[] plaintext = random(random, random.nextInt(300));
            byte[] aad = {0x17};
            byte[] sealed = seal(sealer, nonce, aad, plaintext, record % 3 == 0, 1);
            if (record % 100 == 0) {
                assertThat(sealed).isEqualTo(jdkSeal(key, nonce, aad, plaintext));
            }
            assertThat(open(opener, nonce, aad, sealed, record % 2 == 0, 0)).isEqualTo(plaintext);
        }
    }

    @Test
    void refusesBadArguments() {
        AesGcm gcm = new AesGcm(new byte[32]);
        ByteBuf buf = Unpooled.buffer(32, 32);
        try {
            byte[] nonce = new byte[12];
            byte[] aad = new byte[1];
            assertThatThrownBy(() -> new AesGcm(new byte[31])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key: 31 bytes (expected: 16, 24 or 32)");
            assertThatThrownBy(() -> gcm.seal(new byte[8], aad, 0, 1, buf, 0, 16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("nonce: 8 bytes (expected: 12)");
            assertThatThrownBy(() -> gcm.seal(nonce, aad, 0, 1, buf, 1, 16))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> gcm.open(nonce, aad, 1, 1, buf, 0, 16))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> gcm.seal(nonce, aad, 0, 1, buf.asReadOnly(), 0, 16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("buf is read-only");
            assertThat(gcm.open(nonce, aad, 0, 1, buf, 0, 16)).isFalse();
            byte[] after = new byte[32];
            buf.getBytes(0, after);
            assertThat(after).as("nothing written by the refused open").containsOnly(0);
        } finally {
            buf.release();
        }
    }

    @Test
    void theKeptHashOfTheAdditionalDataNeverServesOtherData() throws Exception {
        Random random = new Random(16);
        byte[] key = random(random, 32);
        AesGcm gcm = new AesGcm(key);
        // Zero bytes of different lengths pad to the same block; lengths 16 and 17 cross into two blocks.
        byte[][] aads = {{}, {0}, {0, 0}, new byte[16], new byte[17], {0x17}, {0x18}, {0x17}, {}, new byte[15], {0}};
        for (int round = 0; round < 3; round++) {
            for (byte[] aad : aads) {
                byte[] nonce = random(random, 12);
                byte[] plaintext = random(random, 20);
                byte[] expected = jdkSeal(key, nonce, aad, plaintext);
                assertThat(seal(gcm, nonce, aad, plaintext, true, 0)).as("aad of %s bytes", aad.length)
                        .isEqualTo(expected);
                assertThat(open(gcm, nonce, aad, expected, false, 0)).isEqualTo(plaintext);
            }
        }
    }
}
