package io.janus.core.auth;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.Reason;
import io.janus.api.TokenClaims;
import io.janus.core.AuthenticationException;
import io.janus.core.spi.AuthRequest;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default {@link Authenticator}: opens the sealed tokens a {@link TokenIssuer} issues
 * (docs/protocol.md, section 10) and accepts each once. Thread-safe; each thread opens tokens with its
 * own {@link Cipher}.
 *
 * <p>Checks run in the order of the specification's table, and a refusal completes the stage
 * exceptionally with an {@link AuthenticationException} of its own reason:
 * <ol>
 *   <li>{@link Reason#TOKEN_INVALID}: longer than {@value #MAX_TOKEN_LENGTH} characters (checked before
 *       decoding), not base64url without padding, a version other than 1, lengths that do not add up,
 *       claims that do not parse or a token id that is not 16 bytes;</li>
 *   <li>{@link Reason#TOKEN_UNKNOWN_KEY}: a key id not in the {@link TokenKeys};</li>
 *   <li>{@link Reason#TOKEN_TAMPERED}: a tag that does not verify;</li>
 *   <li>{@link Reason#TOKEN_EXPIRED}: {@code expires_at_ms} not after now;</li>
 *   <li>{@link Reason#TOKEN_NOT_YET_VALID}: {@code issued_at_ms} more than the allowed skew after now;</li>
 *   <li>{@link Reason#TOKEN_REPLAYED}: the {@link TokenReplayCache} has seen the token id, or its own
 *       failure ({@link Reason#AUTH_UNAVAILABLE} when it cannot decide).</li>
 * </ol>
 * Messages never quote the token or a key. {@link #authenticate} never throws.
 */
public final class SealedTokenAuthenticator implements Authenticator, AutoCloseable {

    /** The longest token looked at, in characters. */
    public static final int MAX_TOKEN_LENGTH = SealedTokenFormat.MAX_TOKEN_LENGTH;

    /** The default allowance for clocks ahead of the gateway's. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofSeconds(60);

    /** The largest allowed {@link Builder#maxClockSkew}. */
    public static final Duration MAX_MAX_CLOCK_SKEW = Duration.ofHours(1);

    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

    // version (1) + K (1) + key id (>= 1) + nonce + tag: the claims may be empty, to be refused later.
    private static final int MIN_TOKEN_BYTES =
            3 + SealedTokenFormat.NONCE_LENGTH + SealedTokenFormat.TAG_LENGTH;

    private final TokenKeys keys;
    private final TokenReplayCache replayCache;
    private final boolean ownsReplayCache;
    private final Clock clock;
    private final Duration maxClockSkew;
    private final long maxClockSkewMs;

    private SealedTokenAuthenticator(Builder b) {
        this.keys = b.keys;
        this.clock = b.clock;
        this.replayCache = b.replayCache != null
                ? b.replayCache
                : new InMemoryTokenReplayCache(InMemoryTokenReplayCache.DEFAULT_MAX_ENTRIES, b.clock);
        this.ownsReplayCache = b.ownsReplayCache;
        this.maxClockSkew = b.maxClockSkew;
        this.maxClockSkewMs = b.maxClockSkew.toMillis();
    }

    /**
     * Returns a builder; {@link Builder#keys} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Identity> authenticate(AuthRequest request) {
        TokenClaims claims;
        CompletionStage<Boolean> firstUse;
        try {
            claims = open(request.token());
            firstUse = replayCache.firstUse(claims.getTokenId(), claims.getExpiresAtMs());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Identity identity = Identity.of(claims.getPlayerId(), claims.getZone(), claims.getColor());
        CompletableFuture<Identity> result = new CompletableFuture<>();
        // whenComplete rather than thenApply, so that a refusal is not wrapped in a CompletionException.
        firstUse.whenComplete((first, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else if (first == null) {
                result.completeExceptionally(new IllegalStateException(
                        replayCache.getClass().getName() + " answered null (expected: true or false)"));
            } else if (first) {
                result.complete(identity);
            } else {
                result.completeExceptionally(refuse(Reason.TOKEN_REPLAYED, "token already used"));
            }
        });
        return result;
    }

    /** Opens and checks a token up to, not including, the replay cache; throws the refusal. */
    private TokenClaims open(String token) {
        int length = token.length();
        if (length > MAX_TOKEN_LENGTH) {
            throw refuse(Reason.TOKEN_INVALID,
                    "token of " + length + " characters (expected: at most " + MAX_TOKEN_LENGTH + ")");
        }
        if (!SealedTokenFormat.isBase64Url(token)) {
            throw refuse(Reason.TOKEN_INVALID, "token is not base64url without padding");
        }
        byte[] sealed = BASE64URL.decode(token);
        if (sealed.length < MIN_TOKEN_BYTES) {
            throw refuse(Reason.TOKEN_INVALID,
                    "token of " + sealed.length + " bytes (expected: at least " + MIN_TOKEN_BYTES + ")");
        }
        int version = sealed[0] & 0xff;
        if (version != SealedTokenFormat.VERSION) {
            throw refuse(Reason.TOKEN_INVALID,
                    "token version " + version + " (expected: " + SealedTokenFormat.VERSION + ")");
        }
        int keyIdLength = sealed[1] & 0xff;
        if (keyIdLength < 1 || keyIdLength > SealedTokenFormat.MAX_KEY_ID_LENGTH) {
            throw refuse(Reason.TOKEN_INVALID, "token key id length " + keyIdLength
                    + " (expected: 1 to " + SealedTokenFormat.MAX_KEY_ID_LENGTH + ")");
        }
        int headerLength = 2 + keyIdLength;
        int sealedAt = headerLength + SealedTokenFormat.NONCE_LENGTH;
        if (sealed.length < sealedAt + SealedTokenFormat.TAG_LENGTH) {
            throw refuse(Reason.TOKEN_INVALID, "token of " + sealed.length + " bytes (expected: at least "
                    + (sealedAt + SealedTokenFormat.TAG_LENGTH) + " with a key id of " + keyIdLength + " bytes)");
        }
        for (int i = 2; i < headerLength; i++) {
            if (sealed[i] < 0) {
                throw refuse(Reason.TOKEN_INVALID, "token key id is not ASCII");
            }
        }
        String keyId = new String(sealed, 2, keyIdLength, StandardCharsets.US_ASCII);
        SecretKeySpec key = keys.key(keyId);
        if (key == null) {
            throw refuse(Reason.TOKEN_UNKNOWN_KEY,
                    "token key id '" + SealedTokenFormat.printable(keyId) + "' is not held by this gateway");
        }

        byte[] plaintext;
        Cipher cipher = SealedTokenFormat.cipher();
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(
                    SealedTokenFormat.TAG_LENGTH * 8, sealed, headerLength, SealedTokenFormat.NONCE_LENGTH));
            cipher.updateAAD(sealed, 0, headerLength);
            plaintext = cipher.doFinal(sealed, sealedAt, sealed.length - sealedAt);
        } catch (AEADBadTagException e) {
            throw refuse(Reason.TOKEN_TAMPERED, "token tag does not verify");
        } catch (GeneralSecurityException e) {
            // Not the client's fault: reported as AUTH_UNAVAILABLE and logged by the session.
            throw new IllegalStateException("AES-256-GCM failed to open a token", e);
        }

        TokenClaims claims;
        try {
            claims = TokenClaims.parseFrom(plaintext);
        } catch (InvalidProtocolBufferException e) {
            throw refuse(Reason.TOKEN_INVALID, "token claims do not parse");
        }
        if (claims.getTokenId().size() != SealedTokenFormat.TOKEN_ID_LENGTH) {
            throw refuse(Reason.TOKEN_INVALID, "token id of " + claims.getTokenId().size()
                    + " bytes (expected: " + SealedTokenFormat.TOKEN_ID_LENGTH + ")");
        }

        long now = clock.millis();
        if (claims.getExpiresAtMs() <= now) {
            throw refuse(Reason.TOKEN_EXPIRED, "token expired at " + Instant.ofEpochMilli(claims.getExpiresAtMs())
                    + " (now " + Instant.ofEpochMilli(now) + ")");
        }
        if (claims.getIssuedAtMs() > now + maxClockSkewMs) {
            throw refuse(Reason.TOKEN_NOT_YET_VALID, "token issued at "
                    + Instant.ofEpochMilli(claims.getIssuedAtMs()) + " (expected: at most " + maxClockSkew
                    + " after now " + Instant.ofEpochMilli(now) + ")");
        }
        return claims;
    }

    private static AuthenticationException refuse(Reason reason, String message) {
        return new AuthenticationException(reason, message);
    }

    /**
     * The key ring tokens are opened with.
     *
     * @return the key ring
     */
    public TokenKeys keys() {
        return keys;
    }

    /**
     * The cache that accepts each token id once.
     *
     * @return the replay cache
     */
    public TokenReplayCache replayCache() {
        return replayCache;
    }

    /**
     * How far in the future a token's issue time may be.
     *
     * @return the allowed clock skew
     */
    public Duration maxClockSkew() {
        return maxClockSkew;
    }

    /**
     * Closes the replay cache when the provider built it from properties ({@code replayCache}) and it
     * holds resources; a cache given to {@link Builder#replayCache} is the caller's to close. Never
     * blocks.
     */
    @Override
    public void close() {
        if (ownsReplayCache && replayCache instanceof AutoCloseable) {
            try {
                ((AutoCloseable) replayCache).close();
            } catch (Exception e) {
                throw new IllegalStateException("the replay cache failed to close", e);
            }
        }
    }

    @Override
    public String toString() {
        return "SealedTokenAuthenticator{keys=" + keys + ", replayCache=" + replayCache
                + ", maxClockSkew=" + maxClockSkew + "}";
    }

    /** Builds a {@link SealedTokenAuthenticator}. Not thread-safe. */
    public static final class Builder {

        private TokenKeys keys;
        private TokenReplayCache replayCache;
        private boolean ownsReplayCache;
        private Clock clock = Clock.systemUTC();
        private Duration maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;

        private Builder() {
        }

        /**
         * Sets the key ring tokens are opened with. Required.
         *
         * @param keys the key ring
         * @return this builder
         */
        public Builder keys(TokenKeys keys) {
            this.keys = requireNonNull(keys, "keys");
            return this;
        }

        /**
         * Sets the replay cache; by default a new {@link InMemoryTokenReplayCache} of
         * {@value InMemoryTokenReplayCache#DEFAULT_MAX_ENTRIES} ids on this builder's clock.
         *
         * @param replayCache the replay cache, shared across gateways or not
         * @return this builder
         */
        public Builder replayCache(TokenReplayCache replayCache) {
            this.replayCache = requireNonNull(replayCache, "replayCache");
            this.ownsReplayCache = false;
            return this;
        }

        /** Sets a replay cache the authenticator closes: one its provider built. */
        Builder ownedReplayCache(TokenReplayCache replayCache) {
            this.replayCache = requireNonNull(replayCache, "replayCache");
            this.ownsReplayCache = true;
            return this;
        }

        /**
         * Sets the clock tokens are checked against; the system clock in UTC by default.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets how far in the future a token's issue time may be, for login services whose clock runs
         * ahead; 60 seconds by default.
         *
         * @param maxClockSkew from 0 to 1 hour
         * @return this builder
         */
        public Builder maxClockSkew(Duration maxClockSkew) {
            requireNonNull(maxClockSkew, "maxClockSkew");
            if (maxClockSkew.isNegative() || maxClockSkew.compareTo(MAX_MAX_CLOCK_SKEW) > 0) {
                throw new IllegalArgumentException(
                        "maxClockSkew: " + maxClockSkew + " (expected: 0 to " + MAX_MAX_CLOCK_SKEW + ")");
            }
            this.maxClockSkew = maxClockSkew;
            return this;
        }

        /**
         * Builds the authenticator.
         *
         * @return the authenticator
         * @throws IllegalStateException if no keys were set
         */
        public SealedTokenAuthenticator build() {
            if (keys == null) {
                throw new IllegalStateException("keys: not set (expected: the TokenKeys shared with the login "
                        + "service)");
            }
            return new SealedTokenAuthenticator(this);
        }
    }
}
