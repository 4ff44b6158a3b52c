package io.janus.core.crypto;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 key pair for one handshake (RFC 7748, section 5), through BouncyCastle's low-level
 * implementation (about 30 us to generate and 80 us to agree on the development machine).
 */
public final class EphemeralKey {

    /** Bytes of a public key, a private key and a shared secret. */
    public static final int LENGTH = X25519.POINT_SIZE;

    static {
        X25519.precompute();
    }

    private final byte[] privateKey;
    private final byte[] publicKey = new byte[LENGTH];

    private EphemeralKey(byte[] privateKey) {
        this.privateKey = privateKey;
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
    }

    /**
     * Generates a key pair.
     *
     * @param random the random source
     * @return the key pair
     */
    public static EphemeralKey generate(SecureRandom random) {
        byte[] k = new byte[LENGTH];
        X25519.generatePrivateKey(random, k);
        return new EphemeralKey(k);
    }

    /**
     * Uses a fixed private key; for test vectors only.
     *
     * @param privateKey 32 bytes
     * @return the key pair
     */
    public static EphemeralKey fromPrivateKey(byte[] privateKey) {
        if (privateKey.length != LENGTH) {
            throw new IllegalArgumentException("privateKey: " + privateKey.length + " bytes (expected: 32)");
        }
        return new EphemeralKey(privateKey.clone());
    }

    /** The 32-byte public key; a copy. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * Computes the shared secret with a peer's public key.
     *
     * @param peerPublicKey 32 bytes
     * @return the 32-byte shared secret
     * @throws ProtocolException {@link Reason#HANDSHAKE_FAILED} when the result is all zero (a low-order
     *         peer key, RFC 7748 section 6.1)
     */
    public byte[] agree(byte[] peerPublicKey) {
        if (peerPublicKey.length != LENGTH) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED,
                    "X25519 public key of " + peerPublicKey.length + " bytes (expected: 32)");
        }
        byte[] shared = new byte[LENGTH];
        if (!X25519.calculateAgreement(privateKey, 0, peerPublicKey, 0, shared, 0)) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "the X25519 shared secret is all zero");
        }
        return shared;
    }
}
