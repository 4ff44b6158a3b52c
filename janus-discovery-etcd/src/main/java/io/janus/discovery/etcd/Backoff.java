package io.janus.discovery.etcd;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter between retries of one etcd operation: the delay starts at
 * {@code min}, doubles after each failure up to {@code max}, and goes back to {@code min} after a
 * success. With at most one attempt in flight per backoff, this bounds the attempts per interval: at
 * most {@code interval / min} in any interval, and one per {@code max} once failures persist. Not
 * thread-safe; used on the discovery's serial executor only.
 */
final class Backoff {

    private final long minNanos;
    private final long maxNanos;
    private long nextNanos;

    Backoff(Duration min, Duration max) {
        this.minNanos = min.toNanos();
        this.maxNanos = Math.max(minNanos, max.toNanos());
        this.nextNanos = minNanos;
    }

    /** Returns the delay before the next attempt (with up to 20% jitter) and doubles the following one. */
    long nextDelayNanos() {
        long base = nextNanos;
        nextNanos = Math.min(maxNanos, nextNanos * 2);
        long jitter = base / 5;
        return base - jitter + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(2 * jitter + 1));
    }

    /** Starts again from the minimum delay. */
    void reset() {
        nextNanos = minNanos;
    }
}
