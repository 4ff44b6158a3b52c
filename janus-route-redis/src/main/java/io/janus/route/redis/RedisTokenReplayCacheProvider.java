package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.auth.TokenReplayCache;
import io.janus.core.auth.TokenReplayCacheProvider;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides the {@link RedisTokenReplayCache} under the name {@value #NAME}, for the sealed authenticator's
 * {@code replayCache: redis}: a token used on one gateway of a fleet is refused as replayed on every
 * other. Properties (the authenticator's {@code replayCache.*} properties without the prefix): the
 * {@code redis.*} keys of {@link RedisRouteOptions#fromProperties}, for example
 * {@code replayCache.redis.addresses: "10.0.0.5:6379"}.
 *
 * <p>The cache it builds owns its connection: it connects at once, in the background (retrying while
 * Redis cannot be reached), and until the connection is up every login fails closed with
 * {@link Reason#AUTH_UNAVAILABLE}, as it does while Redis is unreachable later. The authenticator closes
 * it when the gateway stops.
 */
public final class RedisTokenReplayCacheProvider extends TokenReplayCacheProvider {

    /** The provider name. */
    public static final String NAME = "redis";

    private static final Logger logger = LoggerFactory.getLogger(RedisTokenReplayCacheProvider.class);

    /** Called by {@link java.util.ServiceLoader}. */
    public RedisTokenReplayCacheProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Below the default: a shared cache is chosen by name, never by default. */
    @Override
    public int priority() {
        return 3;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public TokenReplayCache newCache(Map<String, String> properties) {
        requireNonNull(properties, "properties");
        for (String name : properties.keySet()) {
            if (!name.startsWith("redis.")) {
                throw new IllegalArgumentException("redis replay cache property " + name
                        + ": unknown (expected: the redis.* keys of RedisRouteOptions)");
            }
        }
        return new Connecting(RedisRouteOptions.fromProperties(properties));
    }

    /**
     * A Redis replay cache on a connection of its own, refusing logins until it is connected. A failed
     * first connection is retried with a delay doubling from 100 ms to 10 s; once connected, Lettuce
     * reconnects by itself.
     */
    static final class Connecting implements TokenReplayCache, AutoCloseable {
        private static final long FIRST_RETRY_MS = 100;
        private static final long MAX_RETRY_MS = 10_000;

        private final RedisRouteOptions options;
        private final AtomicReference<RedisRouteClient> client = new AtomicReference<>();
        private volatile RedisTokenReplayCache cache;
        private volatile boolean closed;

        Connecting(RedisRouteOptions options) {
            this.options = options;
            connect(FIRST_RETRY_MS);
        }

        private void connect(long nextDelayMs) {
            RedisRouteClient.connect(options).whenComplete((connected, failure) -> {
                if (failure != null) {
                    if (!closed) {
                        logger.warn("The token replay cache could not connect to Redis (logins are refused with "
                                + "AUTH_UNAVAILABLE); retrying in {} ms: {}", nextDelayMs, failure.toString());
                        CompletableFuture.delayedExecutor(nextDelayMs, TimeUnit.MILLISECONDS)
                                .execute(() -> connect(Math.min(MAX_RETRY_MS, nextDelayMs * 2)));
                    }
                    return;
                }
                client.set(connected);
                if (closed) {
                    connected.closeAsync();
                    return;
                }
                cache = new RedisTokenReplayCache(connected);
            });
        }

        @Override
        public CompletionStage<Boolean> firstUse(ByteString tokenId, long expiresAtMs) {
            RedisTokenReplayCache ready = cache;
            if (ready == null || closed) {
                return CompletableFuture.failedFuture(new AuthenticationException(Reason.AUTH_UNAVAILABLE,
                        "the token replay cache is not connected to Redis"));
            }
            return ready.firstUse(tokenId, expiresAtMs);
        }

        /** Whether the connection is up. */
        boolean isConnected() {
            return cache != null;
        }

        /** Closes the connection, or stops trying to make one, without waiting. */
        @Override
        public void close() {
            closed = true;
            RedisRouteClient c = client.getAndSet(null);
            if (c != null) {
                c.closeAsync();
            }
        }

        @Override
        public String toString() {
            return "RedisTokenReplayCache{connected=" + isConnected() + "}";
        }
    }
}
