package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link EphemeralKey}: X25519 against RFC 7748, section 6.1 (Alice and Bob), and the refusal of an
 * all-zero shared secret, which a low-order peer key yields (RFC 7748, section 6.1, last paragraph;
 * docs/protocol.md, section 5).
 */
class EphemeralKeyTest {

    private static final HexFormat HEX = HexFormat.of();

    private static final String ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final String BOB_PRIVATE = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private static final String BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private static final String SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    @Test
    void publicKeysMatchRfc7748() {
        assertThat(HEX.formatHex(EphemeralKey.fromPrivateKey(HEX.parseHex(ALICE_PRIVATE)).publicKey()))
                .isEqualTo(ALICE_PUBLIC);
        assertThat(HEX.formatHex(EphemeralKey.fromPrivateKey(HEX.parseHex(BOB_PRIVATE)).publicKey()))
                .isEqualTo(BOB_PUBLIC);
    }

    @Test
    void sharedSecretMatchesRfc7748FromBothSides() {
        EphemeralKey alice = EphemeralKey.fromPrivateKey(HEX.parseHex(ALICE_PRIVATE));
        EphemeralKey bob = EphemeralKey.fromPrivateKey(HEX.parseHex(BOB_PRIVATE));
        assertThat(HEX.formatHex(alice.agree(HEX.parseHex(BOB_PUBLIC)))).isEqualTo(SHARED);
        assertThat(HEX.formatHex(bob.agree(HEX.parseHex(ALICE_PUBLIC)))).isEqualTo(SHARED);
    }

    @Test
    void refusesALowOrderPeerKeyWithHandshakeFailed() {
        EphemeralKey alice = EphemeralKey.fromPrivateKey(HEX.parseHex(ALICE_PRIVATE));
        String[] lowOrderPoints = {
            // u = 0, the all-zero public key: its product with any scalar is 0.
            "0000000000000000000000000000000000000000000000000000000000000000",
            // u = 1, a point of order 4 on the curve.
            "0100000000000000000000000000000000000000000000000000000000000000",
            // A point of order 8 (on the list of values to refuse in libsodium and on cr.yp.to/ecdh.html).
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        };
        for (String point : lowOrderPoints) {
            assertThatThrownBy(() -> alice.agree(HEX.parseHex(point))).as(point)
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.HANDSHAKE_FAILED))
                    .hasMessage("the X25519 shared secret is all zero");
        }
    }

    @Test
    void refusesAPeerKeyOfTheWrongLengthWithHandshakeFailed() {
        EphemeralKey alice = EphemeralKey.fromPrivateKey(HEX.parseHex(ALICE_PRIVATE));
        for (int length : new int[] {0, 31, 33}) {
            assertThatThrownBy(() -> alice.agree(new byte[length])).as("%s bytes", length)
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.HANDSHAKE_FAILED));
        }
    }

    @Test
    void fromPrivateKeyRefusesAKeyOfTheWrongLength() {
        assertThatThrownBy(() -> EphemeralKey.fromPrivateKey(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("privateKey: 31 bytes (expected: 32)");
    }

    @Test
    void fromPrivateKeyCopiesItsInput() {
        byte[] privateKey = HEX.parseHex(ALICE_PRIVATE);
        EphemeralKey alice = EphemeralKey.fromPrivateKey(privateKey);
        privateKey[5] ^= 1;
        assertThat(HEX.formatHex(alice.agree(HEX.parseHex(BOB_PUBLIC)))).isEqualTo(SHARED);
    }

    @Test
    void generatedKeysAreFreshAndAgree() {
        SecureRandom random = new SecureRandom();
        EphemeralKey a = EphemeralKey.generate(random);
        EphemeralKey b = EphemeralKey.generate(random);
        assertThat(a.publicKey()).hasSize(EphemeralKey.LENGTH).isNotEqualTo(b.publicKey());
        assertThat(a.agree(b.publicKey())).isEqualTo(b.agree(a.publicKey()));
    }

    @Test
    void publicKeyIsACopy() {
        EphemeralKey alice = EphemeralKey.fromPrivateKey(HEX.parseHex(ALICE_PRIVATE));
        alice.publicKey()[0] ^= 1;
        assertThat(HEX.formatHex(alice.publicKey())).isEqualTo(ALICE_PUBLIC);
    }
}
