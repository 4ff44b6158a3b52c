package io.janus.core.spi;

import java.util.Map;

/** Provides an {@link Authenticator}; listed in {@code META-INF/services/io.janus.core.spi.AuthenticatorProvider}. */
public abstract class AuthenticatorProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected AuthenticatorProvider() {
    }

    /**
     * Builds an authenticator.
     *
     * @param properties authenticator-specific properties (keys, endpoints)
     * @return the authenticator
     */
    public abstract Authenticator newAuthenticator(Map<String, String> properties);
}
