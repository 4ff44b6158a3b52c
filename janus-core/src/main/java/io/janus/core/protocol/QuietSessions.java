package io.janus.core.protocol;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The established sessions of one event loop, swept once a {@linkplain #PERIOD_NANOS period} so that a
 * session quiet for a whole period drops its cipher engines (about 1.6 KiB per direction with
 * {@code AesGcm}'s key schedule and scratch, and the JDK {@code Cipher} when large records made one;
 * docs/benchmarks.md, scenario 3) until its next record; see {@link TrafficCipher#releaseEngine()}.
 *
 * <p>One instance per event-loop thread, confined to it: sessions join when their handshake completes
 * and leave when their channel closes, both on that thread. The list holds each live session of the loop
 * once (bounded by the gateway's connection limit) and removal is O(1), each channel knowing its slot.
 * One scheduled task per event loop runs the sweep while the list is not empty, rather than a task per
 * session.
 */
final class QuietSessions {

    /** A session with no record for a whole period (so between one and two periods) drops its engines. */
    static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final FastThreadLocal<QuietSessions> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected QuietSessions initialValue() {
            return new QuietSessions();
        }
    };

    private final ArrayList<SecureChannel> channels = new ArrayList<>();
    /** The event loop whose task sweeps this list, or {@code null} while none is scheduled. */
    private EventExecutor sweeper;

    private QuietSessions() {
    }

    /**
     * Adds an established session to its event loop's sweep. Event loop only.
     *
     * @param loop the session's event loop, which the caller runs on
     * @param channel the session's record layer
     */
    static void join(EventExecutor loop, SecureChannel channel) {
        OF_THREAD.get().add(loop, channel);
    }

    /**
     * Removes a session from its event loop's sweep; nothing when it is not in it. Event loop only.
     *
     * @param channel the session's record layer
     */
    static void leave(SecureChannel channel) {
        if (channel.quietSlot >= 0) {
            OF_THREAD.get().remove(channel);
        }
    }

    /** Sweeps this thread's sessions at once, as the periodic task does; for tests. */
    static void sweepThisThread() {
        OF_THREAD.get().sweepNow();
    }

    private void sweepNow() {
        for (SecureChannel channel : channels) {
            channel.sweep();
        }
    }

    /** Sessions in this thread's sweep; for tests. */
    static int size() {
        return OF_THREAD.get().channels.size();
    }

    private void add(EventExecutor loop, SecureChannel channel) {
        if (channel.quietSlot >= 0) {
            return;
        }
        channel.quietSlot = channels.size();
        channels.add(channel);
        if (sweeper != loop) {
            try {
                loop.schedule(() -> sweep(loop), PERIOD_NANOS, TimeUnit.NANOSECONDS);
                sweeper = loop;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The event loop is shutting down with its sessions: nothing left to sweep for.
            }
        }
    }

    private void remove(SecureChannel channel) {
        int slot = channel.quietSlot;
        if (slot < 0 || slot >= channels.size() || channels.get(slot) != channel) {
            return;
        }
        SecureChannel last = channels.remove(channels.size() - 1);
        if (last != channel) {
            channels.set(slot, last);
            last.quietSlot = slot;
        }
        channel.quietSlot = -1;
    }

    /** Sweeps every session of this loop, then comes back in a period while any is left. */
    private void sweep(EventExecutor loop) {
        if (sweeper != loop) {
            return; // a task of an event loop that no longer runs this thread's sweep (tests only)
        }
        sweepNow();
        if (channels.isEmpty()) {
            sweeper = null;
            return;
        }
        try {
            loop.schedule(() -> sweep(loop), PERIOD_NANOS, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            sweeper = null; // the event loop is shutting down with its sessions
        }
    }
}
