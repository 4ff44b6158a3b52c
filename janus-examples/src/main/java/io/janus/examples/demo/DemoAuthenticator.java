package io.janus.examples.demo;

import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.spi.AuthRequest;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.Identity;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <strong>Demo only: provides no security at all.</strong> Accepts the token {@code demo:<playerId>}
 * and logs the client in as that player, so anyone can be anyone. Use it to try Janus on a laptop;
 * never expose a gateway using it to a network you do not control.
 *
 * <p>A real game plugs in an {@link Authenticator} that checks a token issued by its login service (a
 * signed or sealed token, or a call to that service). The secure sealed-token authenticator arrives
 * with the secure session protocol.
 *
 * <p>Never blocks; thread-safe.
 */
public final class DemoAuthenticator implements Authenticator {

    private static final Logger logger = LoggerFactory.getLogger(DemoAuthenticator.class);

    /** What every demo token starts with. */
    public static final String TOKEN_PREFIX = "demo:";

    // Long.MAX_VALUE has 19 digits; 18 always parse, which keeps the check below free of overflow.
    private static final int MAX_ID_DIGITS = 18;

    /** Creates the authenticator, and warns in the log that it has no security. */
    public DemoAuthenticator() {
        logger.warn("DemoAuthenticator accepts any '{}<playerId>' token: demo only, no security", TOKEN_PREFIX);
    }

    /**
     * The demo token of a player.
     *
     * @param playerId the player, above 0
     * @return {@code demo:<playerId>}
     */
    public static String token(long playerId) {
        if (playerId <= 0) {
            throw new IllegalArgumentException("playerId: " + playerId + " (expected: > 0)");
        }
        return TOKEN_PREFIX + playerId;
    }

    /**
     * Accepts {@code demo:<playerId>} with a player id of 1 to 18 decimal digits, above 0.
     *
     * @param request the login
     * @return the identity of that player in zone 0, or a failure with {@link Reason#TOKEN_INVALID}
     */
    @Override
    public CompletionStage<Identity> authenticate(AuthRequest request) {
        String token = request.token();
        String id = token.startsWith(TOKEN_PREFIX) ? token.substring(TOKEN_PREFIX.length()) : "";
        if (id.isEmpty() || id.length() > MAX_ID_DIGITS || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // The message reaches the client: it says what was expected, never echoes the token.
            return refuse("expected a token of the form " + TOKEN_PREFIX + "<playerId>");
        }
        long playerId = Long.parseLong(id);
        if (playerId == 0) {
            return refuse("the player id must be above 0");
        }
        return CompletableFuture.completedFuture(Identity.of(playerId));
    }

    private static CompletionStage<Identity> refuse(String message) {
        return CompletableFuture.failedFuture(new AuthenticationException(Reason.TOKEN_INVALID, message));
    }
}
