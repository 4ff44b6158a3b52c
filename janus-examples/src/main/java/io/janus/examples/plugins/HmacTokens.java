package io.janus.examples.plugins;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token format of a studio's existing login service, as an example of what a custom
 * {@link HmacTokenAuthenticator} verifies: {@code v1.<playerId>.<zone>.<expiresAt>.<mac>}, where
 * {@code expiresAt} is in Unix seconds and {@code mac} is the unpadded base64url (RFC 4648, section 5)
 * HMAC-SHA256 (RFC 2104; FIPS 180-4) of everything before the last {@code '.'}, under a key of at least
 * {@value #MIN_KEY_LENGTH} bytes shared by the login service and the gateways.
 *
 * <p>Unlike Janus's sealed tokens these are not encrypted and carry no nonce: anyone who sees a token
 * can replay it until it expires, so the login service issues them with short lifetimes. Immutable and
 * thread-safe.
 */
public final class HmacTokens {

    /** The shortest key accepted, in bytes (RFC 2104, section 3: at least the hash output length). */
    public static final int MIN_KEY_LENGTH = 32;

    /** The longest token accepted, in characters; longer input is refused before any parsing. */
    public static final int MAX_TOKEN_LENGTH = 256;

    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /**
     * Creates the format with a key.
     *
     * @param key at least {@value #MIN_KEY_LENGTH} bytes; copied
     */
    public HmacTokens(byte[] key) {
        requireNonNull(key, "key");
        if (key.length < MIN_KEY_LENGTH) {
            // The length only: the key is a secret.
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: at least "
                    + MIN_KEY_LENGTH + ")");
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    }

    /**
     * Issues a token, as the login service does.
     *
     * @param playerId the player, at least 1
     * @param zone the player's zone, at least 0
     * @param expiresAt when the token stops being accepted
     * @return the token
     */
    public String issue(long playerId, int zone, Instant expiresAt) {
        if (playerId < 1 || zone < 0) {
            throw new IllegalArgumentException("playerId: " + playerId + ", zone: " + zone
                    + " (expected: playerId >= 1, zone >= 0)");
        }
        String body = VERSION + "." + playerId + "." + zone + "." + requireNonNull(expiresAt, "expiresAt").getEpochSecond();
        return body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(body));
    }

    /** What a verified token says. */
    public static final class Claims {
        private final long playerId;
        private final int zone;
        private final long expiresAt;

        Claims(long playerId, int zone, long expiresAt) {
            this.playerId = playerId;
            this.zone = zone;
            this.expiresAt = expiresAt;
        }

        /** The player. */
        public long playerId() {
            return playerId;
        }

        /** The player's zone. */
        public int zone() {
            return zone;
        }

        /** The expiry, in Unix seconds. */
        public long expiresAt() {
            return expiresAt;
        }
    }

    /**
     * Checks a token's form and MAC, not its expiry.
     *
     * @param token the token
     * @return the claims, or null when the token is malformed or its MAC does not verify
     */
    public Claims verify(String token) {
        requireNonNull(token, "token");
        if (token.length() > MAX_TOKEN_LENGTH) {
            return null;
        }
        int dot = token.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String body = token.substring(0, dot);
        byte[] mac;
        try {
            mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        // Constant time, so the comparison does not reveal how much of a forged MAC is right.
        if (!MessageDigest.isEqual(mac, mac(body))) {
            return null;
        }
        String[] parts = body.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals(VERSION)) {
            return null;
        }
        try {
            long playerId = Long.parseLong(parts[1]);
            int zone = Integer.parseInt(parts[2]);
            long expiresAt = Long.parseLong(parts[3]);
            return playerId >= 1 && zone >= 0 ? new Claims(playerId, zone, expiresAt) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private byte[] mac(String body) {
        try {
            // Mac instances are not thread-safe; one per call costs about a microsecond.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "HmacTokens{" + VERSION + "}";
    }
}
