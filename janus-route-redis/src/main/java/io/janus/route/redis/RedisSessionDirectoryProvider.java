package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.SessionDirectory;
import io.janus.core.spi.SessionDirectoryContext;
import io.janus.core.spi.SessionDirectoryProvider;
import java.time.Duration;
import java.util.Map;

/**
 * Provides the {@link RedisSessionDirectory} under the name {@value #NAME}. Properties (config.yaml's
 * {@code directory:} section): the {@code redis.*} keys of {@link RedisRouteOptions#fromProperties} ({@code redis.addresses},
 * {@code redis.cluster}, timeouts; 127.0.0.1:6379 standalone by default),
 * {@code ttlMs} (entry and presence TTL, {@value RedisSessionDirectory#DEFAULT_TTL_MS} by default) and
 * {@code renewIntervalMs} (a third of the TTL by default). The directory it builds owns its Redis
 * connection: it connects on start and closes it on close.
 */
public final class RedisSessionDirectoryProvider extends SessionDirectoryProvider {

    /** The provider name. */
    public static final String NAME = "redis";

    /** Called by {@link java.util.ServiceLoader}. */
    public RedisSessionDirectoryProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Below the default: a cluster directory is chosen by name ({@code directory.provider: redis}), never by default. */
    @Override
    public int priority() {
        return 3;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public SessionDirectory newDirectory(SessionDirectoryContext context) {
        requireNonNull(context, "context");
        Map<String, String> properties = context.properties();
        Duration ttl = RedisProperties.millis(properties, "directory", "ttlMs",
                Duration.ofMillis(RedisSessionDirectory.DEFAULT_TTL_MS));
        RedisSessionDirectory.Builder builder = RedisSessionDirectory.builder(context)
                .redisOptions(RedisRouteOptions.fromProperties(properties))
                .ttl(ttl);
        if (properties.containsKey("renewIntervalMs")) {
            builder.renewInterval(RedisProperties.millis(properties, "directory", "renewIntervalMs", ttl.dividedBy(3)));
        }
        return builder.build();
    }
}
