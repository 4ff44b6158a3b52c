package io.janus.route.redis;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One round of asynchronous work over a list with at most {@code window} items in flight: the renewal
 * rounds of the directory and the router. Commands issued this way are pipelined on the shared Lettuce
 * connection while the window bounds what waits in its queue. A step that completes synchronously does
 * not recurse: the drain loop below (the "work in progress" counter of reactive libraries) picks it up,
 * so a round over a million entries uses a constant stack.
 *
 * @param <T> the items
 */
final class WindowedRound<T> {

    private final List<T> items;
    private final int window;
    private final Function<T, CompletionStage<?>> step;
    private final BooleanSupplier cancelled;
    private final Runnable done;
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();
    private int next;

    /**
     * @param items the snapshot to work through
     * @param window the most steps in flight, at least 1
     * @param step starts the work of one item; its stage may fail (the failure is the step's to log)
     * @param cancelled stops issuing new steps when true
     * @param done run once, when every issued step has completed
     */
    WindowedRound(List<T> items, int window, Function<T, CompletionStage<?>> step, BooleanSupplier cancelled,
            Runnable done) {
        this.items = items;
        this.window = window;
        this.step = step;
        this.cancelled = cancelled;
        this.done = done;
    }

    /** Starts the round (also called as steps complete). */
    void pump() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (true) {
            while (!cancelled.getAsBoolean() && next < items.size() && inFlight.get() < window) {
                T item = items.get(next++);
                inFlight.incrementAndGet();
                CompletionStage<?> stage;
                try {
                    stage = step.apply(item);
                } catch (RuntimeException e) {
                    stage = java.util.concurrent.CompletableFuture.failedFuture(e);
                }
                stage.whenComplete((ignored, error) -> {
                    inFlight.decrementAndGet();
                    pump();
                });
            }
            if ((next >= items.size() || cancelled.getAsBoolean()) && inFlight.get() == 0
                    && finished.compareAndSet(false, true)) {
                done.run();
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
