package io.janus.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256, as specified by RFC 5869 (section 2.2 Extract, section 2.3 Expand). Used only
 * at handshake and key-update time, never per record.
 */
public final class Hkdf {

    private static final int HASH_LENGTH = 32;

    private Hkdf() {
    }

    /**
     * HKDF-Extract (RFC 5869, section 2.2).
     *
     * @param salt the salt (the handshake transcript hash in Janus)
     * @param ikm the input keying material
     * @return the 32-byte pseudorandom key
     */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        Mac mac = hmac(salt.length == 0 ? new byte[HASH_LENGTH] : salt);
        return mac.doFinal(ikm);
    }

    /**
     * HKDF-Expand (RFC 5869, section 2.3) with an ASCII label as {@code info}.
     *
     * @param prk a pseudorandom key of at least 32 bytes
     * @param label the info, as ASCII text
     * @param length output bytes, at most 255 * 32
     * @return the output keying material
     */
    public static byte[] expand(byte[] prk, String label, int length) {
        if (length <= 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("length: " + length + " (expected: 1 to " + 255 * HASH_LENGTH + ")");
        }
        byte[] info = label.getBytes(StandardCharsets.US_ASCII);
        Mac mac = hmac(prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int written = 0;
        for (int i = 1; written < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - written);
            System.arraycopy(t, 0, out, written, n);
            written += n;
        }
        return out;
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
