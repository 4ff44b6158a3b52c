package io.janus.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Proves that the load generator runs for a second against each kind of target, started in this JVM on
 * loopback, and reports samples without errors: the raw ceiling, the echo gateway over TCP and over
 * WebSocket, open loop, and the gRPC tunnel. Timing figures mean nothing here and none is checked.
 */
class LoadGeneratorRunTest {

    private static Map<String, Object> run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, Object> summary;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            summary = LoadGenerator.run(out, args);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("latency p99.9").contains("SUMMARY {");
        // The machine-readable line says the same as the returned summary.
        String json = printed.substring(printed.indexOf("SUMMARY ") + 8).lines().findFirst().orElseThrow();
        assertThat(FlatJson.parse(json).get("requests")).isEqualTo(((Number) summary.get("requests")).doubleValue());
        return summary;
    }

    private static void assertSamplesWithoutErrors(Map<String, Object> summary, int connections) {
        assertThat(summary.get("connections")).isEqualTo(connections);
        assertThat((Long) summary.get("requests")).isPositive();
        assertThat((Long) summary.get("errors_all")).isZero();
        assertThat((Double) summary.get("p50_us")).isPositive();
        assertThat((Double) summary.get("max_us")).isGreaterThanOrEqualTo((Double) summary.get("p99_us"));
        assertThat((Double) summary.get("gateway_cpu_s")).isNotNegative();
        // The generator's own collection pauses while measuring, counted and bounded by what they sum to.
        assertThat((Long) summary.get("generator_gc_pauses")).isNotNegative();
        assertThat((Double) summary.get("generator_gc_max_pause_ms"))
                .isBetween(0.0, (Double) summary.get("generator_gc_pause_ms") + 1e-9);
    }

    @Test
    void closedLoopAgainstTheCeiling() throws Exception {
        Map<String, Object> summary = run("--embedded", "ceiling", "--connections", "10", "--duration", "1",
                "--warmup", "0.2");
        assertSamplesWithoutErrors(summary, 10);
        assertThat(summary.get("target")).isEqualTo("ceiling");
    }

    @Test
    void closedLoopAgainstTheEchoGatewayOverTcp() throws Exception {
        Map<String, Object> summary = run("--embedded", "echo", "--connections", "10", "--duration", "1",
                "--warmup", "0.2", "--source-addresses", "3");
        assertSamplesWithoutErrors(summary, 10);
        assertThat(summary.get("transport")).isEqualTo("tcp");
        assertThat((Double) summary.get("handshakes_per_s")).isPositive();
    }

    @Test
    void closedLoopAgainstTheEchoGatewayOverWebSocket() throws Exception {
        Map<String, Object> summary = run("--embedded", "echo", "--transport", "ws", "--connections", "5",
                "--duration", "1", "--warmup", "0");
        assertSamplesWithoutErrors(summary, 5);
        assertThat(summary.get("transport")).isEqualTo("ws");
    }

    @Test
    void openLoopSendsAtTheRate() throws Exception {
        Map<String, Object> summary = run("--embedded", "echo", "--connections", "5", "--rate", "200",
                "--duration", "1", "--warmup", "0.2");
        assertSamplesWithoutErrors(summary, 5);
        // 200 a second for one second, give or take the requests still in flight at either end.
        assertThat((Long) summary.get("requests")).isBetween(100L, 260L);
    }

    @Test
    void openLoopTimesEachRequestFromWhenItWasDue() throws Exception {
        // At 20 a second a request is due every 50 ms. Against an idle in-process ceiling the answer
        // takes well under that; a generator that sent each request one period late would report 50 ms.
        Map<String, Object> summary = run("--embedded", "ceiling", "--connections", "2", "--rate", "20",
                "--duration", "1", "--warmup", "0.2");
        assertSamplesWithoutErrors(summary, 2);
        assertThat((Double) summary.get("p50_us")).isLessThan(25_000.0);
    }

    @Test
    void echoThroughTheGrpcTunnel() throws Exception {
        // Two seconds of warm-up: on a loaded machine the tunnel's first requests (the gRPC channel's
        // connection, class loading) took up to 1.9 s, longer than a shorter run measured.
        Map<String, Object> summary = run("--embedded", "tunnel", "--connections", "5", "--duration", "1",
                "--warmup", "2");
        assertSamplesWithoutErrors(summary, 5);
    }

    @Test
    void badOptionsAreRefusedWithStatus2() {
        assertThat(new CommandLine(new LoadGenerator()).execute("--embedded", "echo", "--transport", "kcp")).isEqualTo(2);
        assertThat(new CommandLine(new LoadGenerator()).execute("--target", "127.0.0.1:1")).isEqualTo(2);
        assertThat(new CommandLine(new LoadGenerator()).execute("--embedded", "echo", "--connections", "0")).isEqualTo(2);
    }

    @Test
    void procStatsReadsThisProcess() throws Exception {
        ProcStats stats = ProcStats.read(ProcessHandle.current().pid());
        assertThat(stats.cpuSeconds()).isPositive();
        assertThat(stats.rssKib()).isPositive();
    }

    @Test
    void gcPausesCountAForcedCollection() throws Exception {
        GcPauses pauses = GcPauses.get();
        pauses.window();
        System.gc(); // a full collection: it stops the application under any of HotSpot's collectors
        Map<String, Object> window = Map.of("gcPauses", 0L);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long seen = 0;
        while (seen == 0 && System.nanoTime() < deadline) { // notifications arrive on another thread
            Thread.sleep(20);
            window = pauses.window();
            seen = (Long) window.get("gcPauses");
        }
        assertThat(seen).isPositive();
        assertThat((Double) window.get("gcMaxPauseMs")).isBetween(0.0, (Double) window.get("gcPauseMs") + 1e-9);
    }

    @Test
    void flatJsonRoundTrips() {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        values.put("name", "a \"quoted\" \\ value\n");
        values.put("count", 3);
        values.put("ratio", 0.5);
        values.put("none", null);
        Map<String, Object> parsed = FlatJson.parse(FlatJson.write(values));
        assertThat(parsed).containsEntry("name", "a \"quoted\" \\ value\n").containsEntry("count", 3.0)
                .containsEntry("ratio", 0.5).containsEntry("none", null);
    }
}
