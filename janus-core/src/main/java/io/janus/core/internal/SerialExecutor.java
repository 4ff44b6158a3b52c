package io.janus.core.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the requests of one session
 * reach blocking game handlers in the order the client sent them, without a thread per session.
 *
 * <p>Bounded: at most {@code capacity} tasks wait; beyond that {@link #execute} throws
 * {@link RejectedExecutionException}, as it does when the shared executor refuses the work. Tasks that
 * were already queued when the shared executor refuses are dropped; those that implement
 * {@link Rejectable} are told, so submit {@code Rejectable}s when a dropped task must answer someone.
 * Thread-safe.
 */
public final class SerialExecutor implements Executor {

    private final Executor delegate;
    private final int capacity;
    private final Queue<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    /**
     * Creates a serial executor.
     *
     * @param delegate where tasks run
     * @param capacity how many tasks may wait
     */
    public SerialExecutor(Executor delegate, int capacity) {
        this.delegate = requireNonNull(delegate, "delegate");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
    }

    @Override
    public void execute(Runnable task) {
        requireNonNull(task, "task");
        synchronized (queue) {
            if (queue.size() >= capacity) {
                throw new RejectedExecutionException("serial queue full (" + capacity + " tasks)");
            }
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        RejectedExecutionException refused = schedule();
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * Hands the drain loop to the delegate. When the delegate refuses, every queued task is dropped:
     * {@link Rejectable} ones are told, and the refusal is returned so that {@link #execute} can throw
     * it to its caller.
     */
    private RejectedExecutionException schedule() {
        try {
            delegate.execute(this::drain);
            return null;
        } catch (RejectedExecutionException e) {
            Queue<Runnable> dropped;
            synchronized (queue) {
                running = false;
                dropped = new ArrayDeque<>(queue);
                queue.clear();
            }
            for (Runnable r : dropped) {
                if (r instanceof Rejectable) {
                    ((Rejectable) r).reject(e);
                }
            }
            return e;
        }
    }

    private void drain() {
        Runnable next;
        synchronized (queue) {
            next = queue.poll();
            if (next == null) {
                running = false;
                return;
            }
        }
        try {
            next.run();
        } finally {
            boolean more;
            synchronized (queue) {
                more = !queue.isEmpty();
                if (!more) {
                    running = false;
                }
            }
            if (more) {
                // Queued tasks that are Rejectable learn of a refusal here; others have no caller left.
                schedule();
            }
        }
    }

    /** A task that can be told it will never run. */
    public interface Rejectable extends Runnable {
        /**
         * Called instead of {@link #run} when the shared executor refused the work.
         *
         * @param cause the refusal
         */
        void reject(RejectedExecutionException cause);
    }
}
