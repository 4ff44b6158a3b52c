package io.janus.core.telemetry;

import static java.util.Objects.requireNonNull;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.JanusException;
import io.janus.core.LatencyHistogram;
import io.janus.core.ModuleTraffic;
import io.janus.core.session.SessionInfo;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A gateway's OpenTelemetry metrics and traces, through the OpenTelemetry API only: a game that brings
 * its own SDK (registered globally, by the Java agent, or given to {@code Gateway.Builder.openTelemetry})
 * gets everything below; without one every call lands in the API's no-op implementation.
 *
 * <p>Counters are kept once, in {@link GatewayStats} (which the admin endpoint also serves in the
 * Prometheus format), and exported as <em>asynchronous</em> instruments read on collection, so the
 * packet path pays for one {@link java.util.concurrent.atomic.LongAdder} increment and nothing else.
 * The tunnel latency is a synchronous histogram, and each game request gets a span.
 *
 * <table>
 * <caption>Instruments (meter {@value #INSTRUMENTATION_NAME})</caption>
 * <tr><th>name</th><th>kind, unit</th><th>attributes</th></tr>
 * <tr><td>janus.connections.accepted</td><td>counter</td><td></td></tr>
 * <tr><td>janus.sessions</td><td>up-down counter</td><td>janus.transport</td></tr>
 * <tr><td>janus.handshakes</td><td>counter</td><td>janus.outcome (ok, failed), janus.reason when failed</td></tr>
 * <tr><td>janus.logins</td><td>counter</td><td></td></tr>
 * <tr><td>janus.sessions.detached</td><td>counter</td><td></td></tr>
 * <tr><td>janus.sessions.resumed</td><td>counter</td><td></td></tr>
 * <tr><td>janus.requests</td><td>counter</td><td></td></tr>
 * <tr><td>janus.requests.failed</td><td>counter</td><td>janus.reason (the requests refused or dropped)</td></tr>
 * <tr><td>janus.sessions.closed</td><td>counter</td><td>janus.reason (kicks and every other close)</td></tr>
 * <tr><td>janus.packets</td><td>counter</td><td>janus.direction (in, out), janus.module</td></tr>
 * <tr><td>janus.bytes</td><td>counter, By</td><td>janus.direction, janus.module</td></tr>
 * <tr><td>janus.outbound.queued</td><td>gauge, By</td><td></td></tr>
 * <tr><td>janus.tunnel.duration</td><td>histogram, s</td><td>janus.module, janus.outcome (ok, error)</td></tr>
 * </table>
 *
 * <p>Module labels are bounded by {@link ModuleTraffic#TRACKED_MODULES}; reason labels are the
 * {@link Reason} names in lower case, the same codes clients receive and log lines name.
 *
 * <p>Traces: every game request gets a {@link SpanKind#SERVER} span named {@value #REQUEST_SPAN},
 * current while the router and the tunnel handle it, so game handlers' own spans become its children
 * and a remote tunnel propagates it (W3C trace context) to the game service.
 */
public final class GatewayTelemetry implements AutoCloseable {

    /** The instrumentation scope of the meter and the tracer. */
    public static final String INSTRUMENTATION_NAME = "io.janus.gateway";

    /** The name of the span of a game request. */
    public static final String REQUEST_SPAN = "janus.request";

    /** The transport a session uses. */
    public static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("janus.transport");
    /** A reason code, in lower case. */
    public static final AttributeKey<String> REASON = AttributeKey.stringKey("janus.reason");
    /** {@code ok}, {@code failed} (handshakes) or {@code error} (requests). */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("janus.outcome");
    /** {@code in} (from clients) or {@code out} (to clients). */
    public static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("janus.direction");
    /** A packet's module, or {@value ModuleTraffic#OTHER}. */
    public static final AttributeKey<String> MODULE = AttributeKey.stringKey("janus.module");
    /** A packet's seq (spans only). */
    public static final AttributeKey<Long> SEQ = AttributeKey.longKey("janus.seq");
    /** A packet's object id (spans only, when not zero). */
    public static final AttributeKey<Long> OBJ = AttributeKey.longKey("janus.obj");
    /** The session id (spans only). */
    public static final AttributeKey<Long> SESSION_ID = AttributeKey.longKey("janus.session.id");
    /** The player id (spans only). */
    public static final AttributeKey<Long> PLAYER_ID = AttributeKey.longKey("janus.player.id");

    private static final Attributes OK = Attributes.of(OUTCOME, "ok");

    private final Tracer tracer;
    private final DoubleHistogram tunnelDuration;
    private final Map<Reason, Attributes> reasons = new EnumMap<>(Reason.class);
    private final Map<Reason, Attributes> failedHandshakes = new EnumMap<>(Reason.class);
    /** Attributes of the tunnel histogram per (module, outcome), built on first use; bounded. */
    private final AtomicReferenceArray<Attributes> moduleOutcomes =
            new AtomicReferenceArray<>(2 * (ModuleTraffic.TRACKED_MODULES + 1));
    private final List<AutoCloseable> observers = new ArrayList<>();

    /**
     * Creates the instruments and registers the asynchronous ones.
     *
     * @param openTelemetry the API entry point; {@link OpenTelemetry#noop()} for none
     * @param stats the gateway's counters
     * @param sessionsByTransport open sessions per transport name, read on collection
     * @param outboundQueuedBytes bytes queued for clients, read on collection
     */
    public GatewayTelemetry(OpenTelemetry openTelemetry, GatewayStats stats,
            Supplier<Map<String, Integer>> sessionsByTransport, LongSupplier outboundQueuedBytes) {
        requireNonNull(openTelemetry, "openTelemetry");
        requireNonNull(stats, "stats");
        requireNonNull(sessionsByTransport, "sessionsByTransport");
        requireNonNull(outboundQueuedBytes, "outboundQueuedBytes");
        for (Reason reason : Reason.values()) {
            if (reason != Reason.UNRECOGNIZED) {
                String label = label(reason);
                reasons.put(reason, Attributes.of(REASON, label));
                failedHandshakes.put(reason, Attributes.of(OUTCOME, "failed", REASON, label));
            }
        }
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
        Meter meter = openTelemetry.getMeter(INSTRUMENTATION_NAME);
        this.tunnelDuration = meter.histogramBuilder("janus.tunnel.duration").setUnit("s")
                .setDescription("Round trip of game requests through the router and the tunnel, until the "
                        + "answer, the error or the deadline.")
                .setExplicitBucketBoundariesAdvice(boundaries())
                .build();

        observers.add(meter.counterBuilder("janus.connections.accepted").setUnit("{connection}")
                .setDescription("Connections accepted.")
                .buildWithCallback(m -> m.record(stats.connectionsAccepted())));
        observers.add(meter.upDownCounterBuilder("janus.sessions").setUnit("{session}")
                .setDescription("Open sessions, by transport.")
                .buildWithCallback(m -> sessionsByTransport.get()
                        .forEach((transport, n) -> m.record(n, Attributes.of(TRANSPORT, transport)))));
        observers.add(meter.counterBuilder("janus.handshakes").setUnit("{handshake}")
                .setDescription("Handshakes completed (ok), and connections that ended before completing "
                        + "one (failed, by reason).")
                .buildWithCallback(m -> {
                    m.record(stats.handshakes(), OK);
                    stats.handshakesFailed().forEach((reason, n) -> m.record(n, failedHandshakes.get(reason)));
                }));
        observers.add(meter.counterBuilder("janus.logins").setUnit("{login}")
                .setDescription("Successful logins.")
                .buildWithCallback(m -> m.record(stats.logins())));
        observers.add(meter.counterBuilder("janus.sessions.detached").setUnit("{session}")
                .setDescription("Resumable sessions that lost their connection and waited for a resume.")
                .buildWithCallback(m -> m.record(stats.sessionsDetached())));
        observers.add(meter.counterBuilder("janus.sessions.resumed").setUnit("{session}")
                .setDescription("Sessions resumed on a new connection.")
                .buildWithCallback(m -> m.record(stats.sessionsResumed())));
        observers.add(meter.counterBuilder("janus.requests").setUnit("{request}")
                .setDescription("Game requests dispatched to game services.")
                .buildWithCallback(m -> m.record(stats.requests())));
        observers.add(meter.counterBuilder("janus.requests.failed").setUnit("{request}")
                .setDescription("Requests answered with an error or refused, by reason.")
                .buildWithCallback(m -> byReason(m, stats.requestsFailed())));
        observers.add(meter.counterBuilder("janus.pushes").setUnit("{push}")
                .setDescription("Requests of the push service handed on to the session directory.")
                .buildWithCallback(m -> m.record(stats.pushes())));
        observers.add(meter.counterBuilder("janus.pushes.rejected").setUnit("{push}")
                .setDescription("Requests of the push service refused or not handed on, by reason.")
                .buildWithCallback(m -> byReason(m, stats.pushesRejected())));
        observers.add(meter.counterBuilder("janus.sessions.closed").setUnit("{session}")
                .setDescription("Sessions and connections closed, kicked or refused, by reason.")
                .buildWithCallback(m -> byReason(m, stats.sessionsClosed())));
        observers.add(meter.counterBuilder("janus.packets").setUnit("{packet}")
                .setDescription("Packets from and to clients, by module.")
                .buildWithCallback(m -> stats.traffic().snapshot().forEach((module, c) -> {
                    m.record(c.packetsIn(), Attributes.of(DIRECTION, "in", MODULE, module));
                    m.record(c.packetsOut(), Attributes.of(DIRECTION, "out", MODULE, module));
                })));
        observers.add(meter.counterBuilder("janus.bytes").setUnit("By")
                .setDescription("Bytes of packets from and to clients (encoded, before compression and "
                        + "encryption), by module.")
                .buildWithCallback(m -> stats.traffic().snapshot().forEach((module, c) -> {
                    m.record(c.bytesIn(), Attributes.of(DIRECTION, "in", MODULE, module));
                    m.record(c.bytesOut(), Attributes.of(DIRECTION, "out", MODULE, module));
                })));
        observers.add(meter.gaugeBuilder("janus.outbound.queued").ofLongs().setUnit("By")
                .setDescription("Bytes queued for clients and not yet written to the network.")
                .buildWithCallback(m -> m.record(outboundQueuedBytes.getAsLong())));
    }

    private void byReason(ObservableLongMeasurement m, Map<Reason, Long> counts) {
        counts.forEach((reason, n) -> {
            Attributes a = reasons.get(reason);
            if (a != null) {
                m.record(n, a);
            }
        });
    }

    private static List<Double> boundaries() {
        List<Double> out = new ArrayList<>();
        for (double b : LatencyHistogram.bounds()) {
            out.add(b);
        }
        return out;
    }

    /**
     * The metric label of a reason: its enum name in lower case.
     *
     * @param reason the reason
     * @return the label
     */
    public static String label(Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Starts the span of a game request, as a child of whatever context is current.
     *
     * @param session the logged-in session
     * @param packet the request
     * @return a context holding the span, to make current around the router and the tunnel and to give
     *         to {@link #endRequest}
     */
    public Context startRequest(SessionInfo session, Packet packet) {
        Span span = tracer.spanBuilder(REQUEST_SPAN).setSpanKind(SpanKind.SERVER)
                .setAttribute(MODULE, ModuleTraffic.label(packet.getModule()))
                .setAttribute(SEQ, Integer.toUnsignedLong(packet.getSeq()))
                .setAttribute(SESSION_ID, session.sessionId())
                .setAttribute(PLAYER_ID, session.playerId())
                .setAttribute(TRANSPORT, session.transport())
                .startSpan();
        if (packet.getObj() != 0 && span.isRecording()) {
            span.setAttribute(OBJ, packet.getObj());
        }
        return Context.current().with(span);
    }

    /**
     * Ends a request: records its round trip and ends its span, with an error status and the reason
     * when it failed.
     *
     * @param context what {@link #startRequest} returned
     * @param module the request's module
     * @param nanos the round trip
     * @param failure why it failed, or {@code null}
     */
    public void endRequest(Context context, int module, long nanos, Throwable failure) {
        tunnelDuration.record(nanos / 1e9, moduleOutcome(module, failure == null));
        Span span = Span.fromContext(context);
        if (failure != null && span.isRecording()) {
            JanusException known = JanusException.find(failure);
            Reason reason = known != null ? known.reason() : Reason.INTERNAL_ERROR;
            span.setAttribute(REASON, label(reason));
            span.setStatus(StatusCode.ERROR, known != null ? String.valueOf(known.getMessage()) : "internal error");
        }
        span.end();
    }

    private Attributes moduleOutcome(int module, boolean ok) {
        int slot = module >= 0 && module < ModuleTraffic.TRACKED_MODULES ? module : ModuleTraffic.TRACKED_MODULES;
        int index = 2 * slot + (ok ? 0 : 1);
        Attributes a = moduleOutcomes.get(index);
        if (a == null) {
            a = Attributes.of(MODULE, ModuleTraffic.label(module), OUTCOME, ok ? "ok" : "error");
            moduleOutcomes.set(index, a);
        }
        return a;
    }

    /** Unregisters the asynchronous instruments. */
    @Override
    public void close() {
        for (AutoCloseable observer : observers) {
            try {
                observer.close();
            } catch (Exception e) {
                // Closing an observable instrument only unregisters its callback.
            }
        }
        observers.clear();
    }
}
