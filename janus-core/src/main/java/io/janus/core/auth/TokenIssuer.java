package io.janus.core.auth;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.TokenClaims;
import io.janus.core.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues sealed login tokens, for the game's login service (docs/protocol.md, section 10). Thread-safe:
 * each thread seals with its own {@link Cipher}.
 *
 * <pre>{@code
 * TokenIssuer issuer = new TokenIssuer(TokenKeys.parse(config.get("keys"), "2025-02"), Clock.systemUTC());
 * String token = issuer.issue(playerId, zone, Identity.DEFAULT_COLOR, Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>A token is accepted once, by one gateway, until it expires, so issue one per login with a short
 * lifetime. To rotate keys, give the gateways the new key first, then issue with it.
 */
public final class TokenIssuer {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final TokenKeys keys;
    private final Clock clock;
    private final SecretKeySpec key;
    private final byte[] header;

    /**
     * Creates an issuer on the system clock in UTC.
     *
     * @param keys the key ring; tokens are sealed with {@link TokenKeys#issueWith()}
     */
    public TokenIssuer(TokenKeys keys) {
        this(keys, Clock.systemUTC());
    }

    /**
     * Creates an issuer.
     *
     * @param keys the key ring; tokens are sealed with {@link TokenKeys#issueWith()}
     * @param clock the clock that dates tokens
     */
    public TokenIssuer(TokenKeys keys, Clock clock) {
        this.keys = requireNonNull(keys, "keys");
        this.clock = requireNonNull(clock, "clock");
        this.key = keys.key(keys.issueWith());
        byte[] keyId = keys.issueWith().getBytes(StandardCharsets.US_ASCII);
        // version || K || key id: the start of every token, and its additional authenticated data.
        header = new byte[2 + keyId.length];
        header[0] = SealedTokenFormat.VERSION;
        header[1] = (byte) keyId.length;
        System.arraycopy(keyId, 0, header, 2, keyId.length);
    }

    /**
     * Issues a token for a player in zone 0 with the default color.
     *
     * @param playerId the player id
     * @param ttl how long the token is valid, at least 1 ms
     * @return the token, in base64url without padding
     */
    public String issue(long playerId, Duration ttl) {
        return issue(playerId, 0, Identity.DEFAULT_COLOR, ttl);
    }

    /**
     * Issues a token: claims dated now and valid for {@code ttl}, with a random 16-byte token id, sealed
     * with AES-256-GCM under a random 12-byte nonce.
     *
     * @param playerId the player id
     * @param zone the zone (game server or shard)
     * @param color the release channel, {@link Identity#DEFAULT_COLOR} when none
     * @param ttl how long the token is valid, at least 1 ms
     * @return the token, in base64url without padding, at most 1024 characters
     * @throws IllegalArgumentException if {@code ttl} is not positive or overflows the clock, or
     *         {@code color} is so long that the token exceeds 1024 characters
     */
    public String issue(long playerId, int zone, String color, Duration ttl) {
        requireNonNull(color, "color");
        requireNonNull(ttl, "ttl");
        if (ttl.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: at least 1 ms)");
        }
        long now = clock.millis();
        long expiresAt;
        try {
            expiresAt = Math.addExact(now, ttl.toMillis());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: a time that fits in epoch ms)");
        }
        byte[] tokenId = new byte[SealedTokenFormat.TOKEN_ID_LENGTH];
        SealedTokenFormat.RANDOM.nextBytes(tokenId);
        byte[] claims = TokenClaims.newBuilder()
                .setPlayerId(playerId)
                .setZone(zone)
                .setColor(color)
                .setIssuedAtMs(now)
                .setExpiresAtMs(expiresAt)
                .setTokenId(ByteString.copyFrom(tokenId))
                .build()
                .toByteArray();

        int nonceAt = header.length;
        int sealedAt = nonceAt + SealedTokenFormat.NONCE_LENGTH;
        byte[] token = new byte[sealedAt + claims.length + SealedTokenFormat.TAG_LENGTH];
        // Base64 without padding: 4 characters per 3 bytes, rounded up.
        if ((4 * token.length + 2) / 3 > SealedTokenFormat.MAX_TOKEN_LENGTH) {
            throw new IllegalArgumentException("color: " + color.length() + " characters (expected: short "
                    + "enough for a token of at most " + SealedTokenFormat.MAX_TOKEN_LENGTH + " characters)");
        }
        System.arraycopy(header, 0, token, 0, header.length);
        byte[] nonce = new byte[SealedTokenFormat.NONCE_LENGTH];
        SealedTokenFormat.RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, token, nonceAt, nonce.length);
        Cipher cipher = SealedTokenFormat.cipher();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(SealedTokenFormat.TAG_LENGTH * 8, nonce));
            cipher.updateAAD(header);
            cipher.doFinal(claims, 0, claims.length, token, sealedAt);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM failed to seal a token", e);
        }
        return BASE64URL.encodeToString(token);
    }

    /**
     * The key ring this issuer seals with.
     *
     * @return the key ring
     */
    public TokenKeys keys() {
        return keys;
    }

    @Override
    public String toString() {
        return "TokenIssuer{keys=" + keys + "}";
    }
}
