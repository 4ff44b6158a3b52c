package io.janus.core.spi;

import java.util.Map;

/** The registry of {@link RouterProvider}s. Thread-safe. */
public final class RouterRegistry extends ProviderRegistry<RouterProvider> {

    private static RouterRegistry instance;

    RouterRegistry() {
        super(RouterProvider.class, "router", Map.of("redis", "io.janus:janus-route-redis"));
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized RouterRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(RouterProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static RouterRegistry loadFrom(ClassLoader classLoader) {
        RouterRegistry registry = new RouterRegistry();
        registry.addAvailable(load(RouterProvider.class, classLoader));
        return registry;
    }
}
