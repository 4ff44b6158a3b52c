package io.janus.core.auth;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A bounded {@link TokenReplayCache} in this JVM, for a single gateway. Thread-safe; answers at once.
 *
 * <p>Each id is remembered until its token expires, and then evicted. When the cache holds
 * {@code maxEntries} ids that have not expired it refuses new ones with
 * {@link Reason#AUTH_UNAVAILABLE} rather than forget one that could still be replayed.
 *
 * <p>Ids are filed in one-second buckets by expiry, kept in time order. A bucket is evicted once all of
 * it has expired, so an id may be kept up to a second after its token expires; a few ids are evicted on
 * every call and, when the cache is full, every wholly expired bucket. Each id is thus filed and evicted
 * once: a call costs O(1) amortised, plus O(log b) to file the id among the b distinct expiry seconds
 * held (at most the longest token lifetime in seconds).
 */
public final class InMemoryTokenReplayCache implements TokenReplayCache {

    /** The default bound on the number of ids remembered. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    private static final long BUCKET_MS = 1000;
    // Enough to keep up with insertions (each files one id) while bounding the work of one call.
    private static final int EVICTIONS_PER_CALL = 64;

    private static final CompletionStage<Boolean> FIRST = CompletableFuture.completedStage(Boolean.TRUE);
    private static final CompletionStage<Boolean> REPLAYED = CompletableFuture.completedStage(Boolean.FALSE);

    private final int maxEntries;
    private final Clock clock;

    private final Object lock = new Object();
    // Guarded by lock: id -> expiry (epoch ms), and expiry second -> ids filed under it.
    private final Map<ByteString, Long> expiries = new HashMap<>();
    private final TreeMap<Long, ArrayDeque<ByteString>> buckets = new TreeMap<>();

    /** Creates a cache of at most {@value #DEFAULT_MAX_ENTRIES} ids on the system clock in UTC. */
    public InMemoryTokenReplayCache() {
        this(DEFAULT_MAX_ENTRIES);
    }

    /**
     * Creates a cache on the system clock in UTC.
     *
     * @param maxEntries the most ids remembered at once, at least 1
     */
    public InMemoryTokenReplayCache(int maxEntries) {
        this(maxEntries, Clock.systemUTC());
    }

    /**
     * Creates a cache.
     *
     * @param maxEntries the most ids remembered at once, at least 1
     * @param clock the clock that says which ids have expired
     */
    public InMemoryTokenReplayCache(int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
        }
        this.maxEntries = maxEntries;
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Boolean> firstUse(ByteString tokenId, long expiresAtMs) {
        requireNonNull(tokenId, "tokenId");
        long now = clock.millis();
        if (expiresAtMs <= now) {
            // Already expired: the token is refused before reaching here, and there is nothing to keep.
            return FIRST;
        }
        synchronized (lock) {
            evictExpired(now, EVICTIONS_PER_CALL);
            Long known = expiries.get(tokenId);
            if (known != null && known > now) {
                return REPLAYED;
            }
            if (known == null && expiries.size() >= maxEntries) {
                evictExpired(now, Integer.MAX_VALUE);
                if (expiries.size() >= maxEntries) {
                    return CompletableFuture.failedStage(new AuthenticationException(Reason.AUTH_UNAVAILABLE,
                            "token replay cache full: " + maxEntries + " unexpired token ids"));
                }
            }
            // A known id that expired is refiled; its old bucket skips it (its expiry moved on).
            expiries.put(tokenId, expiresAtMs);
            buckets.computeIfAbsent(Math.floorDiv(expiresAtMs, BUCKET_MS), second -> new ArrayDeque<>())
                    .add(tokenId);
        }
        return FIRST;
    }

    /**
     * The number of ids remembered now, some of which may have expired and await eviction.
     *
     * @return the number of ids held
     */
    public int size() {
        synchronized (lock) {
            return expiries.size();
        }
    }

    /**
     * The most ids remembered at once.
     *
     * @return the bound
     */
    public int maxEntries() {
        return maxEntries;
    }

    /** Evicts up to {@code budget} ids from the buckets that have wholly expired at {@code now}. */
    private void evictExpired(long now, int budget) {
        // Bucket b holds expiries b * 1000 to b * 1000 + 999: wholly expired once that last ms <= now.
        long firstLive = Math.floorDiv(now + 1, BUCKET_MS);
        int evicted = 0;
        while (evicted < budget) {
            Map.Entry<Long, ArrayDeque<ByteString>> oldest = buckets.firstEntry();
            if (oldest == null || oldest.getKey() >= firstLive) {
                return;
            }
            ArrayDeque<ByteString> ids = oldest.getValue();
            ByteString id;
            while (evicted < budget && (id = ids.poll()) != null) {
                Long expiresAt = expiries.get(id);
                if (expiresAt != null && expiresAt <= now) {
                    expiries.remove(id);
                }
                evicted++;
            }
            if (ids.isEmpty()) {
                buckets.pollFirstEntry();
            }
        }
    }

    @Override
    public String toString() {
        return "InMemoryTokenReplayCache{size=" + size() + ", maxEntries=" + maxEntries + "}";
    }
}
