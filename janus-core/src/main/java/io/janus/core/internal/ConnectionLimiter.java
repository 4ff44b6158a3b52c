package io.janus.core.internal;

import io.janus.api.Reason;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections, in total and per client IP address, and refuses those over the limits. The
 * per-address map holds only addresses with at least one open connection, so it is bounded by the
 * total limit. Thread-safe.
 */
public final class ConnectionLimiter {

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /**
     * Creates a limiter.
     *
     * @param maxTotal most connections in total
     * @param maxPerAddress most connections from one address
     */
    public ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Takes a slot for a new connection.
     *
     * @param address the client's address, or {@code null} when the transport has none
     * @return {@link Reason#OK} when the connection may stay (then {@link #release} must follow), or the
     *         limit it hit
     */
    public Reason tryAcquire(InetAddress address) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Reason.CONNECTION_LIMIT;
        }
        if (address == null) {
            return Reason.OK;
        }
        boolean[] admitted = {false};
        perAddress.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerAddress) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            return Reason.CONNECTION_LIMIT_PER_IP;
        }
        return Reason.OK;
    }

    /**
     * Gives back the slot of a closed connection.
     *
     * @param address the address passed to {@link #tryAcquire}
     */
    public void release(InetAddress address) {
        total.decrementAndGet();
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Open connections counted now. */
    public int total() {
        return total.get();
    }

    /** Addresses with at least one open connection. */
    public int addresses() {
        return perAddress.size();
    }
}
