package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link Hkdf} against RFC 5869, Appendix A, test cases 1 to 3 (the SHA-256 cases). {@link Hkdf#expand}
 * takes its {@code info} as an ASCII label, and the info of test cases 1 and 2 is not ASCII; so for
 * those the test proves {@link Hkdf#extract} against the RFC's PRK, proves a plain HMAC-SHA256 HKDF
 * written here against the RFC's OKM, and then proves {@link Hkdf#expand} equal to that reference for
 * ASCII labels of every length class. Test case 3 (empty info) is checked end to end.
 */
class HkdfTest {

    private static final HexFormat HEX = HexFormat.of();

    /** One RFC 5869 Appendix A test case. */
    private record RfcCase(String ikm, String salt, String info, int length, String prk, String okm) {
    }

    private static final RfcCase CASE_1 = new RfcCase(
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "000102030405060708090a0b0c",
            "f0f1f2f3f4f5f6f7f8f9",
            42,
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

    private static final RfcCase CASE_2 = new RfcCase(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                    + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                    + "404142434445464748494a4b4c4d4e4f",
            "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                    + "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                    + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
            "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
                    + "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
                    + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
            82,
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                    + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                    + "cc30c58179ec3e87c14c01d5c1f3434f1d87");

    private static final RfcCase CASE_3 = new RfcCase(
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "",
            "",
            42,
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");

    /** HKDF-Expand (RFC 5869, section 2.3) with raw info bytes, written from the RFC with javax.crypto. */
    static byte[] referenceExpand(byte[] prk, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        byte[] okm = new byte[length];
        byte[] t = new byte[0];
        for (int i = 1, written = 0; written < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - written);
            System.arraycopy(t, 0, okm, written, n);
            written += n;
        }
        return okm;
    }

    /** HKDF-Extract (RFC 5869, section 2.2) written from the RFC with javax.crypto. */
    static byte[] referenceExtract(byte[] salt, byte[] ikm) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
        return mac.doFinal(ikm);
    }

    @Test
    void extractMatchesRfc5869TestCases1To3() {
        for (RfcCase c : new RfcCase[] {CASE_1, CASE_2, CASE_3}) {
            assertThat(HEX.formatHex(Hkdf.extract(HEX.parseHex(c.salt), HEX.parseHex(c.ikm)))).isEqualTo(c.prk);
        }
    }

    @Test
    void extractWithoutSaltUsesHashLengthZeros() {
        // RFC 5869, section 2.2: "if not provided, [salt] is set to a string of HashLen zeros" (test case 3).
        assertThat(Hkdf.extract(new byte[0], HEX.parseHex(CASE_3.ikm)))
                .isEqualTo(Hkdf.extract(new byte[32], HEX.parseHex(CASE_3.ikm)));
    }

    @Test
    void expandWithEmptyInfoMatchesRfc5869TestCase3() {
        assertThat(Hkdf.expand(HEX.parseHex(CASE_3.prk), "", CASE_3.length)).isEqualTo(HEX.parseHex(CASE_3.okm));
    }

    @Test
    void referenceHkdfOfThisTestMatchesAllThreeRfc5869Cases() throws Exception {
        for (RfcCase c : new RfcCase[] {CASE_1, CASE_2, CASE_3}) {
            byte[] prk = referenceExtract(HEX.parseHex(c.salt), HEX.parseHex(c.ikm));
            assertThat(HEX.formatHex(prk)).as("PRK").isEqualTo(c.prk);
            assertThat(HEX.formatHex(referenceExpand(prk, HEX.parseHex(c.info), c.length))).as("OKM").isEqualTo(c.okm);
        }
    }

    @Test
    void expandWithAsciiLabelsMatchesTheReferenceAtEveryLength() throws Exception {
        // The PRKs of the RFC cases with non-ASCII info, expanded with the protocol's own labels, at the
        // lengths around every block boundary, up to the RFC's maximum of 255 blocks.
        for (int length : new int[] {1, 12, 31, 32, 33, 42, 64, 65, 82, 255 * 32}) {
            for (RfcCase c : new RfcCase[] {CASE_1, CASE_2}) {
                byte[] prk = HEX.parseHex(c.prk);
                for (String label : new String[] {"janus/v1 c2s", "janus/v1 key update", "janus/v1 iv"}) {
                    assertThat(Hkdf.expand(prk, label, length)).as("%s, %s bytes", label, length)
                            .isEqualTo(referenceExpand(prk, label.getBytes(StandardCharsets.US_ASCII), length));
                }
            }
        }
    }

    @Test
    void expandIsAPrefixAcrossLengths() {
        byte[] prk = HEX.parseHex(CASE_1.prk);
        byte[] longer = Hkdf.expand(prk, "janus/v1 key", 100);
        assertThat(Hkdf.expand(prk, "janus/v1 key", 33)).isEqualTo(java.util.Arrays.copyOf(longer, 33));
    }

    @Test
    void expandOfDifferentLabelsDiffers() {
        byte[] prk = HEX.parseHex(CASE_1.prk);
        assertThat(Hkdf.expand(prk, "janus/v1 key", 32)).isNotEqualTo(Hkdf.expand(prk, "janus/v1 iv", 32));
    }

    @Test
    void expandRefusesLengthsOutsideRfc5869Limits() {
        for (int length : new int[] {0, -1, 255 * 32 + 1}) {
            assertThatThrownBy(() -> Hkdf.expand(new byte[32], "x", length))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("length: " + length + " (expected: 1 to 8160)");
        }
    }
}
