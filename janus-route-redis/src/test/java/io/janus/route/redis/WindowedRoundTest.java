package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The bounded renewal round: its window, its constant stack and its single completion. */
final class WindowedRoundTest {

    private static List<Integer> items(int n) {
        List<Integer> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(i);
        }
        return items;
    }

    @Test
    void synchronousStepsOverAMillionItemsDoNotRecurse() {
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        new WindowedRound<>(items(1_000_000), 8, i -> {
            steps.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }, () -> false, done::incrementAndGet).pump();
        assertThat(steps).hasValue(1_000_000);
        assertThat(done).hasValue(1);
    }

    @Test
    void noMoreThanTheWindowIsInFlightAndFailuresDoNotStopTheRound() {
        ConcurrentLinkedQueue<CompletableFuture<Object>> pending = new ConcurrentLinkedQueue<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        new WindowedRound<>(items(1000), 16, i -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<Object> f = new CompletableFuture<>();
            pending.add(f);
            return f.whenComplete((v, e) -> inFlight.decrementAndGet());
        }, () -> false, done::incrementAndGet).pump();
        int completed = 0;
        // Bounded: 1000 items, each completed once.
        while (completed < 1000) {
            CompletableFuture<Object> f = pending.poll();
            assertThat(f).as("a step is in flight while the round is unfinished").isNotNull();
            if (completed % 3 == 0) {
                f.completeExceptionally(new IllegalStateException("redis down"));
            } else {
                f.complete(null);
            }
            completed++;
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 1);
        assertThat(maxInFlight.get()).isEqualTo(16);
    }

    @Test
    void cancellingStopsIssuingAndStillCompletesOnce() {
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        new WindowedRound<>(items(100), 4, i -> {
            steps.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }, () -> steps.get() >= 10, done::incrementAndGet).pump();
        assertThat(steps).hasValue(10);
        assertThat(done).hasValue(1);
    }
}
