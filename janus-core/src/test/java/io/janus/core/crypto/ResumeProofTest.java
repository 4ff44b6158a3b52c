package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The resume proof of {@link ResumeTicket#proof}, which client and gateway share (docs/protocol.md, section 14). */
class ResumeProofTest {

    private static final byte[] SECRET = new byte[32];
    private static final byte[] TRANSCRIPT = new byte[32];

    static {
        Arrays.fill(SECRET, (byte) 0x11);
        Arrays.fill(TRANSCRIPT, (byte) 0x22);
    }

    @Test
    void isHmacSha256OfTheLabelThenTheNewTranscriptHash() throws Exception {
        byte[] label = "janus/v1 resume proof".getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[label.length + TRANSCRIPT.length];
        System.arraycopy(label, 0, data, 0, label.length);
        System.arraycopy(TRANSCRIPT, 0, data, label.length, TRANSCRIPT.length);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));

        byte[] proof = ResumeTicket.proof(SECRET, TRANSCRIPT);

        assertThat(proof).hasSize(32).isEqualTo(mac.doFinal(data));
    }

    @Test
    void matchesAFixedVector() {
        // Computed independently with `openssl dgst -sha256 -mac HMAC -macopt hexkey:11...11` over the label and 32 bytes 0x22.
        assertThat(HexFormat.of().formatHex(ResumeTicket.proof(SECRET, TRANSCRIPT)))
                .isEqualTo(EXPECTED_HEX);
    }

    @Test
    void dependsOnTheSecretAndOnTheTranscript() {
        byte[] otherSecret = SECRET.clone();
        otherSecret[0] ^= 1;
        byte[] otherTranscript = TRANSCRIPT.clone();
        otherTranscript[31] ^= 1;

        byte[] proof = ResumeTicket.proof(SECRET, TRANSCRIPT);

        assertThat(ResumeTicket.proof(otherSecret, TRANSCRIPT)).isNotEqualTo(proof);
        assertThat(ResumeTicket.proof(SECRET, otherTranscript)).isNotEqualTo(proof);
    }

    private static final String EXPECTED_HEX = "5ad02ffaec5120e20871d532b50aca0851843b013af59f8d118b231917c704f8";
}
