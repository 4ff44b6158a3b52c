package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.game.GameHandlers;
import io.janus.core.internal.GatewayRuntime;
import io.janus.core.telemetry.GatewayTelemetry;
import io.janus.core.telemetry.SessionMdc;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A gateway given an OpenTelemetry SDK: each game request gets a server span that the game handler's
 * own spans join (also on the blocking executor's thread), the metrics show the traffic by module and
 * the tunnel latency, and log lines, Janus's and the game's, carry the session and player ids.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TelemetryTest {

    private static final int GAME = 9;
    private static final int TRACED = 1;

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger gameLogger = (Logger) LoggerFactory.getLogger("test.game");
    private final Logger sessionLogger = (Logger) LoggerFactory.getLogger(GatewayRuntime.SESSION_LOGGER);
    private OpenTelemetrySdk sdk;
    private Gateway gateway;
    private JanusClient client;

    @BeforeEach
    void start() {
        logs.start();
        gameLogger.addAppender(logs);
        sessionLogger.addAppender(logs);
        sdk = OpenTelemetrySdk.builder()
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .build();
        GameHandlers handlers = GameHandlers.builder()
                // A blocking handler: it runs on the blocking executor, not on the thread that dispatched.
                .on(GAME, TRACED, request -> {
                    Span span = sdk.getTracer("test.game").spanBuilder("game.work").startSpan();
                    span.end();
                    gameLogger.info("handled {}", request.body().toStringUtf8());
                    return request.body();
                })
                .build();
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(handlers)
                .openTelemetry(sdk)
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().build();
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.close();
        sdk.close();
        gameLogger.detachAppender(logs);
        sessionLogger.detachAppender(logs);
    }

    @Test
    void requestsAreTracedMeasuredAndLoggedWithTheSession() {
        ClientSession session = client.connect(gateway.address("tcp"), "player-42").orTimeout(10, TimeUnit.SECONDS)
                .join();
        for (int i = 0; i < 3; i++) {
            assertThat(session.request(GAME, TRACED, ByteString.copyFromUtf8("hello-" + i))
                    .orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("hello-" + i);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() >= 6);
        List<SpanData> finished = spans.getFinishedSpanItems();
        List<SpanData> requests = finished.stream()
                .filter(s -> s.getName().equals(GatewayTelemetry.REQUEST_SPAN)).toList();
        List<SpanData> work = finished.stream().filter(s -> s.getName().equals("game.work")).toList();
        assertThat(requests).hasSize(3);
        assertThat(work).hasSize(3);
        for (SpanData child : work) {
            SpanData parent = requests.stream().filter(r -> r.getSpanId().equals(child.getParentSpanId()))
                    .findFirst().orElseThrow(() -> new AssertionError("game span without its request span"));
            assertThat(parent.getTraceId()).isEqualTo(child.getTraceId());
            assertThat(parent.getAttributes().get(GatewayTelemetry.PLAYER_ID)).isEqualTo(42L);
            assertThat(parent.getAttributes().get(GatewayTelemetry.SESSION_ID)).isEqualTo(session.sessionId());
            assertThat(parent.getAttributes().get(GatewayTelemetry.TRANSPORT)).isEqualTo("tcp");
        }

        Collection<MetricData> data = metrics.collectAllMetrics();
        assertThat(sum(data, "janus.packets", Attributes.of(GatewayTelemetry.DIRECTION, "in",
                GatewayTelemetry.MODULE, String.valueOf(GAME)))).isEqualTo(3);
        assertThat(sum(data, "janus.packets", Attributes.of(GatewayTelemetry.DIRECTION, "out",
                GatewayTelemetry.MODULE, String.valueOf(GAME)))).isEqualTo(3);
        assertThat(sum(data, "janus.handshakes", Attributes.of(GatewayTelemetry.OUTCOME, "ok"))).isEqualTo(1);
        assertThat(sum(data, "janus.sessions", Attributes.of(GatewayTelemetry.TRANSPORT, "tcp"))).isEqualTo(1);
        MetricData latency = data.stream().filter(m -> m.getName().equals("janus.tunnel.duration")).findFirst()
                .orElseThrow();
        assertThat(latency.getHistogramData().getPoints()).singleElement()
                .satisfies(p -> assertThat(p.getCount()).isEqualTo(3));

        // The game's log lines name the session and the player, though they ran on another thread.
        List<ILoggingEvent> handled = logs.list.stream().filter(e -> e.getLoggerName().equals("test.game")).toList();
        assertThat(handled).hasSize(3).allSatisfy(e -> {
            assertThat(e.getMDCPropertyMap()).containsEntry(SessionMdc.SESSION_ID, String.valueOf(session.sessionId()))
                    .containsEntry(SessionMdc.PLAYER_ID, "42");
        });

        // So does the gateway's own line when it kicks the session.
        gateway.sessions().sessionOfPlayer(42).close(io.janus.api.Reason.KICKED, "test kick");
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.list.stream()
                .anyMatch(e -> e.getLoggerName().equals(GatewayRuntime.SESSION_LOGGER)));
        ILoggingEvent closed = logs.list.stream().filter(e -> e.getLoggerName().equals(GatewayRuntime.SESSION_LOGGER))
                .findFirst().orElseThrow();
        assertThat(closed.getFormattedMessage()).contains("KICKED");
        assertThat(closed.getMDCPropertyMap()).containsEntry(SessionMdc.PLAYER_ID, "42");
        assertThat(sum(metrics.collectAllMetrics(), "janus.sessions.closed",
                Attributes.of(GatewayTelemetry.REASON, "kicked"))).isEqualTo(1);
    }

    private static long sum(Collection<MetricData> data, String name, Attributes attributes) {
        MetricData m = data.stream().filter(d -> d.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
        return m.getLongSumData().getPoints().stream().filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no point " + attributes + " of " + name));
    }
}
