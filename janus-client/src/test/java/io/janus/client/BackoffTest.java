package io.janus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(100, 5000);

    @Test
    void stepsDoubleFromTheInitialDelayUpToTheCap() {
        // The largest draw is the whole step, the smallest half of it.
        long[] steps = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
        for (int attempt = 1; attempt <= steps.length; attempt++) {
            long step = steps[attempt - 1];
            assertThat(backoff.delayMillis(attempt, bound -> bound - 1)).as("attempt %s", attempt).isEqualTo(step);
            assertThat(backoff.delayMillis(attempt, bound -> 0)).as("attempt %s", attempt).isEqualTo(step / 2);
        }
    }

    @Test
    void aHugeAttemptNumberStaysAtTheCapWithoutOverflow() {
        assertThat(backoff.delayMillis(Integer.MAX_VALUE, bound -> bound - 1)).isEqualTo(5000);
    }

    @Test
    void jitterSpreadsDelaysOverTheUpperHalfOfTheStep() {
        SplittableRandom random = new SplittableRandom(42);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 2000; i++) {
            long d = backoff.delayMillis(4, random::nextLong);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertThat(min).isBetween(400L, 430L);
        assertThat(max).isBetween(770L, 800L);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(100, 50)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backoff.delayMillis(0, bound -> 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
