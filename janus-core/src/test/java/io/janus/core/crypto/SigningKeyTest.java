package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link SigningKey}: Ed25519 against RFC 8032, section 7.1, TEST 1 (empty message) and TEST 2, and
 * verification refusing altered messages, altered signatures and keys or signatures of the wrong length.
 */
class SigningKeyTest {

    private static final HexFormat HEX = HexFormat.of();

    private static final String TEST1_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private static final String TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private static final String TEST1_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
            + "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    private static final String TEST2_SECRET = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
    private static final String TEST2_PUBLIC = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    private static final String TEST2_MESSAGE = "72";
    private static final String TEST2_SIGNATURE = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    @Test
    void rfc8032Test1EmptyMessage() {
        SigningKey key = SigningKey.fromSeed(HEX.parseHex(TEST1_SECRET));
        assertThat(HEX.formatHex(key.publicKey())).isEqualTo(TEST1_PUBLIC);
        assertThat(HEX.formatHex(key.sign(new byte[0]))).isEqualTo(TEST1_SIGNATURE);
        assertThat(SigningKey.verify(HEX.parseHex(TEST1_PUBLIC), new byte[0], HEX.parseHex(TEST1_SIGNATURE))).isTrue();
    }

    @Test
    void rfc8032Test2OneByteMessage() {
        SigningKey key = SigningKey.fromSeed(HEX.parseHex(TEST2_SECRET));
        assertThat(HEX.formatHex(key.publicKey())).isEqualTo(TEST2_PUBLIC);
        assertThat(HEX.formatHex(key.sign(HEX.parseHex(TEST2_MESSAGE)))).isEqualTo(TEST2_SIGNATURE);
        assertThat(SigningKey.verify(HEX.parseHex(TEST2_PUBLIC), HEX.parseHex(TEST2_MESSAGE),
                HEX.parseHex(TEST2_SIGNATURE))).isTrue();
    }

    @Test
    void verifyRefusesAnAlteredMessage() {
        byte[] key = HEX.parseHex(TEST2_PUBLIC);
        byte[] signature = HEX.parseHex(TEST2_SIGNATURE);
        assertThat(SigningKey.verify(key, HEX.parseHex("73"), signature)).isFalse();
        assertThat(SigningKey.verify(key, HEX.parseHex("7200"), signature)).isFalse();
        assertThat(SigningKey.verify(key, new byte[0], signature)).isFalse();
        assertThat(SigningKey.verify(HEX.parseHex(TEST1_PUBLIC), HEX.parseHex("00"),
                HEX.parseHex(TEST1_SIGNATURE))).isFalse();
    }

    @Test
    void verifyRefusesEverySingleBitFlipOfTheSignature() {
        byte[] key = HEX.parseHex(TEST2_PUBLIC);
        byte[] message = HEX.parseHex(TEST2_MESSAGE);
        for (int i = 0; i < SigningKey.SIGNATURE_LENGTH; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] signature = HEX.parseHex(TEST2_SIGNATURE);
                signature[i] ^= (byte) (1 << bit);
                assertThat(SigningKey.verify(key, message, signature)).as("byte %s bit %s", i, bit).isFalse();
            }
        }
    }

    @Test
    void verifyRefusesAnotherKey() {
        assertThat(SigningKey.verify(HEX.parseHex(TEST1_PUBLIC), HEX.parseHex(TEST2_MESSAGE),
                HEX.parseHex(TEST2_SIGNATURE))).isFalse();
    }

    @Test
    void verifyRefusesAKeyOfTheWrongLength() {
        for (int length : new int[] {0, 31, 33, 64}) {
            byte[] key = Arrays.copyOf(HEX.parseHex(TEST2_PUBLIC), length);
            assertThat(SigningKey.verify(key, HEX.parseHex(TEST2_MESSAGE), HEX.parseHex(TEST2_SIGNATURE)))
                    .as("%s bytes", length).isFalse();
        }
    }

    @Test
    void verifyRefusesASignatureOfTheWrongLength() {
        for (int length : new int[] {0, 63, 65}) {
            byte[] signature = Arrays.copyOf(HEX.parseHex(TEST2_SIGNATURE), length);
            assertThat(SigningKey.verify(HEX.parseHex(TEST2_PUBLIC), HEX.parseHex(TEST2_MESSAGE), signature))
                    .as("%s bytes", length).isFalse();
        }
    }

    @Test
    void fromSeedRefusesASeedOfTheWrongLength() {
        assertThatThrownBy(() -> SigningKey.fromSeed(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seed: 31 bytes (expected: 32)");
    }

    @Test
    void fromSeedCopiesItsInputAndSeedReturnsACopy() {
        byte[] seed = HEX.parseHex(TEST1_SECRET);
        SigningKey key = SigningKey.fromSeed(seed);
        seed[0] ^= 1;
        key.seed()[1] ^= 1;
        assertThat(HEX.formatHex(key.seed())).isEqualTo(TEST1_SECRET);
        assertThat(HEX.formatHex(key.sign(new byte[0]))).isEqualTo(TEST1_SIGNATURE);
    }

    @Test
    void fromBase64RestoresTheSameKey() {
        String base64 = " " + Base64.getEncoder().encodeToString(HEX.parseHex(TEST1_SECRET)) + "\n";
        SigningKey key = SigningKey.fromBase64(base64);
        assertThat(HEX.formatHex(key.publicKey())).isEqualTo(TEST1_PUBLIC);
        assertThat(key).isEqualTo(SigningKey.fromSeed(HEX.parseHex(TEST1_SECRET)))
                .hasSameHashCodeAs(SigningKey.fromSeed(HEX.parseHex(TEST1_SECRET)))
                .isNotEqualTo(SigningKey.fromSeed(HEX.parseHex(TEST2_SECRET)));
    }

    @Test
    void toStringShowsThePublicKeyNeverTheSeed() {
        SigningKey key = SigningKey.fromSeed(HEX.parseHex(TEST1_SECRET));
        assertThat(key.toString())
                .contains(Base64.getEncoder().encodeToString(HEX.parseHex(TEST1_PUBLIC)))
                .doesNotContain(Base64.getEncoder().encodeToString(HEX.parseHex(TEST1_SECRET)))
                .doesNotContain(TEST1_SECRET);
    }

    @Test
    void generatedKeysAreFreshAndSignWhatTheyVerify() {
        SigningKey a = SigningKey.generate();
        SigningKey b = SigningKey.generate();
        assertThat(a).isNotEqualTo(b);
        byte[] message = "janus".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(SigningKey.verify(a.publicKey(), message, a.sign(message))).isTrue();
        assertThat(SigningKey.verify(b.publicKey(), message, a.sign(message))).isFalse();
    }
}
