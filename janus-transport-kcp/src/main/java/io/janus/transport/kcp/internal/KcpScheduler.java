package io.janus.transport.kcp.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * Drives the KCP sessions of one event loop from one periodic task, never one timer per session: a
 * priority queue of sessions ordered by the time their engine's {@code check()} asked to be updated
 * next. Each tick pops the sessions that are due, updates them and puts them back at their new time. The
 * queue holds exactly one entry per live session (an entry is added when a session opens and re-added
 * only when popped), so it is bounded by the session cap of its owner. The task runs only while there
 * are sessions. Used on its event loop only.
 *
 * <p>When the event loop shuts down, a shutdown hook (run on the loop before it terminates) aborts every
 * session still scheduled, so nothing it holds outlives the loop unreleased.
 */
public final class KcpScheduler {

    /** Tick of the periodic task: finer than the shortest KCP interval (10 ms). */
    static final long TICK_MILLIS = 5;

    private record Entry(long at, long order, KcpSession session) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(KcpScheduler.class);

    private final EventLoop loop;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private ScheduledFuture<?> task;
    private long order;

    /** The scheduler of every live event loop that runs KCP sessions: one entry per loop, removed when it terminates. */
    private static final java.util.concurrent.ConcurrentMap<EventLoop, KcpScheduler> SCHEDULERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The one scheduler of an event loop, shared by every KCP transport and client on it.
     *
     * @param loop the event loop
     * @return its scheduler
     */
    public static KcpScheduler of(EventLoop loop) {
        java.util.Objects.requireNonNull(loop, "loop");
        return SCHEDULERS.computeIfAbsent(loop, l -> {
            KcpScheduler scheduler = new KcpScheduler(l);
            l.terminationFuture().addListener(f -> SCHEDULERS.remove(l, scheduler));
            return scheduler;
        });
    }

    private KcpScheduler(EventLoop loop) {
        this.loop = loop;
        if (loop instanceof SingleThreadEventExecutor) {
            ((SingleThreadEventExecutor) loop).addShutdownHook(this::abortAll);
        }
    }

    private void abortAll() {
        for (Entry e : new ArrayList<>(queue)) {
            try {
                e.session.abort();
            } catch (RuntimeException ex) {
                LOG.debug("aborting {} at shutdown failed", e.session, ex);
            }
        }
        queue.clear();
    }

    /** Adds a new session, due at once. */
    void add(KcpSession session) {
        assert loop.inEventLoop();
        queue.add(new Entry(KcpClock.now(), order++, session));
        if (task == null) {
            task = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Sessions with an entry (live, or finished and not popped yet). */
    int size() {
        return queue.size();
    }

    private void tick() {
        long now = KcpClock.now();
        while (!queue.isEmpty() && queue.peek().at <= now) {
            Entry e = queue.poll();
            long next;
            try {
                next = e.session.update(now);
            } catch (RuntimeException ex) {
                LOG.warn("KCP session {} failed; aborting it", e.session, ex);
                e.session.abort();
                next = -1;
            }
            if (next >= 0) {
                queue.add(new Entry(Math.max(next, now + 1), order++, e.session));
            }
        }
        if (queue.isEmpty() && task != null) {
            task.cancel(false);
            task = null;
        }
    }
}
