package io.janus.core.tunnel;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.GameRequest;
import io.janus.core.game.Pusher;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.internal.SerialExecutor;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.Tunnel;
import io.janus.core.telemetry.SessionMdc;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Tunnel}: calls game handlers embedded in the gateway's JVM. An instance address
 * {@code inproc:NAME} names the embedded service. Blocking handlers run on the blocking executor, one
 * request of a session at a time; non-blocking and asynchronous handlers run on the calling event loop.
 */
public final class InProcessTunnel implements Tunnel {

    /** The address scheme of embedded services. */
    public static final String SCHEME = "inproc:";

    private static final RateLimitedLog handlerFailures =
            new RateLimitedLog(LoggerFactory.getLogger(InProcessTunnel.class), 10);

    /** The services by their {@link #address}, so that a request finds its service without a substring. */
    private final Map<String, GameHandlers> byAddress;
    private final Pusher pusher;
    private final Executor blockingExecutor;
    private final int maxQueuedPerSession;
    private final Map<Long, SessionState> sessions = new ConcurrentHashMap<>();

    /** What the tunnel holds for one session: its serial queue and the services it reached. */
    private final class SessionState {
        final SerialExecutor serial = new SerialExecutor(blockingExecutor, maxQueuedPerSession);
        final java.util.Set<GameHandlers> used = ConcurrentHashMap.newKeySet();
    }

    /**
     * Creates a tunnel.
     *
     * @param services the embedded services by name
     * @param pusher given to handlers
     * @param blockingExecutor where blocking handlers run; not shut down by the tunnel
     * @param maxQueuedPerSession how many requests of one session may wait for a blocking handler
     */
    public InProcessTunnel(Map<String, GameHandlers> services, Pusher pusher, Executor blockingExecutor,
            int maxQueuedPerSession) {
        Map<String, GameHandlers> addresses = new java.util.HashMap<>();
        services.forEach((name, handlers) -> addresses.put(address(name), handlers));
        this.byAddress = Map.copyOf(addresses);
        this.pusher = requireNonNull(pusher, "pusher");
        this.blockingExecutor = requireNonNull(blockingExecutor, "blockingExecutor");
        this.maxQueuedPerSession = maxQueuedPerSession;
    }

    /**
     * The address of an embedded service.
     *
     * @param service the service name
     * @return {@code inproc:} followed by the name
     */
    public static String address(String service) {
        return SCHEME + service;
    }

    @Override
    public CompletionStage<Packet> request(SessionInfo session, ServiceInstance instance, Packet packet) {
        GameHandlers handlers = byAddress.get(instance.address());
        if (handlers == null) {
            return CompletableFuture.failedFuture(RequestException.of(Reason.SERVICE_UNAVAILABLE,
                    "no embedded service at " + instance.address()));
        }
        GameHandlers.Entry entry = handlers.find(packet.getModule(), packet.getSeq());
        if (entry == null) {
            return CompletableFuture.failedFuture(RequestException.of(Reason.HANDLER_NOT_FOUND,
                    "service '" + instance.service() + "' has no handler for module " + packet.getModule()
                            + " seq " + packet.getSeq()));
        }
        // The per-session state serves blocking handlers (their queue) and session-closed listeners
        // (which services to tell); a request needing neither, as most non-blocking games' do, skips
        // the two map lookups (3% of the gateway's CPU in the echo benchmark, mostly cache misses).
        SessionState state = entry.mode() == GameHandlers.Mode.BLOCKING
                || !handlers.sessionClosedListeners().isEmpty() ? stateOf(session, handlers) : null;
        GameRequest request = new GameRequest(session, packet.getModule(), packet.getSeq(), packet.getIndex(),
                packet.getObj(), packet.getBody(), pusher);
        switch (entry.mode()) {
            case NON_BLOCKING:
                try {
                    return CompletableFuture.completedFuture(invoke(entry, request, packet));
                } catch (JanusException e) {
                    return CompletableFuture.failedFuture(e);
                }
            case ASYNC:
                return invokeAsync(entry, request, packet);
            default:
                return invokeBlocking(state.serial, entry, request, packet);
        }
    }

    private SessionState stateOf(SessionInfo session, GameHandlers handlers) {
        // Read first: on every request after a session's first this finds the state without locking a
        // bin of the map, and the set without writing to it.
        SessionState state = sessions.get(session.sessionId());
        if (state == null) {
            state = sessions.computeIfAbsent(session.sessionId(), id -> new SessionState());
        }
        if (!state.used.contains(handlers)) {
            state.used.add(handlers);
        }
        return state;
    }

    /** Runs a synchronous handler; its failure comes out as the JanusException the client gets. */
    private static Packet invoke(GameHandlers.Entry entry, GameRequest request, Packet packet) {
        try {
            ByteString body = entry.handler().handle(request);
            return response(packet, requireNonNull(body, "a game handler returned null"));
        } catch (Throwable t) {
            throw mapFailure(t, request);
        }
    }

    private static CompletionStage<Packet> invokeAsync(GameHandlers.Entry entry, GameRequest request,
            Packet packet) {
        CompletionStage<ByteString> stage;
        try {
            stage = requireNonNull(entry.asyncHandler().handle(request), "an async game handler returned null");
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(mapFailure(t, request));
        }
        CompletableFuture<Packet> result = new CompletableFuture<>();
        stage.whenComplete((body, failure) -> {
            if (failure != null) {
                result.completeExceptionally(mapFailure(failure, request));
            } else if (body == null) {
                result.completeExceptionally(mapFailure(
                        new NullPointerException("an async game handler completed with null"), request));
            } else {
                result.complete(response(packet, body));
            }
        });
        return result;
    }

    private static CompletionStage<Packet> invokeBlocking(SerialExecutor serial, GameHandlers.Entry entry,
            GameRequest request, Packet packet) {
        CompletableFuture<Packet> result = new CompletableFuture<>();
        // The request's trace context follows it to the blocking thread, as the MDC does.
        Context trace = Context.current();
        SerialExecutor.Rejectable task = new SerialExecutor.Rejectable() {
            @Override
            public void run() {
                if (result.isDone()) {
                    return; // cancelled while queued (the request timed out): run nothing for nobody
                }
                try (Scope scope = trace.makeCurrent(); SessionMdc.Scope mdc = SessionMdc.enter(request.session())) {
                    result.complete(invoke(entry, request, packet));
                } catch (JanusException e) {
                    result.completeExceptionally(e);
                }
            }

            @Override
            public void reject(RejectedExecutionException cause) {
                result.completeExceptionally(RequestException.of(Reason.OVERLOADED,
                        "the game's blocking executor refused the request"));
            }
        };
        try {
            serial.execute(task);
        } catch (RejectedExecutionException e) {
            task.reject(e);
        }
        return result;
    }

    private static Packet response(Packet request, ByteString body) {
        return Packet.newBuilder()
                .setModule(request.getModule())
                .setSeq(request.getSeq())
                .setIndex(request.getIndex())
                .setObj(request.getObj())
                .setBody(body)
                .build();
    }

    private static JanusException mapFailure(Throwable t, GameRequest request) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof JanusException) {
            return (JanusException) cause;
        }
        handlerFailures.warn("Game handler for module {} seq {} failed (session {})",
                request.module(), request.seq(), request.session().sessionId(), cause);
        return RequestException.of(Reason.INTERNAL_ERROR, "the game handler failed");
    }

    @Override
    public void sessionClosed(SessionInfo session) {
        SessionState state = sessions.remove(session.sessionId());
        if (state == null) {
            return; // the session never reached an embedded service
        }
        for (GameHandlers handlers : state.used) {
            for (java.util.function.Consumer<SessionInfo> listener : handlers.sessionClosedListeners()) {
                SerialExecutor.Rejectable task = new SerialExecutor.Rejectable() {
                    @Override
                    public void run() {
                        try (SessionMdc.Scope mdc = SessionMdc.enter(session)) {
                            listener.accept(session);
                        } catch (RuntimeException e) {
                            handlerFailures.warn("Session-closed listener failed (session {})",
                                    session.sessionId(), e);
                        }
                    }

                    @Override
                    public void reject(RejectedExecutionException cause) {
                        handlerFailures.warn("Session-closed listener not run (session {}): executor refused",
                                session.sessionId());
                    }
                };
                try {
                    // Behind the session's queued requests, so game code sees the close last.
                    state.serial.execute(task);
                } catch (RejectedExecutionException e) {
                    task.reject(e);
                }
            }
        }
    }

    @Override
    public void close() {
        sessions.clear();
    }
}
