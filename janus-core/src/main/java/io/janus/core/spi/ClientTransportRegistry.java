package io.janus.core.spi;

import java.util.Map;

/** The registry of {@link ClientTransportProvider}s. Thread-safe. */
public final class ClientTransportRegistry extends ProviderRegistry<ClientTransportProvider> {

    private static ClientTransportRegistry instance;

    ClientTransportRegistry() {
        super(ClientTransportProvider.class, "client transport", TransportRegistry.ARTIFACTS);
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized ClientTransportRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(ClientTransportProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static ClientTransportRegistry loadFrom(ClassLoader classLoader) {
        ClientTransportRegistry registry = new ClientTransportRegistry();
        registry.addAvailable(load(ClientTransportProvider.class, classLoader));
        return registry;
    }
}
