package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayCertificate;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerHello}: the layout of docs/protocol.md, section 4.2, the gateway's signature over both
 * hellos, and the client's checks in the order the spec gives: shape ({@link Reason#HANDSHAKE_FAILED},
 * {@link Reason#UNSUPPORTED_VERSION}), certificate ({@link Reason#CERTIFICATE_INVALID}), signature
 * ({@link Reason#HANDSHAKE_FAILED}).
 */
class ServerHelloTest {

    private static final byte[] CONTEXT = "janus/v1 server handshake\0".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SigningKey ROOT = SigningKey.generate();
    private static final SigningKey OTHER_ROOT = SigningKey.generate();
    private static final SigningKey GATEWAY_KEY = SigningKey.generate();
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    private static final Duration SKEW = Duration.ofSeconds(300);
    private static final GatewayIdentity IDENTITY = identity(ROOT, "gw-1");
    private static final EphemeralKey SERVER_KEY = EphemeralKey.generate(RANDOM);
    private static final byte[] SERVER_RANDOM = new byte[32];
    private static final ClientHello CLIENT_HELLO =
            ClientHello.create(EphemeralKey.generate(RANDOM), new byte[32], true);

    static {
        Arrays.fill(SERVER_RANDOM, (byte) 0xA1);
    }

    private static GatewayIdentity identity(SigningKey root, String keyId) {
        return GatewayIdentity.of(GATEWAY_KEY, GatewayCertificate.issue(root, keyId, GATEWAY_KEY.publicKey(),
                NOW.minusSeconds(3600), NOW.plusSeconds(3600)));
    }

    private static ServerHello create(int threshold) {
        return ServerHello.create(CLIENT_HELLO, SERVER_KEY, SERVER_RANDOM, threshold, IDENTITY);
    }

    private static ServerHello parse(byte[] bytes) {
        ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        try {
            return ServerHello.parse(frame);
        } finally {
            assertThat(frame.refCnt()).as("parse does not release the frame").isEqualTo(1);
            frame.release();
        }
    }

    private static void parseAndVerify(ClientHello clientHello, byte[] serverHello) {
        parse(serverHello).verify(clientHello, List.of(ROOT.publicKey()), NOW, SKEW);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(Runnable action, Reason reason) {
        return assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
            sha.update(part);
        }
        return sha.digest();
    }

    @Test
    void createLaysOutTheHelloAsTheSpecSays() throws Exception {
        byte[] encoded = create(1024).encoded();
        byte[] certificate = IDENTITY.certificate().encoded();
        int c = certificate.length;
        assertThat(encoded).hasSize(74 + c + 64);
        ByteBuffer buf = ByteBuffer.wrap(encoded);
        assertThat(new byte[] {buf.get(), buf.get(), buf.get(), buf.get()}).as("type, version, flags, reserved")
                .containsExactly(0x02, 0x01, 0x01, 0x00);
        assertThat(Arrays.copyOfRange(encoded, 4, 36)).isEqualTo(SERVER_KEY.publicKey());
        assertThat(Arrays.copyOfRange(encoded, 36, 68)).isEqualTo(SERVER_RANDOM);
        assertThat(buf.getInt(68)).as("compression threshold").isEqualTo(1024);
        assertThat(buf.getShort(72) & 0xFFFF).as("certificate length").isEqualTo(c);
        assertThat(Arrays.copyOfRange(encoded, 74, 74 + c)).isEqualTo(certificate);

        // The signature: the certified key over the context, a zero byte and
        // SHA-256(ClientHello || ServerHello without its signature).
        byte[] hash = sha256(CLIENT_HELLO.encoded(), Arrays.copyOf(encoded, 74 + c));
        byte[] message = Arrays.copyOf(CONTEXT, CONTEXT.length + 32);
        System.arraycopy(hash, 0, message, CONTEXT.length, 32);
        assertThat(SigningKey.verify(GATEWAY_KEY.publicKey(), message, Arrays.copyOfRange(encoded, 74 + c,
                encoded.length))).isTrue();
    }

    @Test
    void parseRoundTripsAndVerifiesWithThePinnedRoot() {
        ServerHello created = create(1024);
        ByteBuf frame = Unpooled.wrappedBuffer(created.encoded());
        ServerHello parsed = ServerHello.parse(frame);
        assertThat(frame.isReadable()).as("the frame is consumed").isFalse();
        frame.release();
        assertThat(parsed.encoded()).isEqualTo(created.encoded());
        assertThat(parsed.publicKey()).isEqualTo(SERVER_KEY.publicKey());
        assertThat(parsed.random()).isEqualTo(SERVER_RANDOM);
        assertThat(parsed.compressionThreshold()).isEqualTo(1024);
        assertThat(parsed.certificate().encoded()).isEqualTo(IDENTITY.certificate().encoded());
        assertThatCode(() -> parsed.verify(CLIENT_HELLO, List.of(OTHER_ROOT.publicKey(), ROOT.publicKey()), NOW, SKEW))
                .doesNotThrowAnyException();
    }

    @Test
    void transcriptHashIsSha256OfBothCompleteHellos() throws Exception {
        ServerHello hello = create(0);
        assertThat(hello.transcriptHash(CLIENT_HELLO)).isEqualTo(sha256(CLIENT_HELLO.encoded(), hello.encoded()));
    }

    @Test
    void compressionThresholdIsZeroWhenTheFlagIsOff() {
        ServerHello off = create(0);
        assertThat(off.encoded()[2]).as("flags").isZero();
        assertThat(off.compressionThreshold()).isZero();
        // A threshold field without the flag means off: parse does not check the signature, so alter freely.
        byte[] bytes = create(1024).encoded();
        bytes[2] = 0;
        assertThat(parse(bytes).compressionThreshold()).isZero();
    }

    @Test
    void refusesAServerHelloForAnotherClientHello() {
        byte[] serverHello = create(1024).encoded();
        byte[] client = CLIENT_HELLO.encoded();
        for (int i : new int[] {2, 4, 35, 36, 67}) {
            byte[] altered = client.clone();
            altered[i] ^= 1;
            ByteBuf frame = Unpooled.wrappedBuffer(altered);
            ClientHello other = ClientHello.parse(frame);
            frame.release();
            assertRefused(() -> parseAndVerify(other, serverHello), Reason.HANDSHAKE_FAILED)
                    .hasMessage("the ServerHello signature does not verify under gateway key 'gw-1'");
        }
    }

    @Test
    void refusesEveryAlteredByteWithTheReasonOfTheFieldItHits() {
        byte[] good = create(1024).encoded();
        int c = IDENTITY.certificate().encoded().length;
        for (int i = 0; i < good.length; i++) {
            byte[] altered = good.clone();
            altered[i] ^= 1;
            Reason expected = i == 1 ? Reason.UNSUPPORTED_VERSION
                    : i >= 74 && i < 74 + c ? Reason.CERTIFICATE_INVALID
                    : Reason.HANDSHAKE_FAILED;
            Throwable thrown = catchThrowable(() -> parseAndVerify(CLIENT_HELLO, altered));
            assertThat(thrown).as("byte %s", i)
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(expected));
        }
    }

    @Test
    void refusesACertificateOfAnotherRoot() {
        ServerHello hello = ServerHello.create(CLIENT_HELLO, SERVER_KEY, SERVER_RANDOM, 0,
                identity(OTHER_ROOT, "rogue"));
        assertRefused(() -> parseAndVerify(CLIENT_HELLO, hello.encoded()), Reason.CERTIFICATE_INVALID)
                .hasMessage("gateway certificate 'rogue' is not signed by a pinned root key");
    }

    @Test
    void refusesAnExpiredCertificate() {
        ServerHello hello = create(0);
        assertRefused(() -> hello.verify(CLIENT_HELLO, List.of(ROOT.publicKey()), NOW.plusSeconds(3600 + 301), SKEW),
                Reason.CERTIFICATE_INVALID).hasMessageContaining("expired at");
    }

    @Test
    void refusesASignatureByAKeyOtherThanTheCertifiedOne() {
        byte[] bytes = create(0).encoded();
        int unsignedLength = bytes.length - 64;
        byte[] hash = ServerHello.sha256().digest(concat(CLIENT_HELLO.encoded(), Arrays.copyOf(bytes, unsignedLength)));
        byte[] forged = SigningKey.generate().sign(concat(CONTEXT, hash));
        System.arraycopy(forged, 0, bytes, unsignedLength, 64);
        assertRefused(() -> parseAndVerify(CLIENT_HELLO, bytes), Reason.HANDSHAKE_FAILED)
                .hasMessageContaining("signature does not verify");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void refusesLengthsThatDoNotAddUp() {
        byte[] good = create(0).encoded();
        int c = IDENTITY.certificate().encoded().length;
        assertRefused(() -> parse(Arrays.copyOf(good, good.length - 1)), Reason.HANDSHAKE_FAILED)
                .hasMessage("ServerHello of " + (good.length - 1) + " bytes with a certificate of " + c
                        + " bytes: the lengths do not add up");
        assertRefused(() -> parse(Arrays.copyOf(good, good.length + 1)), Reason.HANDSHAKE_FAILED)
                .hasMessageContaining("the lengths do not add up");
        for (int declared : new int[] {0, c - 1, c + 1, 0xFFFF}) {
            byte[] bytes = good.clone();
            bytes[72] = (byte) (declared >>> 8);
            bytes[73] = (byte) declared;
            assertRefused(() -> parse(bytes), Reason.HANDSHAKE_FAILED)
                    .hasMessageContaining("the lengths do not add up");
        }
        assertRefused(() -> parse(Arrays.copyOf(good, 73)), Reason.HANDSHAKE_FAILED)
                .hasMessage("ServerHello of 73 bytes is too short");
    }

    @Test
    void aCertificateThatDoesNotParseIsCertificateInvalid() {
        // Lengths that add up around a certificate of the wrong inner shape.
        byte[] good = create(0).encoded();
        byte[] bytes = good.clone();
        bytes[74] = 2; // the certificate's version
        assertRefused(() -> parse(bytes), Reason.CERTIFICATE_INVALID);
    }

    @Test
    void refusesAnotherTypeOrVersionAndUnknownFlags() {
        byte[] good = create(0).encoded();
        byte[] type = good.clone();
        type[0] = ClientHello.TYPE;
        assertRefused(() -> parse(type), Reason.HANDSHAKE_FAILED).hasMessage("expected a ServerHello");
        byte[] version = good.clone();
        version[1] = 2;
        assertRefused(() -> parse(version), Reason.UNSUPPORTED_VERSION).hasMessage("protocol version 2 (expected: 1)");
        byte[] flags = good.clone();
        flags[2] = 0x02;
        assertRefused(() -> parse(flags), Reason.HANDSHAKE_FAILED)
                .hasMessage("ServerHello with unknown flags or reserved bits");
        byte[] reserved = good.clone();
        reserved[3] = 1;
        assertRefused(() -> parse(reserved), Reason.HANDSHAKE_FAILED)
                .hasMessage("ServerHello with unknown flags or reserved bits");
        assertRefused(() -> parse(new byte[0]), Reason.HANDSHAKE_FAILED).hasMessage("expected a ServerHello");
    }

    @Test
    void createRefusesBadArguments() {
        assertThatThrownBy(() -> ServerHello.create(CLIENT_HELLO, SERVER_KEY, new byte[31], 0, IDENTITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("random: 31 bytes (expected: 32)");
        assertThatThrownBy(() -> ServerHello.create(CLIENT_HELLO, SERVER_KEY, SERVER_RANDOM, -1, IDENTITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compressionThreshold: -1 (expected: >= 0)");
    }
}
