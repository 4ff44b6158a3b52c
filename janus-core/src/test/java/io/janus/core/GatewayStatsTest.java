package io.janus.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The counters: handshakes a second over a sliding window of whole seconds, in fixed memory, with no
 * count lost to concurrent updates; and snapshots that list only non-zero reasons.
 */
class GatewayStatsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** An arbitrary origin, as System.nanoTime() has; negative on purpose. */
    private static final long T0 = -123_456_789_000L;

    @Test
    void handshakeRateAveragesTheLastTenSecondsIncludingTheCurrentOne() {
        GatewayStats stats = new GatewayStats();
        assertThat(stats.handshakesPerSecond(T0)).isZero();

        for (int i = 0; i < 30; i++) {
            stats.recordHandshake(T0);
        }
        assertThat(stats.handshakes()).isEqualTo(30);
        assertThat(stats.handshakesPerSecond(T0)).isEqualTo(3.0);
        // Still in the window nine seconds later ...
        assertThat(stats.handshakesPerSecond(T0 + 9 * SECOND)).isEqualTo(3.0);
        // ... and gone after ten: the total stays, the rate does not.
        assertThat(stats.handshakesPerSecond(T0 + 10 * SECOND)).isZero();
        assertThat(stats.handshakes()).isEqualTo(30);
    }

    @Test
    void aSlotReusedForALaterSecondForgetsItsOldCount() {
        GatewayStats stats = new GatewayStats();
        for (int i = 0; i < 50; i++) {
            stats.recordHandshake(T0);
        }
        // Ten seconds later the same slot serves a new second.
        stats.recordHandshake(T0 + 10 * SECOND);
        stats.recordHandshake(T0 + 11 * SECOND);

        assertThat(stats.handshakesPerSecond(T0 + 11 * SECOND)).isEqualTo(0.2);
        assertThat(stats.handshakes()).isEqualTo(52);
    }

    @Test
    void everyThreadCountsInTheSameSecondWithoutLoss() throws Exception {
        GatewayStats stats = new GatewayStats();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        try {
            for (int t = 0; t < 4; t++) {
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    for (int i = 0; i < 2_500; i++) {
                        stats.recordHandshake(T0);
                    }
                });
            }
            go.countDown();
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(stats.handshakesPerSecond(T0)).isEqualTo(1000.0);
    }

    @Test
    void snapshotsListOnlyReasonsThatHappened() {
        GatewayStats stats = new GatewayStats();
        stats.recordSessionClosed(Reason.TOKEN_INVALID);
        stats.recordSessionClosed(Reason.TOKEN_INVALID);
        stats.recordRequestFailed(Reason.SERVER_DRAIN);

        assertThat(stats.sessionsClosed()).containsExactly(java.util.Map.entry(Reason.TOKEN_INVALID, 2L));
        assertThat(stats.requestsFailed()).containsExactly(java.util.Map.entry(Reason.SERVER_DRAIN, 1L));
    }
}
