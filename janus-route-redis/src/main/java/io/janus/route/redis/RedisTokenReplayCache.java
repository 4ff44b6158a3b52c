package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.auth.TokenReplayCache;
import io.lettuce.core.SetArgs;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A {@link TokenReplayCache} shared by every gateway of a fleet through Redis, so that a token used on
 * one gateway cannot be replayed on another (docs/protocol.md, section 10).
 *
 * <p>Each first use runs {@code SET janus:tok:{HEX} 1 NX PXAT expiresAtMs}
 * (https://redis.io/docs/latest/commands/set/): the key lives exactly until the token expires, and of
 * two gateways racing with one token exactly one sees {@code OK}. {@code HEX} is the token id in hex,
 * also the hash tag, so token keys spread over a cluster's slots.
 *
 * <p>When Redis is unreachable, too slow (command timeout) or its queue is full, the cache fails closed:
 * the stage fails with an {@link AuthenticationException} of reason {@link Reason#AUTH_UNAVAILABLE} and
 * the login is refused, rather than risk admitting a replay. Nothing waits for Redis to come back: the
 * connection refuses commands while disconnected and its request queue is bounded
 * ({@link RedisRouteOptions#requestQueueSize()}). Token ids are 1 to {@value #MAX_TOKEN_ID_BYTES}
 * bytes; others fail with {@link Reason#TOKEN_INVALID}. Thread-safe; never blocks.
 */
public final class RedisTokenReplayCache implements TokenReplayCache {

    /** The longest token id accepted, in bytes. */
    public static final int MAX_TOKEN_ID_BYTES = 64;

    private static final CompletionStage<Boolean> FIRST = CompletableFuture.completedStage(Boolean.TRUE);

    private final RedisRouteClient redis;
    private final Clock clock;

    /**
     * Creates a cache on the system clock, on a connection that the caller keeps and closes.
     *
     * @param redis the connection
     */
    public RedisTokenReplayCache(RedisRouteClient redis) {
        this(redis, Clock.systemUTC());
    }

    /**
     * Creates a cache.
     *
     * @param redis the connection, kept and closed by the caller
     * @param clock the clock that says which tokens have expired
     */
    public RedisTokenReplayCache(RedisRouteClient redis, Clock clock) {
        this.redis = requireNonNull(redis, "redis");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Boolean> firstUse(ByteString tokenId, long expiresAtMs) {
        requireNonNull(tokenId, "tokenId");
        if (tokenId.isEmpty() || tokenId.size() > MAX_TOKEN_ID_BYTES) {
            return CompletableFuture.failedStage(new AuthenticationException(Reason.TOKEN_INVALID,
                    "token id of " + tokenId.size() + " bytes (expected: 1-" + MAX_TOKEN_ID_BYTES + ")"));
        }
        if (expiresAtMs <= clock.millis()) {
            // Already expired: refused before reaching here, and nothing worth keeping (as the in-memory cache).
            return FIRST;
        }
        String key = key(tokenId);
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        try {
            redis.async().set(key, "1", SetArgs.Builder.nx().pxAt(expiresAtMs)).whenComplete((reply, error) -> {
                if (error != null) {
                    result.completeExceptionally(unavailable(error));
                } else {
                    result.complete("OK".equals(reply));
                }
            });
        } catch (RuntimeException e) {
            // Lettuce may refuse synchronously (closed connection).
            result.completeExceptionally(unavailable(e));
        }
        return result;
    }

    static String key(ByteString tokenId) {
        return "janus:tok:{" + HexFormat.of().formatHex(tokenId.toByteArray()) + "}";
    }

    private static AuthenticationException unavailable(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        // The message reaches the client: it names the failure's type only, never addresses or keys.
        return new AuthenticationException(Reason.AUTH_UNAVAILABLE,
                "token replay cache unavailable (" + cause.getClass().getSimpleName() + ")");
    }

    @Override
    public String toString() {
        return "RedisTokenReplayCache{" + redis + "}";
    }
}
