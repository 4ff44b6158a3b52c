package io.janus.core;

import io.janus.api.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one gateway: connections, logins, requests, and failures by {@link Reason}. The reason
 * labels are the same codes clients receive and log lines name. Thread-safe and cheap to update from
 * every event loop at once. Exported as OpenTelemetry metrics by the operations module.
 */
public final class GatewayStats {

    private final LongAdder connectionsAccepted = new LongAdder();
    private final LongAdder logins = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final Map<Reason, LongAdder> sessionsClosed = counters();
    private final Map<Reason, LongAdder> requestsFailed = counters();

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

    /** Records a successful login; called by the session pipeline. */
    public void recordLogin() {
        logins.increment();
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

    /** Connections accepted since start. */
    public long connectionsAccepted() {
        return connectionsAccepted.sum();
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
        return "GatewayStats{connections=" + connectionsAccepted() + ", logins=" + logins() + ", requests="
                + requests() + ", closed=" + sessionsClosed() + ", failedRequests=" + requestsFailed() + "}";
    }
}
