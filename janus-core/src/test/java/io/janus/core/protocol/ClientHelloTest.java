package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.janus.core.crypto.EphemeralKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientHello}: the 68-byte layout of docs/protocol.md, section 4.1, and what the gateway refuses
 * ({@link Reason#HANDSHAKE_FAILED} for another type, length or reserved value,
 * {@link Reason#UNSUPPORTED_VERSION} for another version).
 */
class ClientHelloTest {

    private static final EphemeralKey KEY = EphemeralKey.generate(new SecureRandom());
    private static final byte[] RANDOM = counting(0x81, 32);

    private static byte[] counting(int first, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (first + i);
        }
        return out;
    }

    private static byte[] valid() {
        return ClientHello.create(KEY, RANDOM, true).encoded();
    }

    /** Parses bytes the way the gateway does, and checks that the frame is left for the caller to release. */
    private static ClientHello parse(byte[] bytes) {
        ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        try {
            return ClientHello.parse(frame);
        } finally {
            assertThat(frame.refCnt()).as("parse does not release the frame").isEqualTo(1);
            frame.release();
        }
    }

    private static void assertRefused(byte[] bytes, Reason reason, String message) {
        assertThatThrownBy(() -> parse(bytes))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessage(message);
    }

    @Test
    void createLaysOutTheHelloAsTheSpecSays() {
        byte[] encoded = ClientHello.create(KEY, RANDOM, true).encoded();
        assertThat(encoded).hasSize(68);
        assertThat(Arrays.copyOfRange(encoded, 0, 4)).as("type, version, flags, reserved")
                .containsExactly(0x01, 0x01, 0x01, 0x00);
        assertThat(Arrays.copyOfRange(encoded, 4, 36)).isEqualTo(KEY.publicKey());
        assertThat(Arrays.copyOfRange(encoded, 36, 68)).isEqualTo(RANDOM);
        assertThat(ClientHello.create(KEY, RANDOM, false).encoded()[2]).as("flags without compression").isZero();
    }

    @Test
    void parseRoundTripsWhatCreateBuilt() {
        for (boolean compression : new boolean[] {true, false}) {
            ClientHello created = ClientHello.create(KEY, RANDOM, compression);
            ByteBuf frame = Unpooled.wrappedBuffer(created.encoded());
            ClientHello parsed = ClientHello.parse(frame);
            assertThat(frame.isReadable()).as("the frame is consumed").isFalse();
            frame.release();
            assertThat(parsed.encoded()).isEqualTo(created.encoded());
            assertThat(parsed.acceptsCompression()).isEqualTo(compression);
            assertThat(parsed.publicKey()).isEqualTo(KEY.publicKey());
            assertThat(parsed.random()).isEqualTo(RANDOM);
        }
    }

    @Test
    void accessorsReturnCopies() {
        ClientHello hello = ClientHello.create(KEY, RANDOM, true);
        hello.encoded()[4] ^= 1;
        hello.publicKey()[0] ^= 1;
        hello.random()[0] ^= 1;
        assertThat(hello.publicKey()).isEqualTo(KEY.publicKey());
        assertThat(hello.random()).isEqualTo(RANDOM);
    }

    @Test
    void refusesAnotherMessageType() {
        for (int type : new int[] {0x00, 0x02, 0x0F, 0x17}) {
            byte[] bytes = valid();
            bytes[0] = (byte) type;
            assertRefused(bytes, Reason.HANDSHAKE_FAILED, "the first frame is not a ClientHello");
        }
        assertRefused(new byte[0], Reason.HANDSHAKE_FAILED, "the first frame is not a ClientHello");
        assertRefused(new byte[] {0x01}, Reason.HANDSHAKE_FAILED, "the first frame is not a ClientHello");
    }

    @Test
    void refusesAnotherVersionWithUnsupportedVersion() {
        for (int version : new int[] {0, 2, 255}) {
            byte[] bytes = valid();
            bytes[1] = (byte) version;
            assertRefused(bytes, Reason.UNSUPPORTED_VERSION, "protocol version " + version + " (expected: 1)");
        }
        // A later version may have another length: the version is judged first.
        byte[] v2 = Arrays.copyOf(valid(), 100);
        v2[1] = 2;
        assertRefused(v2, Reason.UNSUPPORTED_VERSION, "protocol version 2 (expected: 1)");
    }

    @Test
    void refusesAnotherLength() {
        assertRefused(Arrays.copyOf(valid(), 67), Reason.HANDSHAKE_FAILED, "ClientHello of 67 bytes (expected: 68)");
        assertRefused(Arrays.copyOf(valid(), 69), Reason.HANDSHAKE_FAILED, "ClientHello of 69 bytes (expected: 68)");
        assertRefused(Arrays.copyOf(valid(), 2), Reason.HANDSHAKE_FAILED, "ClientHello of 2 bytes (expected: 68)");
    }

    @Test
    void refusesUnknownFlagsAndAReservedByteOtherThanZero() {
        for (int bit = 1; bit < 8; bit++) {
            byte[] bytes = valid();
            bytes[2] |= (byte) (1 << bit);
            assertRefused(bytes, Reason.HANDSHAKE_FAILED, "ClientHello with unknown flags or reserved bits");
        }
        for (int reserved : new int[] {0x01, 0x80, 0xFF}) {
            byte[] bytes = valid();
            bytes[3] = (byte) reserved;
            assertRefused(bytes, Reason.HANDSHAKE_FAILED, "ClientHello with unknown flags or reserved bits");
        }
    }

    @Test
    void createRefusesARandomOfTheWrongLength() {
        assertThatThrownBy(() -> ClientHello.create(KEY, new byte[31], true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("random: 31 bytes (expected: 32)");
        assertThatThrownBy(() -> ClientHello.create(null, RANDOM, true))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ephemeral");
    }
}
