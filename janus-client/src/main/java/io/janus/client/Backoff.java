package io.janus.client;

import java.util.function.LongUnaryOperator;

/**
 * The delay before each reconnect attempt: exponential ({@code initial * 2^(attempt-1)}, capped at
 * {@code max}) with "equal jitter", so the delay lies in [half, whole] of that step. Jitter spreads the
 * reconnects of many clients that lost one gateway at the same moment; the floor keeps a client from
 * hammering a gateway that is still down. Immutable.
 */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;

    Backoff(long initialMillis, long maxMillis) {
        if (initialMillis < 1 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("backoff: initial " + initialMillis + " ms, max " + maxMillis
                    + " ms (expected: 1 <= initial <= max)");
        }
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
    }

    /**
     * The delay before an attempt.
     *
     * @param attempt 1, 2, 3, ...
     * @param random gives a uniform random long in [0, bound) for a bound
     * @return the delay in milliseconds, in [step / 2, step] where step = min(max, initial * 2^(attempt-1))
     */
    long delayMillis(int attempt, LongUnaryOperator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 1)");
        }
        long step = initialMillis;
        for (int i = 1; i < attempt && step < maxMillis; i++) {
            step = Math.min(maxMillis, step * 2);
        }
        long half = step / 2;
        return half + random.applyAsLong(step - half + 1);
    }

    long initialMillis() {
        return initialMillis;
    }

    long maxMillis() {
        return maxMillis;
    }
}
