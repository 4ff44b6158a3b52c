package io.janus.core.routing;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.ServiceInstance;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * What the tunnel has learnt about game-service instances that discovery has not yet: an instance whose
 * connection or stream just failed is avoided by the router for a while, so requests go to another live
 * instance at once instead of waiting for discovery to drop the dead one (an etcd lease lasts 15 s).
 * Shared by one gateway's {@link io.janus.core.spi.Router} and {@link io.janus.core.spi.Tunnel}.
 *
 * <p>Each failure doubles the time an instance is avoided, from {@link #INITIAL_BACKOFF} up to
 * {@link #MAX_BACKOFF}; a success clears it. When every instance of a service is avoided the router
 * still uses them (a guess beats refusing everything). Memory is bounded: at most
 * {@value #MAX_TRACKED} instances are tracked; past that, expired entries are dropped first and new
 * failures are not recorded. Thread-safe.
 */
public final class InstanceHealth {

    /** How long an instance is avoided after its first failure. */
    public static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);

    /** The longest an instance is avoided after repeated failures. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    /** The most instances tracked at once. */
    public static final int MAX_TRACKED = 10_000;

    private static final class Entry {
        final long until;
        final long backoff;

        Entry(long until, long backoff) {
            this.until = until;
            this.backoff = backoff;
        }
    }

    private final ConcurrentMap<String, Entry> failed = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    /** Creates an empty health table on the system clock. */
    public InstanceHealth() {
        this(System::nanoTime);
    }

    InstanceHealth(LongSupplier nanoClock) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    }

    private static String key(ServiceInstance instance) {
        return instance.service() + '/' + instance.id();
    }

    /**
     * Records that an instance failed (its connection broke or refused a stream).
     *
     * @param instance the instance
     */
    public void failed(ServiceInstance instance) {
        long now = nanoClock.getAsLong();
        if (failed.size() >= MAX_TRACKED) {
            failed.values().removeIf(e -> now - e.until >= 0);
            if (failed.size() >= MAX_TRACKED) {
                return;
            }
        }
        failed.compute(key(instance), (k, previous) -> {
            long backoff = previous == null ? INITIAL_BACKOFF.toNanos()
                    : Math.min(previous.backoff * 2, MAX_BACKOFF.toNanos());
            return new Entry(now + backoff, backoff);
        });
    }

    /**
     * Records that an instance answered; it is no longer avoided.
     *
     * @param instance the instance
     */
    public void succeeded(ServiceInstance instance) {
        if (!failed.isEmpty()) {
            failed.remove(key(instance));
        }
    }

    /**
     * Whether the router should use an instance now.
     *
     * @param instance the instance
     * @return false while the instance is avoided after a failure
     */
    public boolean isUsable(ServiceInstance instance) {
        if (failed.isEmpty()) {
            return true;
        }
        Entry e = failed.get(key(instance));
        return e == null || nanoClock.getAsLong() - e.until >= 0;
    }
}
