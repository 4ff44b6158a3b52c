package io.janus.core.spi;

import java.util.Map;

/** The registry of {@link DiscoveryProvider}s. Thread-safe. */
public final class DiscoveryRegistry extends ProviderRegistry<DiscoveryProvider> {

    private static DiscoveryRegistry instance;

    DiscoveryRegistry() {
        super(DiscoveryProvider.class, "discovery", Map.of("etcd", "io.janus:janus-discovery-etcd"));
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized DiscoveryRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(DiscoveryProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static DiscoveryRegistry loadFrom(ClassLoader classLoader) {
        DiscoveryRegistry registry = new DiscoveryRegistry();
        registry.addAvailable(load(DiscoveryProvider.class, classLoader));
        return registry;
    }
}
