package io.janus.core.admin;

import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import java.util.Locale;
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
     * @return the exposition
     */
    static String render(GatewayStats stats, Map<String, Integer> sessionsByTransport, boolean ready) {
        PrometheusText p = new PrometheusText();
        p.counter("janus_connections_accepted_total", "Connections accepted since start.",
                stats.connectionsAccepted());
        p.counter("janus_handshakes_total",
                "Completed handshakes (signed ServerHello sent, session keys derived) since start.",
                stats.handshakes());
        p.counter("janus_logins_total", "Successful logins since start.", stats.logins());
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
        p.header("janus_sessions", "gauge", "Open sessions, by transport.");
        sessionsByTransport.forEach((transport, n) -> p.sample("janus_sessions", "transport", transport, n));
        p.header("janus_ready", "gauge", "1 when the gateway is ready for new clients, 0 otherwise.");
        p.out.append("janus_ready ").append(ready ? 1 : 0).append('\n');
        return p.out.toString();
    }

    /** The label value of a reason: its enum name in lower case. */
    static String label(Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    private void counter(String name, String help, long value) {
        header(name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
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
