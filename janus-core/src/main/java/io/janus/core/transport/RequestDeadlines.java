package io.janus.core.transport;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of requests that all wait the same time, on one event loop: a list in the order the
 * requests started, which is the order of their deadlines, and at most one scheduled task, at the
 * earliest deadline.
 *
 * <p>Scheduling a task per request, as {@link EventExecutor#schedule} does, costs a task object and an
 * insertion into and a removal from the loop's priority queue (a heap of every request in flight, 1,000
 * on a busy loop) for each request, and the answer almost always comes first: it showed as 1.4% of the
 * gateway's CPU and 3.3% of the load generator's in the echo benchmark (docs/benchmarks.md). Here a
 * request costs one small node, linked at the tail and unlinked when answered; the one timer is
 * armed when a request starts and none runs, and re-armed when it fires, for the earliest deadline left.
 *
 * <p>A loop thread keeps one instance per timeout it is asked for ({@link #of}), at most
 * {@value #MAX_PER_THREAD}; beyond that {@link #of} answers {@code null} and the caller schedules as
 * before. An instance is confined to its loop: {@link #add} and the expiry run on it, and
 * {@link Deadline#cancel()} from another thread hands itself to the loop.
 */
public final class RequestDeadlines {

    /** The most instances one thread keeps (distinct loops and timeouts); idle ones make room. */
    static final int MAX_PER_THREAD = 8;

    private static final Logger log = LoggerFactory.getLogger(RequestDeadlines.class);

    private static final FastThreadLocal<List<RequestDeadlines>> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected List<RequestDeadlines> initialValue() {
            return new ArrayList<>(2);
        }
    };

    private final EventExecutor loop;
    private final long timeoutNanos;
    private Deadline head;
    private Deadline tail;
    private int size;
    private ScheduledFuture<?> timer;
    private final Runnable check = this::expire;

    private RequestDeadlines(EventExecutor loop, long timeoutNanos) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * The deadlines of the calling loop thread for one timeout.
     *
     * @param loop the event loop; the caller runs on it
     * @param timeout the time every request waits
     * @param unit the unit of {@code timeout}
     * @return the instance, or {@code null} when this thread keeps {@value #MAX_PER_THREAD} busy ones
     *         already (then schedule the deadline on the loop)
     * @throws IllegalStateException when not called on {@code loop}
     */
    public static RequestDeadlines of(EventExecutor loop, long timeout, TimeUnit unit) {
        requireNonNull(loop, "loop");
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("not on the event loop");
        }
        long nanos = unit.toNanos(timeout);
        if (nanos <= 0) {
            throw new IllegalArgumentException("timeout: " + timeout + " " + unit + " (expected: > 0)");
        }
        List<RequestDeadlines> mine = PER_THREAD.get();
        for (int i = 0; i < mine.size(); i++) {
            RequestDeadlines d = mine.get(i);
            if (d.loop == loop && d.timeoutNanos == nanos) {
                return d;
            }
        }
        if (mine.size() >= MAX_PER_THREAD) {
            // Threads that serve many loops or timeouts (a test thread running embedded channels one
            // after the other): forget an idle instance; with none idle, the caller schedules.
            int idle = -1;
            for (int i = 0; i < mine.size() && idle < 0; i++) {
                if (mine.get(i).size == 0) {
                    idle = i;
                }
            }
            if (idle < 0) {
                return null;
            }
            mine.remove(idle);
        }
        RequestDeadlines d = new RequestDeadlines(loop, nanos);
        mine.add(d);
        return d;
    }

    /**
     * Starts the clock of one request on a loop: on the calling loop thread's instance for the timeout
     * when there is one ({@link #of}), else (another thread, a timeout under a nanosecond, or a thread
     * with {@value #MAX_PER_THREAD} busy instances) as a task scheduled on the loop. Either way the
     * returned deadline is cancelled the same way.
     *
     * @param loop the event loop the expiry runs on
     * @param timeout the time the request waits
     * @param unit the unit of {@code timeout}
     * @param onExpiry run on the loop if the deadline passes before {@link Deadline#cancel()}
     * @return the deadline
     */
    public static Deadline start(EventExecutor loop, long timeout, TimeUnit unit, Runnable onExpiry) {
        requireNonNull(onExpiry, "onExpiry");
        RequestDeadlines deadlines = loop.inEventLoop() && unit.toNanos(timeout) > 0 ? of(loop, timeout, unit) : null;
        if (deadlines != null) {
            return deadlines.add(onExpiry);
        }
        return new Deadline(loop.schedule(onExpiry, timeout, unit));
    }

    /**
     * Starts the clock of one request.
     *
     * @param onExpiry run on the loop if the deadline passes before {@link Deadline#cancel()}
     * @return the deadline
     */
    public Deadline add(Runnable onExpiry) {
        requireNonNull(onExpiry, "onExpiry");
        Deadline d = new Deadline(this, onExpiry, loop.ticker().nanoTime() + timeoutNanos);
        if (tail == null) {
            head = d;
        } else {
            tail.next = d;
            d.prev = tail;
        }
        tail = d;
        size++;
        if (timer == null) {
            arm(timeoutNanos);
        }
        return d;
    }

    /** Requests waiting now. Loop only. */
    public int size() {
        return size;
    }

    private void arm(long delayNanos) {
        try {
            timer = loop.schedule(check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            timer = null; // the loop is shutting down; its channels and requests go with it
        }
    }

    private void expire() {
        timer = null;
        long now = loop.ticker().nanoTime();
        // Bounded: each pass removes a node, and nodes added by expiry callbacks end after now.
        while (head != null && head.at - now <= 0) {
            Deadline d = head;
            unlink(d);
            try {
                d.onExpiry.run();
            } catch (RuntimeException e) {
                log.warn("A request's expiry failed", e); // the others still expire
            }
        }
        if (head != null) {
            arm(head.at - now);
        }
    }

    private void unlink(Deadline d) {
        Deadline prev = d.prev;
        Deadline next = d.next;
        if (prev == null) {
            head = next;
        } else {
            prev.next = next;
        }
        if (next == null) {
            tail = prev;
        } else {
            next.prev = prev;
        }
        d.prev = null;
        d.next = null;
        d.owner = null;
        size--;
        // The timer stays when nothing is left: requests answered at once (an in-process game) would
        // otherwise cancel and schedule it for every request. When it fires with nothing due, it is
        // not re-armed: an idle loop wakes at most once after its last request.
    }

    /** One request's deadline: a node of a loop's list, or (see {@link #start}) a scheduled task. */
    public static final class Deadline {
        private RequestDeadlines owner;
        private final Runnable onExpiry;
        private final long at;
        private Deadline prev;
        private Deadline next;
        /** The task when the deadline is not in a list; {@code null} otherwise. */
        private final ScheduledFuture<?> scheduled;

        private Deadline(RequestDeadlines owner, Runnable onExpiry, long at) {
            this.owner = owner;
            this.onExpiry = onExpiry;
            this.at = at;
            this.scheduled = null;
        }

        private Deadline(ScheduledFuture<?> scheduled) {
            this.onExpiry = null;
            this.at = 0;
            this.scheduled = scheduled;
        }

        /**
         * Stops the clock: the expiry will not run. From another thread the stop is handed to the loop
         * (and the expiry may still run before it gets there, as with a scheduled task).
         */
        public void cancel() {
            if (scheduled != null) {
                scheduled.cancel(false);
                return;
            }
            RequestDeadlines o = owner;
            if (o == null) {
                return;
            }
            if (o.loop.inEventLoop()) {
                if (owner != null) {
                    o.unlink(this);
                }
            } else {
                try {
                    o.loop.execute(this::cancel);
                } catch (RejectedExecutionException e) {
                    // The loop has shut down: nothing will expire.
                }
            }
        }
    }
}
