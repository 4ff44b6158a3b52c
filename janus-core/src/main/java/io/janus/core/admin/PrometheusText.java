package io.janus.core.admin;

import static io.janus.core.telemetry.GatewayTelemetry.label;

import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.LatencyHistogram;
import io.janus.core.ModuleTraffic;
import java.util.Map;

/**
 * Writes a gateway's metrics in the Prometheus text exposition format, version 0.0.4: for each metric
 * a {@code # HELP} and a {@code # TYPE} line, then its samples, every line ending with a line feed. The
 * {@code reason} label is the {@link Reason} name in lower case; every reason is written, zero or not,
 * so that a series exists before its first increment.
 */
final class PrometheusText {

    /** The Content-Type of the format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);

    /**
     * Renders the metrics.
     *
     * @param stats the counters
     * @param sessionsByTransport open sessions per transport name
     * @param ready whether the gateway is ready
     * @param outboundQueuedBytes bytes queued for clients
     * @return the exposition
     */
    static String render(GatewayStats stats, Map<String, Integer> sessionsByTransport, boolean ready,
            long outboundQueuedBytes) {
        PrometheusText p = new PrometheusText();
        p.counter("janus_connections_accepted_total", "Connections accepted since start.",
                stats.connectionsAccepted());
        p.counter("janus_handshakes_total",
                "Completed handshakes (signed ServerHello sent, session keys derived) since start.",
                stats.handshakes());
        p.header("janus_handshakes_failed_total", "counter",
                "Connections that ended before completing a handshake, by reason (ok: the client went away).");
        for (Reason reason : Reason.values()) {
            if (reason != Reason.UNRECOGNIZED) {
                p.sample("janus_handshakes_failed_total", "reason", label(reason), stats.handshakesFailed(reason));
            }
        }
        p.counter("janus_logins_total", "Successful logins since start.", stats.logins());
        p.counter("janus_sessions_detached_total", "Resumable sessions that lost their connection and waited for a "
                + "resume since start (docs/protocol.md, section 14).", stats.sessionsDetached());
        p.counter("janus_sessions_resumed_total", "Sessions resumed on a new connection since start.",
                stats.sessionsResumed());
        p.counter("janus_requests_total", "Game requests dispatched to game services since start.",
                stats.requests());
        p.header("janus_sessions_closed_total", "counter",
                "Sessions and connections closed or refused, by reason (ok: the client went away).");
        for (Reason reason : Reason.values()) {
            if (reason != Reason.UNRECOGNIZED) {
                p.sample("janus_sessions_closed_total", "reason", label(reason), stats.sessionsClosed(reason));
            }
        }
        p.header("janus_requests_failed_total", "counter", "Requests answered with an error, by reason.");
        for (Reason reason : Reason.values()) {
            if (reason != Reason.UNRECOGNIZED) {
                p.sample("janus_requests_failed_total", "reason", label(reason), stats.requestsFailed(reason));
            }
        }
        p.counter("janus_pushes_total", "Requests of the push service handed on to the session directory.",
                stats.pushes());
        p.header("janus_pushes_rejected_total", "counter",
                "Requests of the push service refused or not handed on, by reason.");
        for (Reason reason : Reason.values()) {
            if (reason != Reason.UNRECOGNIZED && reason.getNumber() >= 600 && reason.getNumber() < 700) {
                p.sample("janus_pushes_rejected_total", "reason", label(reason), stats.pushesRejected(reason));
            }
        }
        p.header("janus_sessions", "gauge", "Open sessions, by transport.");
        sessionsByTransport.forEach((transport, n) -> p.sample("janus_sessions", "transport", transport, n));
        Map<String, ModuleTraffic.Counters> traffic = stats.traffic().snapshot();
        p.header("janus_packets_total", "counter", "Packets from (in) and to (out) clients, by module.");
        traffic.forEach((module, c) -> {
            p.traffic("janus_packets_total", "in", module, c.packetsIn());
            p.traffic("janus_packets_total", "out", module, c.packetsOut());
        });
        p.header("janus_bytes_total", "counter",
                "Bytes of packets from (in) and to (out) clients, encoded, before compression and encryption.");
        traffic.forEach((module, c) -> {
            p.traffic("janus_bytes_total", "in", module, c.bytesIn());
            p.traffic("janus_bytes_total", "out", module, c.bytesOut());
        });
        p.histogram("janus_tunnel_duration_seconds",
                "Round trip of game requests through the router and the tunnel.", stats.tunnelLatency());
        p.header("janus_outbound_queued_bytes", "gauge", "Bytes queued for clients, not yet written.");
        p.out.append("janus_outbound_queued_bytes ").append(outboundQueuedBytes).append('\n');
        p.header("janus_ready", "gauge", "1 when the gateway is ready for new clients, 0 otherwise.");
        p.out.append("janus_ready ").append(ready ? 1 : 0).append('\n');
        return p.out.toString();
    }

    private void counter(String name, String help, long value) {
        header(name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private void traffic(String name, String direction, String module, long value) {
        out.append(name).append("{direction=\"").append(direction).append("\",module=\"").append(module)
                .append("\"} ").append(value).append('\n');
    }

    private void histogram(String name, String help, LatencyHistogram histogram) {
        header(name, "histogram", help);
        double[] bounds = LatencyHistogram.bounds();
        long[] counts = histogram.cumulativeCounts();
        for (int i = 0; i < bounds.length; i++) {
            out.append(name).append("_bucket{le=\"").append(plain(bounds[i])).append("\"} ").append(counts[i]).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(counts[bounds.length]).append('\n');
        out.append(name).append("_sum ").append(histogram.sumSeconds()).append('\n');
        out.append(name).append("_count ").append(counts[bounds.length]).append('\n');
    }

    /** A bucket bound as Prometheus clients write it: {@code 0.0005}, {@code 1}, {@code 2.5}. */
    private static String plain(double bound) {
        return java.math.BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    private void header(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        escape(help, false);
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String label, String value, long sample) {
        out.append(name).append('{').append(label).append("=\"");
        escape(value, true);
        out.append("\"} ").append(sample).append('\n');
    }

    /** HELP text escapes backslash and line feed; label values also escape the double quote. */
    private void escape(String s, boolean labelValue) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '"' && labelValue) {
                out.append("\\\"");
            } else {
                out.append(c);
            }
        }
    }
}
