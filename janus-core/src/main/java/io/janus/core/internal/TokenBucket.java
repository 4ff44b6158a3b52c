package io.janus.core.internal;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code burst} saved up. Thread-safe
 * (a short lock); time comes from the caller so tests need no sleeps.
 */
public final class TokenBucket {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    /**
     * Creates a full bucket.
     *
     * @param ratePerSecond tokens added a second, above 0
     * @param burst the most tokens held, at least 1
     * @param nowNanos the current {@link System#nanoTime()}
     */
    public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        if (!(ratePerSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + ", burst: " + burst
                    + " (expected: rate > 0, burst >= 1)");
        }
        this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /**
     * Takes one token if there is one.
     *
     * @param nowNanos the current {@link System#nanoTime()}
     * @return whether a token was taken
     */
    public synchronized boolean tryAcquire(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /**
     * Whether the bucket is full, so that forgetting it loses nothing.
     *
     * @param nowNanos the current {@link System#nanoTime()}
     * @return whether it holds {@code burst} tokens
     */
    public synchronized boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= burst;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerNano);
            last = nowNanos;
        }
    }
}
