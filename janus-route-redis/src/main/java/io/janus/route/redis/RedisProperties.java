package io.janus.route.redis;

import io.janus.core.spi.ProviderProperties;
import java.time.Duration;
import java.util.Map;

/**
 * Reads the properties the {@code redis} providers share (config.yaml's {@code directory:} and
 * {@code router:} sections): where Redis is ({@code redis.host}, default 127.0.0.1; {@code redis.port},
 * default 6379), {@code ttlMs} and {@code renewIntervalMs}.
 */
final class RedisProperties {

    private RedisProperties() {
    }

    /**
     * The Redis address. The one place that maps property keys to {@link RedisRouteOptions}: to be
     * replaced by {@code RedisRouteOptions.fromProperties(Map)} (cluster addresses) when it lands.
     */
    static RedisRouteOptions options(Map<String, String> properties, String kind) {
        RedisRouteOptions.Builder b = RedisRouteOptions.builder();
        String host = properties.get("redis.host");
        if (host != null) {
            b.host(host.trim());
        }
        if (properties.containsKey("redis.port")) {
            b.port(ProviderProperties.intProperty(properties, kind, "redis.port", 6379));
        }
        return b.build();
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
