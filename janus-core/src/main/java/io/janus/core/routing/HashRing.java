package io.janus.core.routing;

import io.janus.core.spi.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A consistent-hash ring over service instances: each instance owns {@value #POINTS_PER_WEIGHT} points
 * per unit of weight, a key goes to the owner of the first point at or after its hash. When an instance
 * joins or leaves, only the keys next to its points move. Immutable; built once per discovery change.
 *
 * <p>Hashes are computed from instance ids and keys alone (FNV-1a then a 64-bit finaliser), so every
 * gateway builds the same ring from the same instances and sends a player to the same instance.
 */
public final class HashRing {

    static final int POINTS_PER_WEIGHT = 100;

    private static final HashRing EMPTY = new HashRing(new long[0], new ServiceInstance[0]);

    private final long[] points;
    private final ServiceInstance[] owners;

    private HashRing(long[] points, ServiceInstance[] owners) {
        this.points = points;
        this.owners = owners;
    }

    /**
     * Builds a ring.
     *
     * @param instances the instances; their order does not matter
     * @return the ring
     */
    public static HashRing of(List<ServiceInstance> instances) {
        if (instances.isEmpty()) {
            return EMPTY;
        }
        int total = 0;
        for (ServiceInstance instance : instances) {
            total += POINTS_PER_WEIGHT * Math.min(instance.weight(), 100);
        }
        long[] hashes = new long[total];
        ServiceInstance[] byPoint = new ServiceInstance[total];
        Integer[] order = new Integer[total];
        int n = 0;
        for (ServiceInstance instance : instances) {
            long base = fnv1a(instance.id());
            int count = POINTS_PER_WEIGHT * Math.min(instance.weight(), 100);
            for (int i = 0; i < count; i++) {
                hashes[n] = mix(base + i * 0x9E3779B97F4A7C15L);
                byPoint[n] = instance;
                order[n] = n;
                n++;
            }
        }
        // Ties between points (vanishingly rare) are broken by instance id so the ring is deterministic.
        Arrays.sort(order, (a, b) -> {
            int c = Long.compareUnsigned(hashes[a], hashes[b]);
            return c != 0 ? c : byPoint[a].id().compareTo(byPoint[b].id());
        });
        long[] points = new long[total];
        ServiceInstance[] owners = new ServiceInstance[total];
        for (int i = 0; i < total; i++) {
            points[i] = hashes[order[i]];
            owners[i] = byPoint[order[i]];
        }
        return new HashRing(points, owners);
    }

    /**
     * Picks the instance that owns a key.
     *
     * @param key a player id or object id
     * @return the instance, or {@code null} when the ring is empty
     */
    public ServiceInstance pick(long key) {
        if (points.length == 0) {
            return null;
        }
        return owners[indexOf(mix(key))];
    }

    /**
     * Picks the instance that owns a key among those {@code usable} accepts: the owner, or else the next
     * usable instance clockwise, so a key moves only while its owner is unusable. When no instance is
     * usable it picks the owner anyway.
     *
     * @param key a player id or object id
     * @param usable which instances to prefer
     * @return the instance, or {@code null} when the ring is empty
     */
    public ServiceInstance pick(long key, java.util.function.Predicate<ServiceInstance> usable) {
        ServiceInstance owner = pick(key);
        if (owner == null || usable.test(owner)) {
            return owner;
        }
        int start = indexOf(mix(key));
        for (int i = 1; i < owners.length; i++) {
            ServiceInstance candidate = owners[(start + i) % owners.length];
            if (candidate != owner && usable.test(candidate)) {
                return candidate;
            }
        }
        return owner;
    }

    private int indexOf(long h) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], h) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == points.length ? 0 : lo;
    }

    /** Whether the ring has no instance. */
    public boolean isEmpty() {
        return points.length == 0;
    }

    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** The 64-bit finaliser of MurmurHash3 (fmix64): spreads nearby inputs over the whole range. */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
