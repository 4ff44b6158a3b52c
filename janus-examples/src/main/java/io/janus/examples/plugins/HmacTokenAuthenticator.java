package io.janus.examples.plugins;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.spi.AuthRequest;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link Authenticator} for tokens signed by a studio's existing login service ({@link HmacTokens}):
 * what a studio writes when it already has a login service and does not want to issue Janus's sealed
 * tokens. Pure computation, so it answers on the event loop without blocking. Chosen in config.yaml
 * with {@code authenticator: {provider: hmac}}; see {@link HmacTokenAuthenticatorProvider}.
 *
 * <p>A malformed or forged token is refused with {@link Reason#TOKEN_INVALID}, an expired one with
 * {@link Reason#TOKEN_EXPIRED}. Thread-safe.
 */
public final class HmacTokenAuthenticator implements Authenticator {

    private final HmacTokens tokens;
    private final Clock clock;
    private final Duration maxClockSkew;

    /**
     * Creates an authenticator.
     *
     * @param tokens the token format and key
     * @param clock the clock expiry is checked against
     * @param maxClockSkew how long after its expiry a token is still accepted, for clocks that differ
     */
    public HmacTokenAuthenticator(HmacTokens tokens, Clock clock, Duration maxClockSkew) {
        this.tokens = requireNonNull(tokens, "tokens");
        this.clock = requireNonNull(clock, "clock");
        this.maxClockSkew = requireNonNull(maxClockSkew, "maxClockSkew");
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("maxClockSkew: " + maxClockSkew + " (expected: >= 0)");
        }
    }

    @Override
    public CompletionStage<Identity> authenticate(AuthRequest request) {
        requireNonNull(request, "request");
        HmacTokens.Claims claims = tokens.verify(request.token());
        if (claims == null) {
            return CompletableFuture.failedFuture(new AuthenticationException(Reason.TOKEN_INVALID,
                    "not a token of the login service (malformed, or its HMAC does not verify)"));
        }
        long now = clock.instant().getEpochSecond();
        if (now > claims.expiresAt() + maxClockSkew.toSeconds()) {
            return CompletableFuture.failedFuture(new AuthenticationException(Reason.TOKEN_EXPIRED,
                    "the token expired " + (now - claims.expiresAt()) + " s ago"));
        }
        return CompletableFuture.completedFuture(Identity.of(claims.playerId(), claims.zone(), Identity.DEFAULT_COLOR));
    }

    @Override
    public String toString() {
        return "HmacTokenAuthenticator{maxClockSkew=" + maxClockSkew + "}";
    }
}
