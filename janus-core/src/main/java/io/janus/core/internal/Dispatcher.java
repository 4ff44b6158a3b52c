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
import io.janus.core.transport.RequestDeadlines;
import io.netty.util.concurrent.EventExecutor;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

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
    private final long timeoutNanos;
    private final GatewayStats stats;
    private final GatewayTelemetry telemetry;

    Dispatcher(Router router, Tunnel tunnel, SessionOptions options, GatewayStats stats, GatewayTelemetry telemetry) {
        this.router = router;
        this.tunnel = tunnel;
        this.timeoutMillis = options.requestTimeout().toMillis();
        this.timeoutNanos = options.requestTimeout().toNanos();
        this.stats = stats;
        this.telemetry = telemetry;
    }

    CompletableFuture<Packet> dispatch(DefaultSession session, Packet packet, EventExecutor loop) {
        SessionInfo info = session.info();
        Call call = new Call(session, info, packet, loop, telemetry.startRequest(info, packet));
        call.deadline = RequestDeadlines.start(loop, timeoutNanos, TimeUnit.NANOSECONDS, call);

        CompletionStage<ServiceInstance> routed;
        try (Scope scope = call.trace.makeCurrent(); SessionMdc.Scope mdc = SessionMdc.enter(info)) {
            routed = router.route(info, packet.getModule(), packet.getObj());
        } catch (RuntimeException e) {
            routed = CompletableFuture.failedFuture(e);
        }
        if (!call.takeIfDone(routed)) {
            routed.whenComplete(call);
        }
        return call;
    }

    /**
     * One request in flight, in one object: the future the session waits for, the deadline task, and
     * the callback of the router's and then the tunnel's stage. Before, each of these was a lambda, and
     * each {@code whenComplete} another future and completion node (about twenty objects a request;
     * fewer objects per request means fewer young collections, the pauses behind scenario 6's tail).
     * A stage that is already complete on the event loop, as the in-process router's and tunnel's
     * usually are, is read directly rather than through a callback.
     */
    private final class Call extends CompletableFuture<Packet> implements Runnable, BiConsumer<Object, Throwable> {
        final DefaultSession session;
        final SessionInfo info;
        final Packet packet;
        final EventExecutor loop;
        final Context trace;
        final long start = System.nanoTime();
        RequestDeadlines.Deadline deadline;
        /** The tunnel's stage, once asked; {@code null} while routing. Event loop only. */
        CompletionStage<Packet> answered;

        Call(DefaultSession session, SessionInfo info, Packet packet, EventExecutor loop, Context trace) {
            this.session = session;
            this.info = info;
            this.packet = packet;
            this.loop = loop;
            this.trace = trace;
        }

        /** The deadline: the request's only outcome if nothing came before it. */
        @Override
        public void run() {
            finish(null, RequestException.of(Reason.REQUEST_TIMEOUT,
                    "no answer from the game service within " + timeoutMillis + " ms"));
        }

        /** The router's, then the tunnel's stage completed, on any thread. */
        @Override
        public void accept(Object value, Throwable failure) {
            if (loop.inEventLoop()) {
                next(value, failure);
            } else {
                try {
                    loop.execute(() -> next(value, failure));
                } catch (RejectedExecutionException e) {
                    // The event loop is shutting down with the gateway; its sessions are gone.
                }
            }
        }

        /** Takes the outcome of a stage that is already complete on the event loop; false otherwise. */
        boolean takeIfDone(CompletionStage<?> stage) {
            if (!(stage instanceof CompletableFuture) || !loop.inEventLoop()) {
                return false;
            }
            CompletableFuture<?> f = (CompletableFuture<?>) stage;
            if (!f.isDone()) {
                return false;
            }
            Object value;
            try {
                value = f.getNow(null);
            } catch (CompletionException e) {
                next(null, e.getCause() != null ? e.getCause() : e);
                return true;
            } catch (CancellationException e) {
                next(null, e);
                return true;
            }
            next(value, null);
            return true;
        }

        /** On the event loop: the outcome of the stage in progress. */
        private void next(Object value, Throwable failure) {
            if (answered != null) {
                finish((Packet) value, failure);
            } else {
                routed((ServiceInstance) value, failure);
            }
        }

        private void routed(ServiceInstance instance, Throwable routeFailure) {
            if (isDone()) {
                return;
            }
            if (routeFailure != null) {
                finish(null, routeFailure);
                return;
            }
            if (!session.isActive()) {
                finish(null, RequestException.of(Reason.SERVICE_UNAVAILABLE, "session closed"));
                return;
            }
            CompletionStage<Packet> stage;
            try (Scope scope = trace.makeCurrent(); SessionMdc.Scope mdc = SessionMdc.enter(info)) {
                stage = tunnel.request(info, instance, packet);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            answered = stage;
            if (!takeIfDone(stage)) {
                stage.whenComplete(this);
            }
        }

        /**
         * Completes the request once: records it, cancels the deadline, and when the deadline (or a
         * failure) won, tells the tunnel, so that a request still queued is never run.
         */
        private void finish(Packet response, Throwable failure) {
            boolean won = failure == null ? complete(response) : completeExceptionally(failure);
            if (!won) {
                return;
            }
            long nanos = System.nanoTime() - start;
            stats.tunnelLatency().record(nanos);
            telemetry.endRequest(trace, packet.getModule(), nanos, failure);
            RequestDeadlines.Deadline d = deadline;
            if (d != null) {
                d.cancel();
            }
            CompletionStage<Packet> stage = answered;
            if (failure != null && stage != null) {
                cancelQuietly(stage);
            }
        }
    }

    private static void cancelQuietly(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().cancel(false);
        } catch (UnsupportedOperationException e) {
            // A stage that cannot be cancelled just finishes unobserved.
        }
    }
}
