package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.ProviderProperties;
import java.time.Duration;
import java.util.Map;

/**
 * Reads the properties the {@code redis} providers share (config.yaml's {@code directory:} and
 * {@code router:} sections): where Redis is (the {@code redis.*} keys of
 * {@link RedisRouteOptions#fromProperties}, standalone or cluster), {@code ttlMs} and {@code renewIntervalMs},
 * and the checks on claim timing that the directory's and the router's builders share.
 */
final class RedisProperties {

    private RedisProperties() {
    }

    /** A claim TTL: at least 30 ms. */
    static Duration checkTtl(Duration ttl) {
        requireNonNull(ttl, "ttl");
        if (ttl.toMillis() < 30) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: >= 30 ms)");
        }
        return ttl;
    }

    /** A renewal interval: at least 10 ms (below the TTL, checked by {@link #renewInterval}). */
    static Duration checkRenewInterval(Duration interval) {
        requireNonNull(interval, "interval");
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("renewInterval: " + interval + " (expected: >= 10 ms)");
        }
        return interval;
    }

    /**
     * The renewal interval to use: the one set, or a third of the TTL; it must be below the TTL, or a
     * claim could expire between two renewals.
     */
    static Duration renewInterval(Duration set, Duration ttl) {
        Duration interval = set != null ? set : ttl.dividedBy(3);
        if (interval.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("renewInterval: " + interval + " (expected: < ttl " + ttl + ")");
        }
        return interval;
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
