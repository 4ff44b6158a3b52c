package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.ProviderProperties;
import io.janus.core.spi.Router;
import io.janus.core.spi.RouterContext;
import io.janus.core.spi.RouterProvider;
import java.time.Duration;
import java.util.Map;

/**
 * Provides the {@link RedisRouter} under the name {@value #NAME}. Properties (config.yaml's
 * {@code router:} section): the {@code redis.*} keys of {@link RedisRouteOptions#fromProperties} ({@code redis.addresses},
 * {@code redis.cluster}, timeouts; 127.0.0.1:6379 standalone by default),
 * {@code ttlMs} (claim TTL, {@value RedisRouter#DEFAULT_TTL_MS} by default), {@code renewIntervalMs} (a
 * third of the TTL by default), {@code cacheTtlMs} ({@value RedisRouter#DEFAULT_CACHE_TTL_MS}),
 * {@code maxStaleMs} ({@value RedisRouter#DEFAULT_MAX_STALE_MS}) and {@code maxClaims}
 * ({@value RedisRouter#DEFAULT_MAX_CLAIMS}). The router it builds owns its Redis connection.
 */
public final class RedisRouterProvider extends RouterProvider {

    /** The provider name. */
    public static final String NAME = "redis";

    /** Called by {@link java.util.ServiceLoader}. */
    public RedisRouterProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Below the in-memory router's priority: Redis routing is chosen by name, never by default. */
    @Override
    public int priority() {
        return 3;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Router newRouter(RouterContext context) {
        requireNonNull(context, "context");
        Map<String, String> p = context.properties();
        Duration ttl = RedisProperties.millis(p, "router", "ttlMs", Duration.ofMillis(RedisRouter.DEFAULT_TTL_MS));
        RedisRouter.Builder b = RedisRouter.builder(context.discovery(), context.routes())
                .redisOptions(RedisRouteOptions.fromProperties(p))
                .health(context.health())
                .ttl(ttl)
                .cacheTtl(RedisProperties.millis(p, "router", "cacheTtlMs",
                        Duration.ofMillis(RedisRouter.DEFAULT_CACHE_TTL_MS)))
                .maxStale(RedisProperties.millis(p, "router", "maxStaleMs",
                        Duration.ofMillis(RedisRouter.DEFAULT_MAX_STALE_MS)))
                .maxClaims(ProviderProperties.intProperty(p, "router", "maxClaims", RedisRouter.DEFAULT_MAX_CLAIMS));
        if (p.containsKey("renewIntervalMs")) {
            b.renewInterval(RedisProperties.millis(p, "router", "renewIntervalMs", ttl.dividedBy(3)));
        }
        return b.build();
    }
}
