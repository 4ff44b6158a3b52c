package io.janus.core.crypto;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A session resume ticket (docs/protocol.md, section 14): what the gateway needs to recognise a session
 * a client wants to resume, sealed so that only gateways holding the ticket key can read or make one.
 * Immutable.
 *
 * <p>Sealed form: a random 12-byte nonce, then AES-256-GCM (NIST SP 800-38D) of the plaintext under the
 * ticket key with the additional data {@code "janus/v1 resume ticket"}, 16-byte tag last. Plaintext:
 * version 1 (one byte), session id, player id, expiry in Unix milliseconds (8 bytes big-endian each), the
 * 32-byte resume secret of the handshake that issued it, then the gateway id (2-byte length, UTF-8).
 *
 * <p>The proof of possession ({@link #proof}) is HMAC-SHA256 (RFC 2104) keyed with the ticket's resume
 * secret over {@code "janus/v1 resume proof"} and the transcript hash of the new handshake: it binds the
 * resume to the fresh X25519 exchange, so a captured ticket is useless without the old session's keys.
 */
public final class ResumeTicket {

    /** Bytes of a ticket key. */
    public static final int KEY_LENGTH = 32;
    /** Bytes of a resume secret. */
    public static final int SECRET_LENGTH = KeySchedule.SECRET_LENGTH;
    /** The longest gateway id a ticket holds, in UTF-8 bytes. */
    public static final int MAX_GATEWAY_ID_BYTES = 255;
    /** The longest sealed ticket; anything longer is refused before any cryptographic work. */
    public static final int MAX_SEALED_LENGTH = 12 + 1 + 24 + SECRET_LENGTH + 2 + MAX_GATEWAY_ID_BYTES + 16;

    private static final byte VERSION = 1;
    private static final int FIXED_PLAINTEXT = 1 + 24 + SECRET_LENGTH + 2;
    private static final byte[] AAD = "janus/v1 resume ticket".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROOF_LABEL = "janus/v1 resume proof".getBytes(StandardCharsets.US_ASCII);

    private final long sessionId;
    private final long playerId;
    private final String gatewayId;
    private final byte[] resumeSecret;
    private final long expiresAtMillis;

    /**
     * Creates a ticket's contents.
     *
     * @param sessionId the session
     * @param playerId its player
     * @param gatewayId the gateway that holds the session, at most {@link #MAX_GATEWAY_ID_BYTES} in UTF-8
     * @param resumeSecret the resume secret of the handshake that issues the ticket (32 bytes; copied)
     * @param expiresAtMillis when the ticket stops being accepted, Unix milliseconds
     */
    public ResumeTicket(long sessionId, long playerId, String gatewayId, byte[] resumeSecret, long expiresAtMillis) {
        this.sessionId = sessionId;
        this.playerId = playerId;
        this.gatewayId = requireNonNull(gatewayId, "gatewayId");
        if (gatewayId.getBytes(StandardCharsets.UTF_8).length > MAX_GATEWAY_ID_BYTES) {
            throw new IllegalArgumentException("gatewayId: longer than " + MAX_GATEWAY_ID_BYTES + " UTF-8 bytes");
        }
        if (requireNonNull(resumeSecret, "resumeSecret").length != SECRET_LENGTH) {
            throw new IllegalArgumentException("resumeSecret: " + resumeSecret.length + " bytes (expected: 32)");
        }
        this.resumeSecret = resumeSecret.clone();
        this.expiresAtMillis = expiresAtMillis;
    }

    /** The session id. */
    public long sessionId() {
        return sessionId;
    }

    /** The player id. */
    public long playerId() {
        return playerId;
    }

    /** The id of the gateway that issued the ticket. */
    public String gatewayId() {
        return gatewayId;
    }

    /** The resume secret of the handshake that issued the ticket; a copy. */
    public byte[] resumeSecret() {
        return resumeSecret.clone();
    }

    /** When the ticket expires, Unix milliseconds. */
    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    /**
     * Seals this ticket under a ticket key with a fresh random nonce.
     *
     * @param key the ticket key, {@link #KEY_LENGTH} bytes
     * @return the sealed ticket, at most {@link #MAX_SEALED_LENGTH} bytes
     */
    public byte[] seal(byte[] key) {
        checkKey(key);
        byte[] id = gatewayId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer plain = ByteBuffer.allocate(FIXED_PLAINTEXT + id.length);
        plain.put(VERSION).putLong(sessionId).putLong(playerId).putLong(expiresAtMillis).put(resumeSecret)
                .putShort((short) id.length).put(id);
        return Aead.seal(key, AAD, plain.array());
    }

    /**
     * Opens a sealed ticket and checks its expiry.
     *
     * @param key the ticket key, {@link #KEY_LENGTH} bytes
     * @param sealed the sealed ticket as the client presented it
     * @param nowMillis the current time, Unix milliseconds
     * @return the ticket
     * @throws ProtocolException with {@link Reason#RESUME_TICKET_INVALID} when the ticket is malformed,
     *     was sealed under another key or altered, or has expired
     */
    public static ResumeTicket open(byte[] key, byte[] sealed, long nowMillis) {
        checkKey(key);
        requireNonNull(sealed, "sealed");
        if (sealed.length < Aead.OVERHEAD + FIXED_PLAINTEXT || sealed.length > MAX_SEALED_LENGTH) {
            throw invalid("a ticket of " + sealed.length + " bytes (expected: " + (Aead.OVERHEAD + FIXED_PLAINTEXT) + " to " + MAX_SEALED_LENGTH + ")");
        }
        byte[] plain;
        try {
            plain = Aead.open(key, AAD, sealed);
        } catch (javax.crypto.AEADBadTagException e) {
            throw invalid("the ticket does not verify under this gateway's ticket key (forged, altered, or "
                    + "sealed with another key)");
        }
        ByteBuffer in = ByteBuffer.wrap(plain);
        if (in.get() != VERSION) {
            throw invalid("unknown ticket version " + plain[0] + " (expected: 1)");
        }
        long sessionId = in.getLong();
        long playerId = in.getLong();
        long expires = in.getLong();
        byte[] secret = new byte[SECRET_LENGTH];
        in.get(secret);
        int idLength = in.getShort() & 0xFFFF;
        if (idLength != in.remaining()) {
            throw invalid("the ticket's gateway id declares " + idLength + " bytes, " + in.remaining() + " follow");
        }
        String gatewayId = new String(plain, in.position(), idLength, StandardCharsets.UTF_8);
        if (nowMillis >= expires) {
            throw invalid("the ticket expired " + (nowMillis - expires) + " ms ago");
        }
        return new ResumeTicket(sessionId, playerId, gatewayId, secret, expires);
    }

    /**
     * The proof of possession a resuming client sends.
     *
     * @param resumeSecret the resume secret of the session's last handshake (32 bytes)
     * @param transcriptHash the transcript hash of the new handshake
     * @return HMAC-SHA256(resumeSecret, "janus/v1 resume proof" || transcriptHash), 32 bytes
     */
    public static byte[] proof(byte[] resumeSecret, byte[] transcriptHash) {
        requireNonNull(resumeSecret, "resumeSecret");
        requireNonNull(transcriptHash, "transcriptHash");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(resumeSecret, "HmacSHA256"));
            mac.update(PROOF_LABEL);
            return mac.doFinal(transcriptHash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /**
     * Checks, in constant time, a client's proof against this ticket's resume secret.
     *
     * @param proof what the client sent
     * @param transcriptHash the transcript hash of the new handshake
     * @return whether the proof matches
     */
    public boolean verifyProof(byte[] proof, byte[] transcriptHash) {
        return MessageDigest.isEqual(proof(resumeSecret, transcriptHash), requireNonNull(proof, "proof"));
    }

    /**
     * Whether this ticket carries the given resume secret, compared in constant time.
     *
     * @param secret a resume secret
     * @return whether it is this ticket's
     */
    public boolean carries(byte[] secret) {
        return secret != null && MessageDigest.isEqual(resumeSecret, secret);
    }

    private static void checkKey(byte[] key) {
        if (requireNonNull(key, "key").length != KEY_LENGTH) {
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: " + KEY_LENGTH + ")");
        }
    }

    private static ProtocolException invalid(String message) {
        return new ProtocolException(Reason.RESUME_TICKET_INVALID, message);
    }

    @Override
    public String toString() {
        return "ResumeTicket{session=" + sessionId + ", player=" + playerId + ", gateway=" + gatewayId
                + ", expiresAt=" + expiresAtMillis + "}";
    }
}
