package io.janus.core.auth;

import io.janus.core.spi.JanusProvider;
import java.util.Map;

/**
 * Provides a {@link TokenReplayCache}; listed in
 * {@code META-INF/services/io.janus.core.auth.TokenReplayCacheProvider}. The sealed authenticator picks
 * one by its {@code replayCache} property: {@code memory} (this gateway only, the default) or
 * {@code redis} (janus-route-redis: shared by a fleet, so a token cannot be replayed on another gateway).
 */
public abstract class TokenReplayCacheProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected TokenReplayCacheProvider() {
    }

    /**
     * Builds a cache. A cache that holds resources (connections) implements {@link AutoCloseable}; the
     * authenticator that asked for it closes it.
     *
     * @param properties the cache's properties (the authenticator's {@code replayCache.*} properties,
     *        without the prefix)
     * @return the cache
     * @throws IllegalArgumentException naming a property that is malformed or unknown
     */
    public abstract TokenReplayCache newCache(Map<String, String> properties);
}
