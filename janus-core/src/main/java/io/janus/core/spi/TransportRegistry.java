package io.janus.core.spi;

import java.util.Map;

/** The registry of {@link TransportProvider}s. Thread-safe. */
public final class TransportRegistry extends ProviderRegistry<TransportProvider> {

    /** The artifact that ships each transport Janus knows of, for the message when one is missing. */
    static final Map<String, String> ARTIFACTS = Map.of(
            "tcp", "io.janus:janus-transport-tcp",
            "ws", "io.janus:janus-transport-ws",
            "kcp", "io.janus:janus-transport-kcp");

    private static TransportRegistry instance;

    TransportRegistry() {
        super(TransportProvider.class, "transport", ARTIFACTS);
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized TransportRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(TransportProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static TransportRegistry loadFrom(ClassLoader classLoader) {
        TransportRegistry registry = new TransportRegistry();
        registry.addAvailable(load(TransportProvider.class, classLoader));
        return registry;
    }
}
