package io.janus.core.auth;

import io.janus.core.spi.ProviderRegistry;
import java.util.Map;

/** The registry of {@link TokenReplayCacheProvider}s. Thread-safe. */
public final class TokenReplayCacheRegistry extends ProviderRegistry<TokenReplayCacheProvider> {

    private static TokenReplayCacheRegistry instance;

    TokenReplayCacheRegistry() {
        super(TokenReplayCacheProvider.class, "token replay cache", Map.of("redis", "io.janus:janus-route-redis"));
    }

    /**
     * Returns the registry of the providers found on the class path of this SPI, loaded on first use.
     *
     * @return the process-wide registry
     */
    public static synchronized TokenReplayCacheRegistry getDefaultRegistry() {
        if (instance == null) {
            instance = loadFrom(TokenReplayCacheProvider.class.getClassLoader());
        }
        return instance;
    }

    /**
     * Creates a registry of the providers visible to {@code classLoader}, apart from the default one.
     *
     * @param classLoader where to look for {@code META-INF/services} files
     * @return a new registry
     */
    public static TokenReplayCacheRegistry loadFrom(ClassLoader classLoader) {
        TokenReplayCacheRegistry registry = new TokenReplayCacheRegistry();
        registry.addAvailable(load(TokenReplayCacheProvider.class, classLoader));
        return registry;
    }
}
