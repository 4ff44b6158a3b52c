package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * {@link GatewayCertificate}: the layout of docs/protocol.md, section 3, the root signature over every
 * byte before it, the validity window with the allowed skew at both ends, and the refusal of everything
 * else with {@link Reason#CERTIFICATE_INVALID}.
 */
class GatewayCertificateTest {

    private static final byte[] CONTEXT = "janus/v1 gateway certificate\0".getBytes(StandardCharsets.US_ASCII);
    private static final Duration SKEW = Duration.ofSeconds(300);
    private static final long NOT_BEFORE = 1_700_000_000L;
    private static final long NOT_AFTER = 1_900_000_000L;

    private static final SigningKey ROOT = SigningKey.fromSeed(seed(1));
    private static final SigningKey OTHER_ROOT = SigningKey.fromSeed(seed(2));
    private static final SigningKey GATEWAY = SigningKey.fromSeed(seed(3));

    private static byte[] seed(int fill) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) fill);
        return seed;
    }

    private static GatewayCertificate issue(String keyId) {
        return GatewayCertificate.issue(ROOT, keyId, GATEWAY.publicKey(), Instant.ofEpochSecond(NOT_BEFORE),
                Instant.ofEpochSecond(NOT_AFTER));
    }

    /** A certificate signed by {@link #ROOT} over whatever unsigned bytes are given, bypassing issue(). */
    private static byte[] signByHand(byte[] unsigned) {
        byte[] message = Arrays.copyOf(CONTEXT, CONTEXT.length + unsigned.length);
        System.arraycopy(unsigned, 0, message, CONTEXT.length, unsigned.length);
        byte[] certificate = Arrays.copyOf(unsigned, unsigned.length + 64);
        System.arraycopy(ROOT.sign(message), 0, certificate, unsigned.length, 64);
        return certificate;
    }

    private static byte[] unsigned(byte[] keyId, long notBefore, long notAfter) {
        return ByteBuffer.allocate(2 + keyId.length + 48).put((byte) 1).put((byte) keyId.length).put(keyId)
                .put(GATEWAY.publicKey()).putLong(notBefore).putLong(notAfter).array();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(Runnable action) {
        return assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_INVALID));
    }

    private static void verifyAt(GatewayCertificate certificate, long epochSecond) {
        certificate.verify(List.of(ROOT.publicKey()), Instant.ofEpochSecond(epochSecond), SKEW);
    }

    @Test
    void issueLaysOutTheCertificateAsTheSpecSays() {
        byte[] encoded = issue("gw-1").encoded();
        ByteBuffer buf = ByteBuffer.wrap(encoded);
        assertThat(encoded).hasSize(2 + 4 + 32 + 16 + 64);
        assertThat(buf.get()).as("version").isEqualTo((byte) 1);
        assertThat(buf.get()).as("key id length").isEqualTo((byte) 4);
        byte[] id = new byte[4];
        buf.get(id);
        assertThat(new String(id, StandardCharsets.US_ASCII)).isEqualTo("gw-1");
        byte[] key = new byte[32];
        buf.get(key);
        assertThat(key).isEqualTo(GATEWAY.publicKey());
        assertThat(buf.getLong()).as("not before").isEqualTo(NOT_BEFORE);
        assertThat(buf.getLong()).as("not after").isEqualTo(NOT_AFTER);
        // The root signature covers the context label, a zero byte and every byte before the signature.
        byte[] signature = Arrays.copyOfRange(encoded, encoded.length - 64, encoded.length);
        byte[] message = Arrays.copyOf(CONTEXT, CONTEXT.length + encoded.length - 64);
        System.arraycopy(encoded, 0, message, CONTEXT.length, encoded.length - 64);
        assertThat(SigningKey.verify(ROOT.publicKey(), message, signature)).isTrue();
    }

    @Test
    void parseRoundTripsAnIssuedCertificate() {
        GatewayCertificate issued = issue("gateway-eu-west-1");
        GatewayCertificate parsed = GatewayCertificate.parse(issued.encoded());
        assertThat(parsed.encoded()).isEqualTo(issued.encoded());
        assertThat(parsed.keyId()).isEqualTo("gateway-eu-west-1");
        assertThat(parsed.publicKey()).isEqualTo(GATEWAY.publicKey());
        assertThat(parsed.notBefore()).isEqualTo(Instant.ofEpochSecond(NOT_BEFORE));
        assertThat(parsed.notAfter()).isEqualTo(Instant.ofEpochSecond(NOT_AFTER));
        assertThat(GatewayCertificate.parse(java.util.Base64.getDecoder().decode(issued.toBase64())).encoded())
                .isEqualTo(issued.encoded());
        assertThat(parsed.toString()).contains("gateway-eu-west-1");
        assertThatCode(() -> verifyAt(parsed, NOT_BEFORE + 1)).doesNotThrowAnyException();
    }

    @Test
    void accessorsReturnCopies() {
        GatewayCertificate certificate = issue("gw");
        certificate.encoded()[0] = 9;
        certificate.publicKey()[0] ^= 1;
        assertThat(certificate.encoded()[0]).isEqualTo((byte) 1);
        assertThat(certificate.publicKey()).isEqualTo(GATEWAY.publicKey());
    }

    @Test
    void verifiesWithTheRightRootAmongSeveralPinned() {
        GatewayCertificate certificate = issue("gw");
        assertThatCode(() -> certificate.verify(List.of(OTHER_ROOT.publicKey(), ROOT.publicKey()),
                Instant.ofEpochSecond(1_800_000_000L), SKEW)).doesNotThrowAnyException();
    }

    @Test
    void refusesACertificateOfAnotherRoot() {
        GatewayCertificate certificate = issue("gw");
        assertInvalid(() -> certificate.verify(List.of(OTHER_ROOT.publicKey()), Instant.ofEpochSecond(1_800_000_000L),
                SKEW)).hasMessage("gateway certificate 'gw' is not signed by a pinned root key");
    }

    @Test
    void refusesWhenNoRootIsPinnedOrAPinnedRootIsMalformed() {
        GatewayCertificate certificate = issue("gw");
        assertInvalid(() -> certificate.verify(List.of(), Instant.ofEpochSecond(1_800_000_000L), SKEW))
                .hasMessageContaining("not signed by a pinned root key");
        assertInvalid(() -> certificate.verify(List.of(new byte[31]), Instant.ofEpochSecond(1_800_000_000L), SKEW))
                .hasMessageContaining("not signed by a pinned root key");
    }

    @Test
    void refusesBeforeNotBeforeMinusTheSkewAndAcceptsAtIt() {
        GatewayCertificate certificate = issue("gw");
        assertInvalid(() -> verifyAt(certificate, NOT_BEFORE - 301))
                .hasMessage("gateway certificate 'gw' is not valid before 2023-11-14T22:13:20Z");
        assertThatCode(() -> verifyAt(certificate, NOT_BEFORE - 300)).doesNotThrowAnyException();
        assertThatCode(() -> verifyAt(certificate, NOT_BEFORE)).doesNotThrowAnyException();
    }

    @Test
    void refusesAfterNotAfterPlusTheSkewAndAcceptsAtIt() {
        GatewayCertificate certificate = issue("gw");
        assertThatCode(() -> verifyAt(certificate, NOT_AFTER)).doesNotThrowAnyException();
        assertThatCode(() -> verifyAt(certificate, NOT_AFTER + 300)).doesNotThrowAnyException();
        assertInvalid(() -> verifyAt(certificate, NOT_AFTER + 301))
                .hasMessage("gateway certificate 'gw' expired at 2030-03-17T17:46:40Z");
    }

    @Test
    void withoutSkewTheWindowIsExact() {
        GatewayCertificate certificate = issue("gw");
        List<byte[]> roots = List.of(ROOT.publicKey());
        assertInvalid(() -> certificate.verify(roots, Instant.ofEpochSecond(NOT_BEFORE - 1), Duration.ZERO))
                .hasMessageContaining("not valid before");
        assertThatCode(() -> certificate.verify(roots, Instant.ofEpochSecond(NOT_BEFORE), Duration.ZERO))
                .doesNotThrowAnyException();
        assertThatCode(() -> certificate.verify(roots, Instant.ofEpochSecond(NOT_AFTER), Duration.ZERO))
                .doesNotThrowAnyException();
        assertInvalid(() -> certificate.verify(roots, Instant.ofEpochSecond(NOT_AFTER + 1), Duration.ZERO))
                .hasMessageContaining("expired at");
    }

    @Test
    void refusesEverySingleByteChange() {
        byte[] good = issue("gw-7").encoded();
        for (int i = 0; i < good.length; i++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] altered = good.clone();
                altered[i] ^= (byte) bit;
                Throwable thrown = catchThrowable(() -> verifyAt(GatewayCertificate.parse(altered), 1_800_000_000L));
                assertThat(thrown).as("byte %s ^ 0x%s", i, Integer.toHexString(bit))
                        .isInstanceOfSatisfying(ProtocolException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_INVALID));
            }
        }
    }

    @Test
    void refusesLengthsThatDoNotAddUp() {
        byte[] good = issue("gw").encoded();
        assertInvalid(() -> GatewayCertificate.parse(Arrays.copyOf(good, good.length - 1)))
                .hasMessage("certificate of 115 bytes with a key id of 2 bytes: the lengths do not add up");
        assertInvalid(() -> GatewayCertificate.parse(Arrays.copyOf(good, good.length + 1)))
                .hasMessageContaining("the lengths do not add up");
        byte[] longerId = good.clone();
        longerId[1] = 3;
        assertInvalid(() -> GatewayCertificate.parse(longerId)).hasMessageContaining("the lengths do not add up");
        assertInvalid(() -> GatewayCertificate.parse(new byte[0])).hasMessage("not a version 1 gateway certificate");
        assertInvalid(() -> GatewayCertificate.parse(new byte[] {1})).hasMessage("not a version 1 gateway certificate");
    }

    @Test
    void refusesAKeyIdLengthOutsideOneTo32() {
        for (int k : new int[] {0, 33, 255}) {
            // A buffer sized as if the key id length were honest, so only the range check can refuse it.
            byte[] encoded = new byte[2 + k + 32 + 16 + 64];
            encoded[0] = 1;
            encoded[1] = (byte) k;
            assertInvalid(() -> GatewayCertificate.parse(encoded)).as("K = %s", k)
                    .hasMessageContaining("the lengths do not add up");
        }
    }

    @Test
    void refusesAnotherVersion() {
        for (int version : new int[] {0, 2, 255}) {
            byte[] encoded = issue("gw").encoded();
            encoded[0] = (byte) version;
            assertInvalid(() -> GatewayCertificate.parse(encoded)).hasMessage("not a version 1 gateway certificate");
        }
    }

    @Test
    void parseRefusesAKeyIdThatIsNotPrintableAscii() {
        for (int b : new int[] {0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF}) {
            byte[] unsigned = unsigned("gw".getBytes(StandardCharsets.US_ASCII), NOT_BEFORE, NOT_AFTER);
            unsigned[3] = (byte) b;
            // Signed by the root, so only the key id check can refuse it.
            assertInvalid(() -> GatewayCertificate.parse(signByHand(unsigned)))
                    .hasMessage("the certificate's key id is not printable ASCII");
        }
    }

    @Test
    void issueRefusesAKeyIdThatIsNotAscii() {
        assertThatThrownBy(() -> issue("gw-\u00e9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyId: 'gw-\u00e9' (expected: 1 to 32 printable ASCII characters)");
    }

    @Test
    void issueRefusesAnEmptyOrTooLongKeyIdAndAccepts32Characters() {
        assertThatThrownBy(() -> issue("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> issue("x".repeat(33))).isInstanceOf(IllegalArgumentException.class);
        assertThat(issue("x".repeat(32)).keyId()).isEqualTo("x".repeat(32));
    }

    @Test
    void issueRefusesAControlCharacterInTheKeyIdAsABadArgument() {
        assertThatThrownBy(() -> issue("gw\t1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void issueRefusesAWindowThatEndsBeforeItStartsAndAKeyOfTheWrongLength() {
        Instant t = Instant.ofEpochSecond(NOT_BEFORE);
        assertThatThrownBy(() -> GatewayCertificate.issue(ROOT, "gw", GATEWAY.publicKey(), t, t))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: after notBefore");
        assertThatThrownBy(() -> GatewayCertificate.issue(ROOT, "gw", new byte[31], t, t.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gatewayPublicKey: 31 bytes (expected: 32)");
    }

    @Test
    void aWindowThatEndsBeforeItStartsNeverVerifies() {
        // issue() refuses such a window; a certificate from another issuer may still carry one.
        GatewayCertificate certificate = GatewayCertificate.parse(signByHand(
                unsigned("gw".getBytes(StandardCharsets.US_ASCII), NOT_AFTER, NOT_BEFORE)));
        for (long t : new long[] {NOT_BEFORE, 1_800_000_000L, NOT_AFTER}) {
            assertInvalid(() -> verifyAt(certificate, t));
        }
    }

    @Test
    void aCertificateThatNeverExpiresVerifies() {
        GatewayCertificate certificate = GatewayCertificate.parse(signByHand(
                unsigned("gw".getBytes(StandardCharsets.US_ASCII), NOT_BEFORE, Long.MAX_VALUE)));
        assertThatCode(() -> verifyAt(certificate, 1_800_000_000L)).doesNotThrowAnyException();
    }
}
