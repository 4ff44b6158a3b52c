package io.janus.core.spi;

import java.util.Map;

/** The registry of {@link AuthenticatorProvider}s. Thread-safe. */
public final class AuthenticatorRegistry extends ProviderRegistry<AuthenticatorProvider> {

    private static AuthenticatorRegistry instance;

    AuthenticatorRegistry() {
        super(AuthenticatorProvider.class, "authenticator", Map.of());
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized AuthenticatorRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(AuthenticatorProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static AuthenticatorRegistry loadFrom(ClassLoader classLoader) {
        AuthenticatorRegistry registry = new AuthenticatorRegistry();
        registry.addAvailable(load(AuthenticatorProvider.class, classLoader));
        return registry;
    }
}
