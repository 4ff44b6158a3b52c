package io.janus.core.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce, for what gateways seal under their resume ticket key (tickets,
 * handed-over session state): {@code nonce (12) || ciphertext || tag (16)} (NIST SP 800-38D; a random
 * nonce per message, and far fewer than 2^32 messages per key, as section 8.3 there requires).
 */
final class Aead {

    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = 16;
    /** Bytes a sealed message adds to its plaintext. */
    static final int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Aead() {
    }

    /**
     * Seals {@code plain} under {@code key} with a fresh random nonce.
     *
     * @param key 32 bytes
     * @param aad the additional data, telling apart what is sealed under the same key
     * @param plain the plaintext
     * @return nonce, ciphertext and tag
     */
    static byte[] seal(byte[] key, byte[] aad, byte[] plain) {
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key, nonce, aad);
            byte[] sealed = new byte[OVERHEAD + plain.length];
            System.arraycopy(nonce, 0, sealed, 0, NONCE_LENGTH);
            cipher.doFinal(plain, 0, plain.length, sealed, NONCE_LENGTH);
            return sealed;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM failed", e);
        }
    }

    /**
     * Opens what {@link #seal} sealed.
     *
     * @param key 32 bytes
     * @param aad the additional data it was sealed with
     * @param sealed at least {@link #OVERHEAD} bytes
     * @return the plaintext
     * @throws AEADBadTagException when it was sealed under another key or additional data, or altered
     */
    static byte[] open(byte[] key, byte[] aad, byte[] sealed) throws AEADBadTagException {
        if (sealed.length < OVERHEAD) {
            throw new AEADBadTagException("shorter than nonce and tag");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOf(sealed, NONCE_LENGTH), aad);
            return cipher.doFinal(sealed, NONCE_LENGTH, sealed.length - NONCE_LENGTH);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM failed", e);
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce, byte[] aad) throws GeneralSecurityException {
        Cipher cipher = Ciphers.get("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        cipher.updateAAD(aad);
        return cipher;
    }
}
