package io.janus.core.crypto;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * What a gateway proves itself with in the handshake: its Ed25519 key and the certificate the root key
 * signed for it. Immutable.
 */
public final class GatewayIdentity {

    private final SigningKey key;
    private final GatewayCertificate certificate;

    private GatewayIdentity(SigningKey key, GatewayCertificate certificate) {
        this.key = requireNonNull(key, "key");
        this.certificate = requireNonNull(certificate, "certificate");
        if (!Arrays.equals(key.publicKey(), certificate.publicKey())) {
            throw new IllegalArgumentException("the certificate '" + certificate.keyId()
                    + "' is for another key than the gateway key given");
        }
    }

    /**
     * Pairs a gateway key with its certificate.
     *
     * @param key the gateway's key
     * @param certificate its certificate
     * @return the identity
     * @throws IllegalArgumentException when the certificate is for another key
     */
    public static GatewayIdentity of(SigningKey key, GatewayCertificate certificate) {
        return new GatewayIdentity(key, certificate);
    }

    /**
     * Restores an identity from configuration: the gateway key's seed and the certificate, both in
     * standard base64.
     *
     * @param keySeedBase64 the gateway key's 32-byte seed
     * @param certificateBase64 the certificate
     * @return the identity
     */
    public static GatewayIdentity fromBase64(String keySeedBase64, String certificateBase64) {
        return of(SigningKey.fromBase64(keySeedBase64),
                GatewayCertificate.parse(Base64.getDecoder().decode(requireNonNull(certificateBase64).trim())));
    }

    /**
     * Generates a gateway key and certifies it with the root key, valid from now for {@code validity}.
     * For development, tests and tools; production gateways load theirs.
     *
     * @param root the root key
     * @param keyId the gateway key's id
     * @param validity how long the certificate is valid
     * @return the identity
     */
    public static GatewayIdentity generate(SigningKey root, String keyId, Duration validity) {
        SigningKey key = SigningKey.generate();
        Instant now = Instant.now();
        return of(key, GatewayCertificate.issue(root, keyId, key.publicKey(), now.minusSeconds(60),
                now.plus(validity)));
    }

    /** The gateway's signing key. */
    public SigningKey key() {
        return key;
    }

    /** The gateway's certificate. */
    public GatewayCertificate certificate() {
        return certificate;
    }

    @Override
    public String toString() {
        return "GatewayIdentity{" + certificate + "}";
    }
}
