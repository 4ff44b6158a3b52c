package io.janus.core.auth;

import java.util.Map;

/**
 * Provides the {@link InMemoryTokenReplayCache} under the name {@code memory}. Property: {@code size},
 * the most token ids it remembers ({@value InMemoryTokenReplayCache#DEFAULT_MAX_ENTRIES} by default).
 */
public final class InMemoryTokenReplayCacheProvider extends TokenReplayCacheProvider {

    /** The provider name. */
    public static final String NAME = "memory";
    /** The property bounding the cache. */
    public static final String SIZE = "size";

    /** Called by {@link java.util.ServiceLoader}. */
    public InMemoryTokenReplayCacheProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Above the default, so that a shared cache on the class path is used only when named. */
    @Override
    public int priority() {
        return 6;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public TokenReplayCache newCache(Map<String, String> properties) {
        for (String name : properties.keySet()) {
            if (!name.equals(SIZE)) {
                throw new IllegalArgumentException("memory replay cache property " + name
                        + ": unknown (expected: " + SIZE + ")");
            }
        }
        String size = properties.get(SIZE);
        if (size == null) {
            return new InMemoryTokenReplayCache();
        }
        int n;
        try {
            n = Integer.parseInt(size.trim());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            throw new IllegalArgumentException("memory replay cache property " + SIZE + ": '" + size
                    + "' (expected: an integer from 1 to " + Integer.MAX_VALUE + ")");
        }
        return new InMemoryTokenReplayCache(n);
    }
}
