package io.janus.core.auth;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;

/**
 * The constants of the sealed token format (docs/protocol.md, section 10) and the per-thread cipher that
 * the issuer and the authenticator share.
 *
 * <pre>
 * token = base64url without padding ( version || K || key id || nonce || ciphertext || tag )
 * </pre>
 */
final class SealedTokenFormat {

    /** The only version byte defined. */
    static final int VERSION = 1;
    /** The longest key id, in ASCII characters (K is 1 to 32). */
    static final int MAX_KEY_ID_LENGTH = 32;
    /** The AES-256 key length in bytes. */
    static final int KEY_LENGTH = 32;
    /** The GCM nonce length in bytes. */
    static final int NONCE_LENGTH = 12;
    /** The GCM tag length in bytes. */
    static final int TAG_LENGTH = 16;
    /** The length of {@code TokenClaims.token_id} in bytes. */
    static final int TOKEN_ID_LENGTH = 16;
    /** The longest token the gateway looks at, in base64url characters. */
    static final int MAX_TOKEN_LENGTH = 1024;
    /** The JCA transformation. */
    static final String TRANSFORMATION = "AES/GCM/NoPadding";

    static final SecureRandom RANDOM = new SecureRandom();

    // A Cipher is stateful and not thread-safe; one per thread, initialised afresh for every token.
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(TRANSFORMATION + " is not available in this JVM", e);
        }
    });

    private SealedTokenFormat() {
    }

    /** Returns this thread's AES-GCM cipher; the caller initialises it before each use. */
    static Cipher cipher() {
        return CIPHER.get();
    }

    /** Whether {@code c} may appear in a key id this implementation issues or holds: visible ASCII. */
    static boolean isKeyIdChar(int c) {
        return c > 0x20 && c < 0x7f;
    }

    /**
     * Whether {@code s} is base64url without padding (RFC 4648, section 5): only the URL-safe alphabet and
     * a length that is not 1 modulo 4. Checked by hand so that garbage costs no exception.
     */
    static boolean isBase64Url(String s) {
        int length = s.length();
        if (length % 4 == 1) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Replaces characters that are not visible ASCII, for key ids quoted in messages. */
    static String printable(CharSequence s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(isKeyIdChar(c) ? c : '?');
        }
        return b.toString();
    }
}
