package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A bounded local cache in front of a {@link RouteTable}, so that the hot path (a packet for a player)
 * does not make a Redis round trip for each lookup. Meant for the gateway and service tables.
 *
 * <p>Invalidation is by time: an answer (an owner, or "nobody") is served for {@code ttl} after it was
 * read, then read again; owners change by claims, which other gateways make, so a cached route may be
 * up to {@code ttl} old. Changes made through this object ({@link #claim}, {@link #release},
 * {@link #reclaim}) update the cache at once, and {@link #invalidate} drops an entry (for instance when a
 * request to the cached owner failed). When Redis fails, an entry up to {@code ttl + maxStale} old is
 * still served, so existing routes keep working through a short outage; a lookup with nothing cached fails.
 *
 * <p>Bounds: at most {@code maxEntries} entries (the check and the insertion are not one atomic step, so
 * threads adding entries at the same instant may each add one more); when full, expired entries are swept (at most once per
 * {@code ttl}) and, if it is still full, new answers are returned without being cached. Concurrent
 * lookups of one key share one Redis read; reads in flight are bounded by the connection's request
 * queue ({@link RedisRouteOptions#requestQueueSize()}), since each holds one queued command and a
 * refused command ends its read at once. Thread-safe; never blocks.
 */
public final class CachedRouteTable {

    private final RouteTable table;
    private final long ttlNanos;
    private final long maxStaleNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;

    private final ConcurrentHashMap<RouteKey, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RouteKey, CompletableFuture<Optional<String>>> reads = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    /**
     * Creates a cache.
     *
     * @param table the table read and written through
     * @param ttl how long an answer is served without asking Redis, positive
     * @param maxStale how much longer an answer is served while Redis fails, zero or more
     * @param maxEntries the most entries held, at least 1
     */
    public CachedRouteTable(RouteTable table, Duration ttl, Duration maxStale, int maxEntries) {
        this(table, ttl, maxStale, maxEntries, System::nanoTime);
    }

    CachedRouteTable(RouteTable table, Duration ttl, Duration maxStale, int maxEntries, LongSupplier nanoTime) {
        this.table = requireNonNull(table, "table");
        requireNonNull(ttl, "ttl");
        requireNonNull(maxStale, "maxStale");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
        }
        if (maxStale.isNegative()) {
            throw new IllegalArgumentException("maxStale: " + maxStale + " (expected: >= 0)");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
        }
        this.ttlNanos = ttl.toNanos();
        this.maxStaleNanos = maxStale.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.lastSweep = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * The owner of a key, from the cache when fresh, else from Redis.
     *
     * @param key the route
     * @return the owner's id, or empty when nobody holds the key; fails when Redis fails and no entry
     *         young enough is cached
     */
    public CompletionStage<Optional<String>> owner(RouteKey key) {
        requireNonNull(key, "key");
        long now = nanoTime.getAsLong();
        Entry cached = entries.get(key);
        if (cached != null && now - cached.readAtNanos < ttlNanos) {
            return CompletableFuture.completedFuture(cached.owner);
        }
        CompletableFuture<Optional<String>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<String>> shared = reads.putIfAbsent(key, mine);
        if (shared != null) {
            return shared;
        }
        table.owner(key).whenComplete((owner, error) -> {
            boolean current = reads.remove(key, mine);
            if (error == null) {
                if (current) {
                    put(key, new Entry(owner, nanoTime.getAsLong()));
                }
                mine.complete(owner);
                return;
            }
            Entry stale = entries.get(key);
            if (stale != null && nanoTime.getAsLong() - stale.readAtNanos < ttlNanos + maxStaleNanos) {
                mine.complete(stale.owner);
            } else {
                mine.completeExceptionally(error);
            }
        });
        return mine;
    }

    /**
     * Claims a key through the table, and caches the caller as its owner when the claim succeeds.
     *
     * @param key the route
     * @param owner the claimer's id
     * @param ttl the claim's time to live
     * @return as {@link RouteTable#claim}
     */
    public CompletionStage<Boolean> claim(RouteKey key, String owner, Duration ttl) {
        requireNonNull(key, "key");
        return table.claim(key, owner, ttl).thenApply(won -> {
            set(key, won ? Optional.of(owner) : null);
            return won;
        });
    }

    /**
     * Renews a claim through the table; the cached entry is left alone on success and dropped otherwise.
     *
     * @param key the route
     * @param owner the holder's id
     * @param ttl the new time to live
     * @return as {@link RouteTable#renew}
     */
    public CompletionStage<Boolean> renew(RouteKey key, String owner, Duration ttl) {
        requireNonNull(key, "key");
        return table.renew(key, owner, ttl).thenApply(renewed -> {
            if (!renewed) {
                invalidate(key);
            }
            return renewed;
        });
    }

    /**
     * Releases a claim through the table, and drops the cached entry.
     *
     * @param key the route
     * @param owner the holder's id
     * @return as {@link RouteTable#release}
     */
    public CompletionStage<Boolean> release(RouteKey key, String owner) {
        requireNonNull(key, "key");
        return table.release(key, owner).thenApply(released -> {
            invalidate(key);
            return released;
        });
    }

    /**
     * Re-claims a key from a dead owner through the table, and caches the new owner when it succeeds.
     *
     * @param key the route
     * @param deadOwner the owner gone from discovery
     * @param newOwner the live owner
     * @param ttl the new claim's time to live
     * @return as {@link RouteTable#reclaim}
     */
    public CompletionStage<Boolean> reclaim(RouteKey key, String deadOwner, String newOwner, Duration ttl) {
        requireNonNull(key, "key");
        return table.reclaim(key, deadOwner, newOwner, ttl).thenApply(moved -> {
            set(key, moved ? Optional.of(newOwner) : null);
            return moved;
        });
    }

    /**
     * Drops the cached entry of a key, and detaches a read in flight so that its answer is not cached.
     *
     * @param key the route
     */
    public void invalidate(RouteKey key) {
        set(requireNonNull(key, "key"), null);
    }

    /**
     * The number of entries cached now, some possibly expired.
     *
     * @return the size, at most the bound
     */
    public int size() {
        return entries.size();
    }

    /** Replaces the entry (or drops it when owner is null); a read in flight no longer updates the cache. */
    private void set(RouteKey key, Optional<String> owner) {
        reads.remove(key);
        if (owner == null) {
            entries.remove(key);
        } else {
            put(key, new Entry(owner, nanoTime.getAsLong()));
        }
    }

    private void put(RouteKey key, Entry entry) {
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            sweep(entry.readAtNanos);
            if (entries.size() >= maxEntries) {
                return;
            }
        }
        entries.put(key, entry);
    }

    /** Drops entries too old to be served even while Redis fails; at most once per TTL. */
    private void sweep(long now) {
        long last = lastSweep.get();
        if (now - last < ttlNanos || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        entries.values().removeIf(e -> now - e.readAtNanos >= ttlNanos + maxStaleNanos);
    }

    @Override
    public String toString() {
        return "CachedRouteTable{size=" + size() + ", maxEntries=" + maxEntries + "}";
    }

    private static final class Entry {
        final Optional<String> owner;
        final long readAtNanos;

        Entry(Optional<String> owner, long readAtNanos) {
            this.owner = owner;
            this.readAtNanos = readAtNanos;
        }
    }
}
