package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link KeySchedule}: docs/protocol.md, section 5, recomputed here with a plain javax.crypto
 * HMAC-SHA256 (one HKDF-Expand block is one HMAC, RFC 5869 section 2.3).
 */
class KeyScheduleTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] bytes(int first, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (first + i);
        }
        return out;
    }

    private static byte[] hmac(byte[] key, byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** HKDF-Expand for at most 32 bytes: T(1) = HMAC(prk, info || 0x01), truncated. */
    private static byte[] expandOneBlock(byte[] prk, String label, int length) throws Exception {
        return Arrays.copyOf(hmac(prk, label.getBytes(StandardCharsets.US_ASCII), new byte[] {1}), length);
    }

    @Test
    void matchesAnIndependentHkdfComputation() throws Exception {
        byte[] shared = bytes(0x10, 32);
        byte[] transcript = MessageDigest.getInstance("SHA-256").digest("hellos".getBytes(StandardCharsets.US_ASCII));
        KeySchedule keys = KeySchedule.derive(shared, transcript);

        byte[] prk = hmac(transcript, shared);
        assertThat(keys.clientToServerSecret()).isEqualTo(expandOneBlock(prk, "janus/v1 c2s", 32));
        assertThat(keys.serverToClientSecret()).isEqualTo(expandOneBlock(prk, "janus/v1 s2c", 32));
        assertThat(keys.resumeSecret()).isEqualTo(expandOneBlock(prk, "janus/v1 resume", 32));
        assertThat(keys.transcriptHash()).isEqualTo(transcript);
    }

    @Test
    void derivesThreeDistinctSecretsOf32Bytes() {
        KeySchedule keys = KeySchedule.derive(bytes(1, 32), bytes(100, 32));
        assertThat(keys.clientToServerSecret()).hasSize(KeySchedule.SECRET_LENGTH)
                .isNotEqualTo(keys.serverToClientSecret())
                .isNotEqualTo(keys.resumeSecret());
        assertThat(keys.serverToClientSecret()).hasSize(32).isNotEqualTo(keys.resumeSecret());
        assertThat(keys.resumeSecret()).hasSize(32);
    }

    @Test
    void isDeterministicAndBoundToBothInputs() {
        KeySchedule keys = KeySchedule.derive(bytes(1, 32), bytes(100, 32));
        assertThat(KeySchedule.derive(bytes(1, 32), bytes(100, 32)).clientToServerSecret())
                .isEqualTo(keys.clientToServerSecret());
        assertThat(KeySchedule.derive(bytes(2, 32), bytes(100, 32)).clientToServerSecret())
                .as("another shared secret").isNotEqualTo(keys.clientToServerSecret());
        assertThat(KeySchedule.derive(bytes(1, 32), bytes(101, 32)).clientToServerSecret())
                .as("another transcript").isNotEqualTo(keys.clientToServerSecret());
    }

    @Test
    void accessorsReturnCopiesAndTheScheduleKeepsItsOwnTranscript() {
        byte[] transcript = bytes(100, 32);
        KeySchedule keys = KeySchedule.derive(bytes(1, 32), transcript);
        String c2s = HEX.formatHex(keys.clientToServerSecret());
        transcript[0] ^= 1;
        keys.clientToServerSecret()[0] ^= 1;
        keys.serverToClientSecret()[0] ^= 1;
        keys.resumeSecret()[0] ^= 1;
        keys.transcriptHash()[0] ^= 1;
        assertThat(HEX.formatHex(keys.clientToServerSecret())).isEqualTo(c2s);
        assertThat(keys.transcriptHash()).isEqualTo(bytes(100, 32));
    }

    @Test
    void refusesNulls() {
        assertThatThrownBy(() -> KeySchedule.derive(null, new byte[32]))
                .isInstanceOf(NullPointerException.class).hasMessage("sharedSecret");
        assertThatThrownBy(() -> KeySchedule.derive(new byte[32], null))
                .isInstanceOf(NullPointerException.class).hasMessage("transcriptHash");
    }
}
