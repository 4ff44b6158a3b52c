package io.janus.core.spi;

import java.util.Map;

/** The registry of {@link TunnelProvider}s. Thread-safe. */
public final class TunnelRegistry extends ProviderRegistry<TunnelProvider> {

    private static TunnelRegistry instance;

    TunnelRegistry() {
        super(TunnelProvider.class, "tunnel", Map.of());
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized TunnelRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(TunnelProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static TunnelRegistry loadFrom(ClassLoader classLoader) {
        TunnelRegistry registry = new TunnelRegistry();
        registry.addAvailable(load(TunnelProvider.class, classLoader));
        return registry;
    }
}
