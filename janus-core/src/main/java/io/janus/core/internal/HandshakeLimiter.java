package io.janus.core.internal;

import io.janus.api.Reason;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits the rate of new connections, that is of handshakes, per client address and in total, so that
 * a flood is refused when the connection is accepted: before any X25519 or Ed25519 work, which costs
 * about 0.27 ms of CPU per handshake (docs/benchmarks.md).
 *
 * <p>Per-address buckets live in a map bounded by {@code maxTrackedAddresses}. A full bucket carries no
 * information, so when the map is full the full ones are dropped; if none is, addresses not yet tracked
 * share one overflow bucket, so a spoofed-address flood cannot grow memory or escape the limit.
 * Thread-safe.
 */
public final class HandshakeLimiter {

    private final double perAddressRate;
    private final double perAddressBurst;
    private final int maxTrackedAddresses;
    private final TokenBucket total;
    private final TokenBucket overflow;
    private final Map<InetAddress, TokenBucket> perAddress = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastSweep = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Creates a limiter.
     *
     * @param perAddressRate handshakes a second from one address
     * @param perAddressBurst handshakes one address may make at once
     * @param totalRate handshakes a second for the whole gateway
     * @param maxTrackedAddresses addresses with a bucket of their own
     * @param nowNanos the current {@link System#nanoTime()}
     */
    public HandshakeLimiter(double perAddressRate, double perAddressBurst, double totalRate,
            int maxTrackedAddresses, long nowNanos) {
        this.perAddressRate = perAddressRate;
        this.perAddressBurst = perAddressBurst;
        this.maxTrackedAddresses = maxTrackedAddresses;
        this.total = new TokenBucket(totalRate, Math.max(1, totalRate), nowNanos);
        this.overflow = new TokenBucket(perAddressRate, perAddressBurst, nowNanos);
        this.lastSweep.set(nowNanos - 1_000_000_000L);
    }

    /**
     * Admits one handshake or says which limit refused it.
     *
     * @param address the client's address, or {@code null} when the transport has none
     * @param nowNanos the current {@link System#nanoTime()}
     * @return {@link Reason#OK} or {@link Reason#HANDSHAKE_RATE_LIMITED}
     */
    public Reason tryAcquire(InetAddress address, long nowNanos) {
        if (address != null && !bucketOf(address, nowNanos).tryAcquire(nowNanos)) {
            return Reason.HANDSHAKE_RATE_LIMITED;
        }
        // The per-address check comes first: one noisy address must not use up the gateway's tokens.
        return total.tryAcquire(nowNanos) ? Reason.OK : Reason.HANDSHAKE_RATE_LIMITED;
    }

    private TokenBucket bucketOf(InetAddress address, long nowNanos) {
        TokenBucket bucket = perAddress.get(address);
        if (bucket != null) {
            return bucket;
        }
        if (perAddress.size() >= maxTrackedAddresses) {
            // A sweep walks the whole map: at most one a second, so a flood of new addresses cannot
            // turn every accept into a full scan.
            long previous = lastSweep.get();
            if (nowNanos - previous >= 1_000_000_000L && lastSweep.compareAndSet(previous, nowNanos)) {
                evictFull(nowNanos);
            }
            if (perAddress.size() >= maxTrackedAddresses) {
                return overflow;
            }
        }
        return perAddress.computeIfAbsent(address, a -> new TokenBucket(perAddressRate, perAddressBurst, nowNanos));
    }

    private void evictFull(long nowNanos) {
        for (Iterator<TokenBucket> it = perAddress.values().iterator(); it.hasNext();) {
            if (it.next().isFull(nowNanos)) {
                it.remove();
            }
        }
    }

    /** Addresses tracked now; for tests and metrics. */
    public int trackedAddresses() {
        return perAddress.size();
    }
}
