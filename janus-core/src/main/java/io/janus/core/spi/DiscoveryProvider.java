package io.janus.core.spi;

import java.util.Map;

/** Provides a {@link Discovery}; listed in {@code META-INF/services/io.janus.core.spi.DiscoveryProvider}. */
public abstract class DiscoveryProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected DiscoveryProvider() {
    }

    /**
     * Builds a discovery.
     *
     * @param properties discovery-specific properties (endpoints, TTL)
     * @return the discovery
     */
    public abstract Discovery newDiscovery(Map<String, String> properties);
}
