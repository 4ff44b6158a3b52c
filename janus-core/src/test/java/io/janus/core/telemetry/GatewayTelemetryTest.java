package io.janus.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.ModuleTraffic;
import io.janus.core.RequestException;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenTelemetry export of a gateway's counters, its latency histogram and its request spans. */
class GatewayTelemetryTest {

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private OpenTelemetrySdk sdk;
    private final GatewayStats stats = new GatewayStats();
    private final AtomicLong queued = new AtomicLong();
    private GatewayTelemetry telemetry;

    @BeforeEach
    void setUp() {
        sdk = OpenTelemetrySdk.builder()
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .build();
        telemetry = new GatewayTelemetry(sdk, stats, () -> Map.of("tcp", 3, "ws", 1), queued::get);
    }

    @AfterEach
    void tearDown() {
        telemetry.close();
        sdk.close();
    }

    @Test
    void countersAreReadFromTheStatsOnCollection() {
        stats.recordConnectionAccepted();
        stats.recordConnectionAccepted();
        stats.recordHandshake();
        stats.recordHandshakeFailed(Reason.HANDSHAKE_TIMEOUT);
        stats.recordSessionClosed(Reason.KICKED);
        stats.recordRequestFailed(Reason.RATE_LIMITED);
        stats.traffic().recordIn(3, 50);
        stats.traffic().recordOut(3, 70);
        stats.traffic().recordIn(1 << 20, 9);
        queued.set(4096);

        Collection<MetricData> data = metrics.collectAllMetrics();

        assertThat(sum(data, "janus.connections.accepted", Attributes.empty())).isEqualTo(2);
        assertThat(sum(data, "janus.handshakes", Attributes.of(GatewayTelemetry.OUTCOME, "ok"))).isEqualTo(1);
        assertThat(sum(data, "janus.handshakes", Attributes.of(GatewayTelemetry.OUTCOME, "failed",
                GatewayTelemetry.REASON, "handshake_timeout"))).isEqualTo(1);
        assertThat(sum(data, "janus.sessions.closed", Attributes.of(GatewayTelemetry.REASON, "kicked"))).isEqualTo(1);
        assertThat(sum(data, "janus.requests.failed", Attributes.of(GatewayTelemetry.REASON, "rate_limited")))
                .isEqualTo(1);
        assertThat(sum(data, "janus.sessions", Attributes.of(GatewayTelemetry.TRANSPORT, "tcp"))).isEqualTo(3);
        assertThat(sum(data, "janus.packets", Attributes.of(GatewayTelemetry.DIRECTION, "in",
                GatewayTelemetry.MODULE, "3"))).isEqualTo(1);
        assertThat(sum(data, "janus.bytes", Attributes.of(GatewayTelemetry.DIRECTION, "out",
                GatewayTelemetry.MODULE, "3"))).isEqualTo(70);
        assertThat(sum(data, "janus.packets", Attributes.of(GatewayTelemetry.DIRECTION, "in",
                GatewayTelemetry.MODULE, ModuleTraffic.OTHER))).isEqualTo(1);
        assertThat(metric(data, "janus.outbound.queued").getLongGaugeData().getPoints())
                .extracting(LongPointData::getValue).containsExactly(4096L);
    }

    @Test
    void requestSpanIsCurrentForChildrenAndEndsWithTheOutcome() {
        SessionInfo session = new SessionInfo(77, "gw-1", "tcp", "127.0.0.1:5000", Identity.of(42));
        Packet packet = Packet.newBuilder().setModule(5).setSeq(2).setIndex(1).setObj(9).build();

        Context ok = telemetry.startRequest(session, packet);
        try (var scope = ok.makeCurrent()) {
            sdk.getTracer("game").spanBuilder("game.handler").startSpan().end();
        }
        telemetry.endRequest(ok, 5, 2_000_000, null);
        Context failed = telemetry.startRequest(session, packet);
        telemetry.endRequest(failed, 5, 1_000_000, RequestException.of(Reason.REQUEST_TIMEOUT, "too slow"));

        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).hasSize(3);
        SpanData child = finished.get(0);
        SpanData request = finished.get(1);
        assertThat(request.getName()).isEqualTo(GatewayTelemetry.REQUEST_SPAN);
        assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(child.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(child.getTraceId()).isEqualTo(request.getTraceId());
        assertThat(request.getAttributes().get(GatewayTelemetry.MODULE)).isEqualTo("5");
        assertThat(request.getAttributes().get(GatewayTelemetry.SEQ)).isEqualTo(2L);
        assertThat(request.getAttributes().get(GatewayTelemetry.OBJ)).isEqualTo(9L);
        assertThat(request.getAttributes().get(GatewayTelemetry.SESSION_ID)).isEqualTo(77L);
        assertThat(request.getAttributes().get(GatewayTelemetry.PLAYER_ID)).isEqualTo(42L);
        assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        SpanData timedOut = finished.get(2);
        assertThat(timedOut.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(timedOut.getAttributes().get(GatewayTelemetry.REASON)).isEqualTo("request_timeout");

        MetricData histogram = metric(metrics.collectAllMetrics(), "janus.tunnel.duration");
        assertThat(histogram.getUnit()).isEqualTo("s");
        HistogramPointData okPoint = histogram.getHistogramData().getPoints().stream()
                .filter(p -> "ok".equals(p.getAttributes().get(GatewayTelemetry.OUTCOME))).findFirst().orElseThrow();
        assertThat(okPoint.getCount()).isEqualTo(1);
        assertThat(okPoint.getSum()).isEqualTo(0.002);
        assertThat(okPoint.getAttributes().get(GatewayTelemetry.MODULE)).isEqualTo("5");
        assertThat(okPoint.getBoundaries()).startsWith(0.0005, 0.001);
    }

    @Test
    void withoutAnSdkNothingIsRecordedAndNothingFails() {
        GatewayTelemetry noop = new GatewayTelemetry(OpenTelemetry.noop(), stats, Map::of, () -> 0);
        SessionInfo session = new SessionInfo(1, "gw", "tcp", "127.0.0.1:1", Identity.of(1));
        Context context = noop.startRequest(session, Packet.newBuilder().setModule(1).build());
        noop.endRequest(context, 1, 10, new IllegalStateException("boom"));
        noop.close();
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    private static MetricData metric(Collection<MetricData> data, String name) {
        return data.stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + data));
    }

    private static long sum(Collection<MetricData> data, String name, Attributes attributes) {
        MetricData m = metric(data, name);
        Collection<LongPointData> points = m.getLongSumData().getPoints();
        return points.stream().filter(p -> p.getAttributes().equals(attributes)).mapToLong(LongPointData::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no point " + attributes + " in " + points));
    }
}
