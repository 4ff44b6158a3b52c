package io.janus.core.spi;

import java.util.Map;

/** The registry of {@link SessionDirectoryProvider}s. Thread-safe. */
public final class SessionDirectoryRegistry extends ProviderRegistry<SessionDirectoryProvider> {

    private static SessionDirectoryRegistry instance;

    SessionDirectoryRegistry() {
        super(SessionDirectoryProvider.class, "directory", Map.of("redis", "io.janus:janus-route-redis"));
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized SessionDirectoryRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(SessionDirectoryProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static SessionDirectoryRegistry loadFrom(ClassLoader classLoader) {
        SessionDirectoryRegistry registry = new SessionDirectoryRegistry();
        registry.addAvailable(load(SessionDirectoryProvider.class, classLoader));
        return registry;
    }
}
