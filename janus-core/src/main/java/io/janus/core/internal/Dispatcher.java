package io.janus.core.internal;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.RequestException;
import io.janus.core.SessionOptions;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Router;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.Tunnel;
import io.janus.core.telemetry.GatewayTelemetry;
import io.janus.core.telemetry.SessionMdc;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Sends one request through the {@link Router} and the {@link Tunnel} and guarantees it exactly one
 * outcome within the request deadline: the answer, the failure, or {@link Reason#REQUEST_TIMEOUT},
 * whichever comes first. The returned future always completes on the session's event loop.
 *
 * <p>Each request is measured from dispatch to its outcome ({@link GatewayStats#tunnelLatency()} and
 * the {@code janus.tunnel.duration} histogram) and gets a span, current (with the session in the
 * {@link SessionMdc}) while the router and the tunnel are called, so tunnels propagate it.
 */
final class Dispatcher {

    private final Router router;
    private final Tunnel tunnel;
    private final long timeoutMillis;
    private final GatewayStats stats;
    private final GatewayTelemetry telemetry;

    Dispatcher(Router router, Tunnel tunnel, SessionOptions options, GatewayStats stats, GatewayTelemetry telemetry) {
        this.router = router;
        this.tunnel = tunnel;
        this.timeoutMillis = options.requestTimeout().toMillis();
        this.stats = stats;
        this.telemetry = telemetry;
    }

    CompletableFuture<Packet> dispatch(DefaultSession session, Packet packet, EventExecutor loop) {
        CompletableFuture<Packet> result = new CompletableFuture<>();
        SessionInfo info = session.info();
        long start = System.nanoTime();
        Context trace = telemetry.startRequest(info, packet);
        result.whenComplete((r, t) -> {
            long nanos = System.nanoTime() - start;
            stats.tunnelLatency().record(nanos);
            telemetry.endRequest(trace, packet.getModule(), nanos, t);
        });
        ScheduledFuture<?> deadline = loop.schedule(() -> {
            result.completeExceptionally(RequestException.of(Reason.REQUEST_TIMEOUT,
                    "no answer from the game service within " + timeoutMillis + " ms"));
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        result.whenComplete((r, t) -> deadline.cancel(false));

        CompletionStage<ServiceInstance> routed;
        try (Scope scope = trace.makeCurrent(); SessionMdc.Scope mdc = SessionMdc.enter(info)) {
            routed = router.route(info, packet.getModule(), packet.getObj());
        } catch (RuntimeException e) {
            routed = CompletableFuture.failedFuture(e);
        }
        routed.whenComplete((instance, routeFailure) -> onLoop(loop, () -> {
            if (result.isDone()) {
                return;
            }
            if (routeFailure != null) {
                result.completeExceptionally(routeFailure);
                return;
            }
            if (!session.isActive()) {
                result.completeExceptionally(RequestException.of(Reason.SERVICE_UNAVAILABLE, "session closed"));
                return;
            }
            CompletionStage<Packet> answered;
            try (Scope scope = trace.makeCurrent(); SessionMdc.Scope mdc = SessionMdc.enter(info)) {
                answered = tunnel.request(info, instance, packet);
            } catch (RuntimeException e) {
                answered = CompletableFuture.failedFuture(e);
            }
            CompletionStage<Packet> tunnelStage = answered;
            // When the deadline wins, tell the tunnel, so that a request still queued is never run.
            result.whenComplete((r, t) -> {
                if (t != null) {
                    cancel(tunnelStage);
                }
            });
            answered.whenComplete((response, failure) -> onLoop(loop, () -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(response);
                }
            }));
        }));
        return result;
    }

    private static void cancel(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().cancel(false);
        } catch (UnsupportedOperationException e) {
            // A stage that cannot be cancelled just finishes unobserved.
        }
    }

    private static void onLoop(EventExecutor loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            try {
                loop.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The event loop is shutting down with the gateway; its sessions are gone.
            }
        }
    }
}
