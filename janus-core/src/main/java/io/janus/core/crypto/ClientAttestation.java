package io.janus.core.crypto;

import io.janus.api.LoginRequest;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Optional client app attestation (docs/protocol.md, section 5): when required, a login must carry the
 * Ed25519 public key of a trusted client app and its signature over the handshake transcript, so that
 * only the studio's own client builds can log in. Off by default. Immutable.
 */
public final class ClientAttestation {

    /** Attestation off: every client may log in. */
    public static final ClientAttestation NONE = new ClientAttestation(List.of());

    private static final byte[] CONTEXT = "janus/v1 client attestation\0".getBytes(StandardCharsets.US_ASCII);

    private final List<byte[]> trustedKeys;

    private ClientAttestation(List<byte[]> trustedKeys) {
        this.trustedKeys = trustedKeys;
    }

    /**
     * Requires attestation by one of these app keys.
     *
     * @param trustedKeys Ed25519 public keys of trusted client apps, 32 bytes each
     * @return the policy
     */
    public static ClientAttestation requireOneOf(Collection<byte[]> trustedKeys) {
        List<byte[]> keys = new ArrayList<>();
        for (byte[] key : trustedKeys) {
            if (key.length != SigningKey.PUBLIC_KEY_LENGTH) {
                throw new IllegalArgumentException("trusted app key of " + key.length + " bytes (expected: 32)");
            }
            keys.add(key.clone());
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("trustedKeys: empty (expected: at least one app key)");
        }
        return new ClientAttestation(List.copyOf(keys));
    }

    /** Whether attestation is required. */
    public boolean required() {
        return !trustedKeys.isEmpty();
    }

    /**
     * The message a client app signs.
     *
     * @param transcriptHash the handshake transcript hash
     * @return the context label, a zero byte, and the hash
     */
    public static byte[] signedMessage(byte[] transcriptHash) {
        byte[] message = Arrays.copyOf(CONTEXT, CONTEXT.length + transcriptHash.length);
        System.arraycopy(transcriptHash, 0, message, CONTEXT.length, transcriptHash.length);
        return message;
    }

    /**
     * Checks a login against the policy.
     *
     * @param login the login request
     * @param transcriptHash the session's transcript hash
     * @throws AuthenticationException {@link Reason#ATTESTATION_FAILED} when required and not satisfied
     */
    public void check(LoginRequest login, byte[] transcriptHash) {
        if (!required()) {
            return;
        }
        byte[] key = login.getAttestationKey().toByteArray();
        boolean trusted = false;
        for (byte[] k : trustedKeys) {
            trusted |= Arrays.equals(k, key);
        }
        if (!trusted) {
            throw new AuthenticationException(Reason.ATTESTATION_FAILED,
                    key.length == 0 ? "client attestation is required" : "the client app key is not trusted");
        }
        if (!SigningKey.verify(key, signedMessage(transcriptHash), login.getAttestationSignature().toByteArray())) {
            throw new AuthenticationException(Reason.ATTESTATION_FAILED,
                    "the client attestation signature does not verify");
        }
    }
}
