package io.janus.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The proof a client puts in its RESUME request (docs/protocol.md, section 14): HMAC-SHA256 (RFC 2104,
 * FIPS 180-4) keyed by the resume secret of the handshake that issued the ticket, over the label
 * {@code "janus/v1 resume proof"} followed by the transcript hash of the NEW handshake. Only a holder of
 * the old session's keys can compute it, and it binds the resume to this one connection.
 */
final class ResumeProof {

    static final byte[] LABEL = "janus/v1 resume proof".getBytes(StandardCharsets.US_ASCII);

    private ResumeProof() {
    }

    static byte[] compute(byte[] resumeSecret, byte[] newTranscriptHash) {
        requireNonNull(resumeSecret, "resumeSecret");
        requireNonNull(newTranscriptHash, "newTranscriptHash");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(resumeSecret, "HmacSHA256"));
            mac.update(LABEL);
            return mac.doFinal(newTranscriptHash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
