package io.janus.core.spi;

import java.util.concurrent.CompletionStage;

/**
 * Checks the token a client presents at login and says who the player is. Game teams plug in their own
 * (a call to their login service, a signed-token check); the default sealed-token authenticator comes
 * with the secure session protocol.
 *
 * <p>Called on an event loop: it must not block. An authenticator that needs I/O returns a stage that
 * completes later; one that must block hands the work to its own executor.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Authenticates a login.
     *
     * @param request the token and where it came from
     * @return a stage completed with the player's identity, or exceptionally with an
     *         {@link io.janus.core.AuthenticationException} whose reason the client receives; any
     *         other failure is reported to the client as {@link io.janus.api.Reason#AUTH_UNAVAILABLE}
     */
    CompletionStage<Identity> authenticate(AuthRequest request);
}
