package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Atomic claims on route keys ({@link RouteKey}: gateway, service and object tables) in Redis. Each key
 * holds the id of its owner and expires after a time to live unless renewed.
 *
 * <ul>
 *   <li>{@link #claim}: {@code SET key owner NX PX ttl}, so of two claimers exactly one wins;</li>
 *   <li>{@link #renew}: a script extends the TTL only while the value is still the caller's;</li>
 *   <li>{@link #release}: a script deletes the key only while the value is still the caller's;</li>
 *   <li>{@link #reclaim}: a script moves the key from a dead owner to a live one only while the value is
 *       still the dead owner's (compare-and-swap), so a player reaches a live instance at once instead
 *       of waiting for the dead owner's TTL.</li>
 * </ul>
 * Scripts run with {@code EVALSHA} and fall back to {@code EVAL} on {@code NOSCRIPT}. Every method
 * returns at once; a stage fails with Lettuce's exception when Redis is unreachable or too slow
 * (command timeout of {@link RedisRouteOptions}). Thread-safe.
 */
public final class RouteTable {

    /** The longest owner id accepted, in characters. */
    public static final int MAX_OWNER_LENGTH = 256;

    private static final LuaScript RENEW = new LuaScript(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
            + "  return redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
            + "end\n"
            + "return 0\n");
    private static final LuaScript RELEASE = new LuaScript(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
            + "  return redis.call('DEL', KEYS[1])\n"
            + "end\n"
            + "return 0\n");
    private static final LuaScript RECLAIM = new LuaScript(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
            + "  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
            + "  return 1\n"
            + "end\n"
            + "return 0\n");

    private final RedisRouteClient redis;

    /**
     * Creates a table on a connection that the caller keeps and closes.
     *
     * @param redis the connection
     */
    public RouteTable(RedisRouteClient redis) {
        this.redis = requireNonNull(redis, "redis");
    }

    /**
     * Claims a key if nobody holds it.
     *
     * @param key the route
     * @param owner the claimer's id (gateway or instance id)
     * @param ttl how long the claim lasts unless renewed, at least 1 ms
     * @return {@code true} when this call took the key, {@code false} when someone holds it
     */
    public CompletionStage<Boolean> claim(RouteKey key, String owner, Duration ttl) {
        requireNonNull(key, "key");
        checkOwner(owner, "owner");
        long ms = ttlMillis(ttl);
        return redis.async().set(key.redisKey(), owner, SetArgs.Builder.nx().px(ms))
                .thenApply("OK"::equals);
    }

    /**
     * Extends a claim, only if the caller still holds it.
     *
     * @param key the route
     * @param owner the holder's id
     * @param ttl the new time to live from now, at least 1 ms
     * @return {@code true} when renewed, {@code false} when the key is gone or held by another
     */
    public CompletionStage<Boolean> renew(RouteKey key, String owner, Duration ttl) {
        requireNonNull(key, "key");
        checkOwner(owner, "owner");
        long ms = ttlMillis(ttl);
        return RENEW.evalLong(redis.async(), new String[] {key.redisKey()}, owner, Long.toString(ms))
                .thenApply(n -> n == 1L);
    }

    /**
     * Gives a claim up, only if the caller still holds it.
     *
     * @param key the route
     * @param owner the holder's id
     * @return {@code true} when deleted, {@code false} when the key is gone or held by another
     */
    public CompletionStage<Boolean> release(RouteKey key, String owner) {
        requireNonNull(key, "key");
        checkOwner(owner, "owner");
        return RELEASE.evalLong(redis.async(), new String[] {key.redisKey()}, owner)
                .thenApply(n -> n == 1L);
    }

    /**
     * Moves a claim from an owner known to be dead to a new owner, only if the dead owner still holds it.
     * When the key is absent, this returns {@code false}: call {@link #claim} then.
     *
     * @param key the route
     * @param deadOwner the id of the owner gone from discovery
     * @param newOwner the live owner's id
     * @param ttl the new claim's time to live, at least 1 ms
     * @return {@code true} when the key now holds {@code newOwner}, {@code false} when it held another
     *         value (someone else re-claimed it first) or was absent
     */
    public CompletionStage<Boolean> reclaim(RouteKey key, String deadOwner, String newOwner, Duration ttl) {
        requireNonNull(key, "key");
        checkOwner(deadOwner, "deadOwner");
        checkOwner(newOwner, "newOwner");
        long ms = ttlMillis(ttl);
        return RECLAIM.evalLong(redis.async(), new String[] {key.redisKey()}, deadOwner, newOwner,
                Long.toString(ms)).thenApply(n -> n == 1L);
    }

    /**
     * Looks the owner of a key up.
     *
     * @param key the route
     * @return the owner's id, or empty when nobody holds the key
     */
    public CompletionStage<Optional<String>> owner(RouteKey key) {
        requireNonNull(key, "key");
        return redis.async().get(key.redisKey()).thenApply(Optional::ofNullable);
    }

    private static void checkOwner(String owner, String name) {
        requireNonNull(owner, name);
        if (owner.isEmpty() || owner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException(name + ": length " + owner.length()
                    + " (expected: 1-" + MAX_OWNER_LENGTH + ")");
        }
    }

    private static long ttlMillis(Duration ttl) {
        requireNonNull(ttl, "ttl");
        long ms = ttl.toMillis();
        if (ms < 1) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: >= 1 ms)");
        }
        return ms;
    }

    @Override
    public String toString() {
        return "RouteTable{" + redis + "}";
    }
}
