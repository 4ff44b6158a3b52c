package io.janus.route.redis;

import io.janus.core.spi.ProviderProperties;
import java.time.Duration;
import java.util.Map;

/**
 * Reads the properties the {@code redis} providers share (config.yaml's {@code directory:} and
 * {@code router:} sections): where Redis is (the {@code redis.*} keys of
 * {@link RedisRouteOptions#fromProperties}, standalone or cluster), {@code ttlMs} and {@code renewIntervalMs}.
 */
final class RedisProperties {

    private RedisProperties() {
    }

    /** Where Redis is and the client's bounds: the {@code redis.*} keys of {@link RedisRouteOptions#fromProperties}. */
    static RedisRouteOptions options(Map<String, String> properties) {
        return RedisRouteOptions.fromProperties(properties);
    }

    /** A positive duration in milliseconds, or the default when absent. */
    static Duration millis(Map<String, String> properties, String kind, String key, Duration defaultValue) {
        if (!properties.containsKey(key)) {
            return defaultValue;
        }
        int ms = ProviderProperties.intProperty(properties, kind, key, 0);
        if (ms <= 0) {
            throw new IllegalArgumentException(kind + " property " + key + ": " + ms + " (expected: > 0)");
        }
        return Duration.ofMillis(ms);
    }
}
