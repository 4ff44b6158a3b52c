package io.janus.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the admin endpoint writes, without a server: JSON strings escaped per RFC 8259, the Prometheus
 * text format 0.0.4 line by line, the kick path, and options that never print the token.
 */
class AdminFormatsTest {

    @Test
    void jsonStringsEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(Json.quote("plain")).isEqualTo("\"plain\"");
        assertThat(Json.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(Json.quote("line\nfeed\r\ttab\b\f")).isEqualTo("\"line\\nfeed\\r\\ttab\\b\\f\"");
        assertThat(Json.quote("\u0000\u001f\u2028\u2029")).isEqualTo("\"\\u0000\\u001f\\u2028\\u2029\"");
        assertThat(Json.quote("héllo ✓")).isEqualTo("\"héllo ✓\"");
    }

    @Test
    void jsonDocumentsNestObjectsArraysAndNulls() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("TOKEN_INVALID", 2L);
        String json = new Json()
                .put("s", "x\"y")
                .put("n", 3)
                .put("d", 0.5)
                .put("b", false)
                .put("none", (String) null)
                .put("o", new Json().putCounts("c", counts))
                .putStrings("a", List.of("p", "q\\"))
                .toString();
        assertThat(json).isEqualTo("{\"s\":\"x\\\"y\",\"n\":3,\"d\":0.5,\"b\":false,\"none\":null,"
                + "\"o\":{\"c\":{\"TOKEN_INVALID\":2}},\"a\":[\"p\",\"q\\\\\"]}");
        assertThat(new Json().putStrings("a", List.of()).toString()).isEqualTo("{\"a\":[]}");
    }

    @Test
    void prometheusTextHasHelpAndTypeBeforeEverySampleAndLowerCaseReasonLabels() {
        GatewayStats stats = new GatewayStats();
        stats.recordConnectionAccepted();
        stats.recordLogin();
        stats.recordSessionClosed(Reason.TOKEN_EXPIRED);
        stats.recordRequestFailed(Reason.GAME_ERROR);
        stats.recordHandshakeFailed(Reason.HANDSHAKE_TIMEOUT);
        stats.traffic().recordIn(7, 40);
        stats.traffic().recordOut(7, 100);
        stats.traffic().recordOut(7, 20);
        stats.traffic().recordIn(5000, 1);
        stats.tunnelLatency().record(700_000); // 0.7 ms
        stats.tunnelLatency().record(30_000_000_000L); // 30 s: only in +Inf
        Map<String, Integer> sessions = new LinkedHashMap<>();
        sessions.put("tcp", 4);
        sessions.put("we\"ird\\", 0);

        stats.recordSessionDetached();
        stats.recordSessionDetached();
        stats.recordSessionResumed();
        String text = PrometheusText.render(stats, sessions, true, 512);

        assertThat(text).endsWith("\n");
        List<String> lines = List.of(text.split("\n"));
        assertThat(lines).contains(
                "# HELP janus_connections_accepted_total Connections accepted since start.",
                "# TYPE janus_connections_accepted_total counter",
                "janus_connections_accepted_total 1",
                "janus_logins_total 1",
                "# TYPE janus_sessions_detached_total counter",
                "janus_sessions_detached_total 2",
                "janus_sessions_resumed_total 1",
                "janus_requests_total 0",
                "# TYPE janus_sessions_closed_total counter",
                "janus_sessions_closed_total{reason=\"token_expired\"} 1",
                "janus_sessions_closed_total{reason=\"ok\"} 0",
                "janus_requests_failed_total{reason=\"game_error\"} 1",
                "# TYPE janus_sessions gauge",
                "janus_sessions{transport=\"tcp\"} 4",
                "janus_sessions{transport=\"we\\\"ird\\\\\"} 0",
                "janus_handshakes_failed_total{reason=\"handshake_timeout\"} 1",
                "# TYPE janus_packets_total counter",
                "janus_packets_total{direction=\"in\",module=\"7\"} 1",
                "janus_packets_total{direction=\"out\",module=\"7\"} 2",
                "janus_packets_total{direction=\"in\",module=\"other\"} 1",
                "janus_bytes_total{direction=\"out\",module=\"7\"} 120",
                "# TYPE janus_tunnel_duration_seconds histogram",
                "janus_tunnel_duration_seconds_bucket{le=\"0.0005\"} 0",
                "janus_tunnel_duration_seconds_bucket{le=\"0.001\"} 1",
                "janus_tunnel_duration_seconds_bucket{le=\"10\"} 1",
                "janus_tunnel_duration_seconds_bucket{le=\"+Inf\"} 2",
                "janus_tunnel_duration_seconds_count 2",
                "# TYPE janus_outbound_queued_bytes gauge",
                "janus_outbound_queued_bytes 512",
                "# TYPE janus_ready gauge",
                "janus_ready 1");
        assertThat(lines).noneMatch(l -> l.contains("unrecognized"));
        // Every line is a comment or a sample of a metric announced by a TYPE line before it.
        java.util.Set<String> typed = new java.util.HashSet<>();
        for (String line : lines) {
            if (line.startsWith("# TYPE ")) {
                typed.add(line.split(" ")[2]);
            } else if (!line.startsWith("# HELP ")) {
                assertThat(line).matches(
                        "[a-z_]+(\\{[a-z]+=\"([^\"\\\\]|\\\\.)*\"(,[a-z]+=\"([^\"\\\\]|\\\\.)*\")*})? -?\\d+(\\.\\d+(E-?\\d+)?)?");
                String metric = line.replaceAll("[{ ].*", "");
                assertThat(typed).containsAnyOf(metric, metric.replaceAll("_(bucket|sum|count)$", ""));
            }
        }
        assertThat(PrometheusText.render(stats, sessions, false, 0)).contains("\njanus_ready 0\n");
    }

    @Test
    void kickTargetIsTheSegmentBetweenSessionsAndKick() {
        assertThat(AdminServer.kickTarget("/sessions/42/kick")).isEqualTo("42");
        assertThat(AdminServer.kickTarget("/sessions/abc/kick")).isEqualTo("abc");
        assertThat(AdminServer.kickTarget("/sessions//kick")).isNull();
        assertThat(AdminServer.kickTarget("/sessions/1/2/kick")).isNull();
        assertThat(AdminServer.kickTarget("/sessions/42")).isNull();
        assertThat(AdminServer.kickTarget("/sessions/kick")).isNull();
    }

    @Test
    void optionsDefaultToLoopbackOnAFreePortWithoutTokenAndNeverPrintTheToken() {
        AdminOptions defaults = AdminOptions.defaults();
        assertThat(defaults.bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isZero();
        assertThat(defaults.bearerToken()).isEmpty();

        AdminOptions options = AdminOptions.builder().port(9090).bearerToken("s3cr3t-token").build();
        assertThat(options.bearerToken()).contains("s3cr3t-token");
        assertThat(options.toString()).doesNotContain("s3cr3t-token").contains("bearerToken=set");
        assertThat(options.toBuilder().noBearerToken().build().bearerToken()).isEmpty();
        assertThat(options.toBuilder().build().port()).isEqualTo(9090);

        assertThatThrownBy(() -> AdminOptions.builder().port(65536)).hasMessageContaining("port: 65536");
        assertThatThrownBy(() -> AdminOptions.builder().bearerToken("has space"))
                .hasMessageContaining("character 3").hasMessageNotContaining("has space");
        assertThatThrownBy(() -> AdminOptions.builder().bearerToken("")).hasMessageContaining("1 to 1024");
    }
}
