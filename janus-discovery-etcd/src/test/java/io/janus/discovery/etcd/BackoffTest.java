package io.janus.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry delays: doubling from the minimum, capped, with bounded jitter, back to the minimum on reset. */
class BackoffTest {

    @Test
    void doublesUpToTheCapWithinJitterAndResets() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(700));
        long[] expected = {100, 200, 400, 700, 700};
        for (long millis : expected) {
            long nanos = Duration.ofMillis(millis).toNanos();
            assertThat(backoff.nextDelayNanos()).isBetween(nanos - nanos / 5, nanos + nanos / 5);
        }
        backoff.reset();
        assertThat(backoff.nextDelayNanos()).isBetween(Duration.ofMillis(80).toNanos(), Duration.ofMillis(120).toNanos());
    }
}
