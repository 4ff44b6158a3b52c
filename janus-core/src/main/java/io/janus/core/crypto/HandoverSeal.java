package io.janus.core.crypto;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.nio.charset.StandardCharsets;
import javax.crypto.AEADBadTagException;

/**
 * Seals the state of a session that one gateway hands to another for a resume there (docs/protocol.md,
 * section 14.6) under the fleet's resume ticket key: AES-256-GCM, a random nonce, additional data
 * {@code "janus/v1 session handover"} (so that a sealed state can never pass for a ticket, nor a ticket
 * for a state). The state holds the session's resume secrets and its unacknowledged packets, and travels
 * through Redis pub/sub: sealed, only gateways that hold the key can read or alter it.
 */
public final class HandoverSeal {

    private static final byte[] AAD = "janus/v1 session handover".getBytes(StandardCharsets.US_ASCII);

    private HandoverSeal() {
    }

    /**
     * Seals a state.
     *
     * @param key the ticket key, {@link ResumeTicket#KEY_LENGTH} bytes
     * @param state the encoded state
     * @return the sealed state
     */
    public static byte[] seal(byte[] key, byte[] state) {
        checkKey(key);
        return Aead.seal(key, AAD, requireNonNull(state, "state"));
    }

    /**
     * Opens a sealed state.
     *
     * @param key the ticket key, {@link ResumeTicket#KEY_LENGTH} bytes
     * @param sealed what {@link #seal} made
     * @return the encoded state
     * @throws ProtocolException with {@link Reason#RESUME_SESSION_GONE} when it does not open under the key
     *     (the gateways do not share a ticket key, or it was altered)
     */
    public static byte[] open(byte[] key, byte[] sealed) {
        checkKey(key);
        try {
            return Aead.open(key, AAD, requireNonNull(sealed, "sealed"));
        } catch (AEADBadTagException e) {
            throw new ProtocolException(Reason.RESUME_SESSION_GONE, "the handed-over session state does not open "
                    + "under this gateway's ticket key (the gateways do not share one, or it was altered)");
        }
    }

    private static void checkKey(byte[] key) {
        if (requireNonNull(key, "key").length != ResumeTicket.KEY_LENGTH) {
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: "
                    + ResumeTicket.KEY_LENGTH + ")");
        }
    }
}
