package io.janus.core;

import io.janus.api.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one gateway: connections, handshakes, logins, requests, and failures by {@link Reason}.
 * The reason labels are the same codes clients receive and log lines name. Thread-safe and cheap to
 * update from every event loop at once. The admin endpoint ({@link io.janus.core.admin.AdminServer})
 * serves them as JSON and in the Prometheus text format, and
 * {@link io.janus.core.telemetry.GatewayTelemetry} exports them as OpenTelemetry metrics.
 */
public final class GatewayStats {

    /** The handshake rate is averaged over this many seconds, the current one included. */
    public static final int RATE_WINDOW_SECONDS = 10;

    private final LongAdder connectionsAccepted = new LongAdder();
    private final LongAdder handshakes = new LongAdder();
    private final RateWindow handshakeRate = new RateWindow(RATE_WINDOW_SECONDS);
    private final LongAdder logins = new LongAdder();
    private final LongAdder sessionsDetached = new LongAdder();
    private final LongAdder sessionsResumed = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final Map<Reason, LongAdder> sessionsClosed = counters();
    private final Map<Reason, LongAdder> requestsFailed = counters();
    private final Map<Reason, LongAdder> handshakesFailed = counters();
    private final LongAdder pushes = new LongAdder();
    private final Map<Reason, LongAdder> pushesRejected = counters();
    private final ModuleTraffic traffic = new ModuleTraffic();
    private final LatencyHistogram tunnelLatency = new LatencyHistogram();

    private static Map<Reason, LongAdder> counters() {
        Map<Reason, LongAdder> map = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            map.put(r, new LongAdder());
        }
        return map;
    }

    /** Creates zeroed counters. */
    public GatewayStats() {
    }

    /** Records an accepted connection; called by the session pipeline. */
    public void recordConnectionAccepted() {
        connectionsAccepted.increment();
    }

    /**
     * Records a completed handshake: the gateway sent its signed ServerHello and derived the session
     * keys (docs/protocol.md, section 4); called by the session pipeline.
     */
    public void recordHandshake() {
        recordHandshake(System.nanoTime());
    }

    void recordHandshake(long nowNanos) {
        handshakes.increment();
        handshakeRate.record(nowNanos);
    }

    /** Records a successful login; called by the session pipeline. */
    public void recordLogin() {
        logins.increment();
    }

    /**
     * Records that a resumable session lost its connection and waits for a resume (docs/protocol.md,
     * section 14); called by the session pipeline.
     */
    public void recordSessionDetached() {
        sessionsDetached.increment();
    }

    /** Records a successful resume; called by the session pipeline. */
    public void recordSessionResumed() {
        sessionsResumed.increment();
    }

    /** Resumable sessions that lost their connection and waited for a resume. */
    public long sessionsDetached() {
        return sessionsDetached.sum();
    }

    /**
     * Successful resumes. Sessions whose window passed are counted by {@link #sessionsClosed(Reason)}
     * with {@link Reason#RESUME_WINDOW_EXPIRED}.
     */
    public long sessionsResumed() {
        return sessionsResumed.sum();
    }

    /** Records a dispatched request; called by the session pipeline. */
    public void recordRequest() {
        requests.increment();
    }

    /**
     * Records why a session or connection was closed or refused; called by the session pipeline and by
     * transports.
     *
     * @param reason the reason; {@link Reason#OK} for a client that simply went away
     */
    public void recordSessionClosed(Reason reason) {
        sessionsClosed.get(reason).increment();
    }

    /**
     * Records why a request was answered with an error; called by the session pipeline.
     *
     * @param reason the reason
     */
    public void recordRequestFailed(Reason reason) {
        requestsFailed.get(reason).increment();
    }

    /**
     * Records a connection that ended before its handshake completed, and why; called by the session
     * pipeline.
     *
     * @param reason the reason the connection ended; {@link Reason#OK} when the client went away
     */
    public void recordHandshakeFailed(Reason reason) {
        handshakesFailed.get(reason).increment();
    }

    /**
     * Connections that ended before their handshake completed, for a reason, since start.
     *
     * @param reason the reason
     * @return the count
     */
    public long handshakesFailed(Reason reason) {
        return handshakesFailed.get(reason).sum();
    }

    /** Non-zero counts of connections that ended before their handshake completed, by reason. */
    public Map<Reason, Long> handshakesFailed() {
        return snapshot(handshakesFailed);
    }

    /** Records a request of the push service handed on to the session directory. */
    public void recordPush() {
        pushes.increment();
    }

    /**
     * Records a request of the push service that was refused or could not be handed on.
     *
     * @param reason why, from the 600 range
     */
    public void recordPushRejected(Reason reason) {
        pushesRejected.get(reason).increment();
    }

    /** Requests of the push service handed on since start. */
    public long pushes() {
        return pushes.sum();
    }

    /**
     * Requests of the push service refused or not handed on, for a reason, since start.
     *
     * @param reason the reason
     * @return the count
     */
    public long pushesRejected(Reason reason) {
        return pushesRejected.get(reason).sum();
    }

    /** Non-zero counts of push-service requests refused or not handed on, by reason. */
    public Map<Reason, Long> pushesRejected() {
        return snapshot(pushesRejected);
    }

    /** Packets and bytes in and out by module. */
    public ModuleTraffic traffic() {
        return traffic;
    }

    /**
     * The round trip of game requests through the router and the tunnel: from dispatch to the answer,
     * the error or the deadline.
     *
     * @return the histogram
     */
    public LatencyHistogram tunnelLatency() {
        return tunnelLatency;
    }

    /** Connections accepted since start. */
    public long connectionsAccepted() {
        return connectionsAccepted.sum();
    }

    /** Completed handshakes since start (see {@link #recordHandshake()}). */
    public long handshakes() {
        return handshakes.sum();
    }

    /**
     * Completed handshakes a second, averaged over the last {@value #RATE_WINDOW_SECONDS} seconds (the
     * current, partial second included).
     *
     * @return the rate
     */
    public double handshakesPerSecond() {
        return handshakesPerSecond(System.nanoTime());
    }

    double handshakesPerSecond(long nowNanos) {
        return handshakeRate.rate(nowNanos);
    }

    /** Successful logins since start. */
    public long logins() {
        return logins.sum();
    }

    /** Requests dispatched to game services since start. */
    public long requests() {
        return requests.sum();
    }

    /**
     * Sessions and connections closed or refused for a reason since start.
     *
     * @param reason the reason
     * @return the count
     */
    public long sessionsClosed(Reason reason) {
        return sessionsClosed.get(reason).sum();
    }

    /**
     * Requests answered with an error for a reason since start.
     *
     * @param reason the reason
     * @return the count
     */
    public long requestsFailed(Reason reason) {
        return requestsFailed.get(reason).sum();
    }

    /** Non-zero close counts by reason, as a snapshot. */
    public Map<Reason, Long> sessionsClosed() {
        return snapshot(sessionsClosed);
    }

    /** Non-zero request failure counts by reason, as a snapshot. */
    public Map<Reason, Long> requestsFailed() {
        return snapshot(requestsFailed);
    }

    private static Map<Reason, Long> snapshot(Map<Reason, LongAdder> counters) {
        Map<Reason, Long> out = new EnumMap<>(Reason.class);
        counters.forEach((r, c) -> {
            long v = c.sum();
            if (v != 0) {
                out.put(r, v);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return "GatewayStats{connections=" + connectionsAccepted() + ", handshakes=" + handshakes() + ", logins="
                + logins() + ", requests=" + requests() + ", closed=" + sessionsClosed() + ", failedRequests="
                + requestsFailed() + "}";
    }

    /**
     * Events per second over a sliding window of whole seconds, in fixed memory: one slot per second,
     * each packing the second it counts (high 32 bits) and its count (low 32 bits) into one long, so
     * that moving a slot to a new second and counting in it is a single compare-and-set and no count
     * is lost to a race.
     */
    private static final class RateWindow {
        private final int seconds;
        private final AtomicLongArray slots;

        RateWindow(int seconds) {
            this.seconds = seconds;
            this.slots = new AtomicLongArray(seconds);
        }

        private static long second(long nanos) {
            return Math.floorDiv(nanos, TimeUnit.SECONDS.toNanos(1)) & 0xFFFF_FFFFL;
        }

        void record(long nowNanos) {
            long second = second(nowNanos);
            int i = (int) (second % seconds);
            while (true) {
                long slot = slots.get(i);
                long next;
                if ((slot >>> 32) != second) {
                    next = (second << 32) | 1; // the slot held a second that left the window
                } else if ((slot & 0xFFFF_FFFFL) == 0xFFFF_FFFFL) {
                    return; // saturated: four billion in one second
                } else {
                    next = slot + 1;
                }
                if (slots.compareAndSet(i, slot, next)) {
                    return;
                }
            }
        }

        double rate(long nowNanos) {
            long now = second(nowNanos);
            long sum = 0;
            for (int i = 0; i < seconds; i++) {
                long slot = slots.get(i);
                long age = (now - (slot >>> 32)) & 0xFFFF_FFFFL;
                if (age < seconds) {
                    sum += slot & 0xFFFF_FFFFL;
                }
            }
            return (double) sum / seconds;
        }
    }
}
