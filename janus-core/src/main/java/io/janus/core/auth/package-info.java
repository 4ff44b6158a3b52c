/**
 * The default {@link io.janus.core.spi.Authenticator}: sealed login tokens (docs/protocol.md, section 10).
 *
 * <p>The game's login service issues tokens with a {@link io.janus.core.auth.TokenIssuer}; the gateways
 * open them with a {@link io.janus.core.auth.SealedTokenAuthenticator} (provider name {@code sealed}).
 * Both hold the same {@link io.janus.core.auth.TokenKeys}. A {@link io.janus.core.auth.TokenReplayCache}
 * accepts each token once; {@link io.janus.core.auth.InMemoryTokenReplayCache} is the bounded default
 * for a single gateway.
 */
package io.janus.core.auth;
