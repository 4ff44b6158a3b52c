package io.janus.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram in the shape Prometheus expects (cumulative buckets with upper
 * bounds in seconds, a sum and a count), in fixed memory and thread-safe. Used for the round trip of
 * game requests through the tunnel. The bounds go from 0.5 ms to 10 s, roughly doubling, which is
 * where a game request's latency lives; anything slower falls into the last ({@code +Inf}) bucket.
 */
public final class LatencyHistogram {

    /** Upper bounds of the buckets, in seconds; a last {@code +Inf} bucket follows. */
    private static final double[] BOUNDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    };
    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUNDS_NANOS[i] = (long) (BOUNDS[i] * TimeUnit.SECONDS.toNanos(1));
        }
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /**
     * Records one observation.
     *
     * @param nanos the latency in nanoseconds; negative values count as zero
     */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        int i = 0;
        while (i < BOUNDS_NANOS.length && n > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(n);
    }

    /** The upper bounds of the finite buckets, in seconds; a copy. */
    public static double[] bounds() {
        return BOUNDS.clone();
    }

    /**
     * The cumulative counts: element {@code i} counts observations at or below {@code bounds()[i]}; the
     * last element, one past the bounds, counts all observations.
     *
     * @return a new array of {@code bounds().length + 1} counts
     */
    public long[] cumulativeCounts() {
        long[] out = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            out[i] = running;
        }
        return out;
    }

    /** The number of observations. */
    public long count() {
        long total = 0;
        for (LongAdder b : buckets) {
            total += b.sum();
        }
        return total;
    }

    /** The sum of all observations, in seconds. */
    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }
}
