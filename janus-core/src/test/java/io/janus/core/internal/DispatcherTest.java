package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.Router;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.Tunnel;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Dispatcher}: exactly one outcome per request (the answer, the failure, or
 * {@link Reason#REQUEST_TIMEOUT}), on the session's event loop, whether the router's and the tunnel's
 * stages complete at once (read directly) or later on another thread (through the callback); the
 * deadline cancelled once answered, the tunnel's stage cancelled once the deadline won. The router and
 * the tunnel are in-process stand-ins: neither talks to a network peer.
 */
class DispatcherTest {

    private static final GatewayIdentity IDENTITY =
            GatewayIdentity.generate(SigningKey.generate(), "dispatcher-test", Duration.ofHours(1));
    private static final ServiceInstance INSTANCE = ServiceInstance.of("echo", "echo-1", "inproc:echo", java.util.Map.of());
    private static final Packet REQUEST = Packet.newBuilder().setModule(7).setSeq(1).setIndex(3)
            .setBody(ByteString.copyFromUtf8("ping")).build();
    private static final Packet ANSWER = REQUEST.toBuilder().setBody(ByteString.copyFromUtf8("pong")).build();

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final GatewayStats stats = new GatewayStats();
    private DefaultEventLoop loop;
    private GatewayRuntime runtime;

    @AfterEach
    void close() throws Exception {
        channel.finishAndReleaseAll();
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private DefaultSession session(Router router, Tunnel tunnel, Duration timeout) {
        runtime = new GatewayRuntime("gw", IDENTITY, ClientAttestation.NONE,
                SessionOptions.builder().requestTimeout(timeout).build(), stats,
                request -> CompletableFuture.completedFuture(Identity.of(1)), router, tunnel, OpenTelemetry.noop());
        DefaultSession session = new DefaultSession(1, channel, "test", runtime);
        session.loggedIn(new SessionInfo(1, "gw", "test", "local", Identity.of(1)));
        return session;
    }

    private static Router router(CompletionStage<ServiceInstance> answer) {
        return (Router) java.lang.reflect.Proxy.newProxyInstance(DispatcherTest.class.getClassLoader(),
                new Class<?>[] {Router.class}, (proxy, method, args) -> method.getName().equals("route") ? answer : null);
    }

    private static Tunnel tunnel(CompletionStage<Packet> answer, AtomicInteger calls) {
        return (Tunnel) java.lang.reflect.Proxy.newProxyInstance(DispatcherTest.class.getClassLoader(),
                new Class<?>[] {Tunnel.class}, (proxy, method, args) -> {
                    if (method.getName().equals("request")) {
                        calls.incrementAndGet();
                        return answer;
                    }
                    return null;
                });
    }

    private static Reason reasonOf(Throwable t) {
        JanusException e = JanusException.find(t);
        return e == null ? null : e.reason();
    }

    @Test
    void stagesCompleteAtOnceAnswerAtOnceAndTheDeadlineIsCancelled() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DefaultSession session = session(router(CompletableFuture.completedFuture(INSTANCE)),
                tunnel(CompletableFuture.completedFuture(ANSWER), calls), Duration.ofSeconds(5));

        CompletableFuture<Packet> result = runtime.dispatcher()
                .dispatch(session, REQUEST, channel.eventLoop());

        assertThat(result).isCompletedWithValue(ANSWER);
        assertThat(calls).hasValue(1);
        assertThat(stats.tunnelLatency().count()).isOne();
        // The deadline was cancelled: when the loop's deadline timer fires it finds nothing due, and
        // nothing is left scheduled after it.
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
        assertThat(result).isCompletedWithValue(ANSWER);
        assertThat(stats.tunnelLatency().count()).isOne();
    }

    @Test
    void theDeadlineWinsOnceAndCancelsTheTunnelsStage() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Packet> never = new CompletableFuture<>();
        DefaultSession session = session(router(CompletableFuture.completedFuture(INSTANCE)),
                tunnel(never, calls), Duration.ofMillis(200));

        CompletableFuture<Packet> result = runtime.dispatcher()
                .dispatch(session, REQUEST, channel.eventLoop());
        assertThat(result).isNotDone();
        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThatThrownBy(result::join).satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.REQUEST_TIMEOUT));
        assertThat(never).isCancelled();
        // A late answer changes nothing.
        assertThat(result.complete(ANSWER)).isFalse();
        assertThat(stats.tunnelLatency().count()).isOne();
    }

    @Test
    void aFailedRouteIsTheOutcomeAndTheTunnelIsNotAsked() {
        AtomicInteger calls = new AtomicInteger();
        DefaultSession session = session(
                router(CompletableFuture.failedFuture(RequestException.of(Reason.SERVICE_UNAVAILABLE, "no instance"))),
                tunnel(CompletableFuture.completedFuture(ANSWER), calls), Duration.ofSeconds(5));

        CompletableFuture<Packet> result = runtime.dispatcher()
                .dispatch(session, REQUEST, channel.eventLoop());

        assertThatThrownBy(result::join).satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.SERVICE_UNAVAILABLE));
        assertThat(calls).hasValue(0);
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
        assertThat(stats.tunnelLatency().count()).isOne();
    }

    @Test
    void stagesCompletedLaterOnAnotherThreadAnswerOnTheEventLoop() throws Exception {
        loop = new DefaultEventLoop();
        CompletableFuture<ServiceInstance> route = new CompletableFuture<>();
        CompletableFuture<Packet> answer = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        DefaultSession session = session(router(route), tunnel(answer, calls), Duration.ofSeconds(5));
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        Thread loopThread = loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);

        CompletableFuture<Packet> result = loop.submit(() -> runtime.dispatcher()
                .dispatch(session, REQUEST, loop)).get(5, TimeUnit.SECONDS);
        CompletableFuture<Packet> observed = result.whenComplete((r, t) -> completedOn.set(Thread.currentThread()));

        route.complete(INSTANCE); // from the test thread
        Thread other = new Thread(() -> answer.complete(ANSWER));
        // The routed callback hops to the loop, which then asks the tunnel: wait for it, 5 s at most.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(calls).hasValue(1));
        assertThat(result).isNotDone();
        other.start();
        assertThat(observed.get(5, TimeUnit.SECONDS)).isEqualTo(ANSWER);
        other.join(5_000);
        assertThat(completedOn.get()).isSameAs(loopThread);
    }

    @Test
    void aTunnelThatThrowsFailsTheRequest() {
        DefaultSession session = session(router(CompletableFuture.completedFuture(INSTANCE)),
                (Tunnel) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Tunnel.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("request")) {
                                throw RequestException.of(Reason.OVERLOADED, "busy");
                            }
                            return null;
                        }), Duration.ofSeconds(5));

        CompletableFuture<Packet> result = runtime.dispatcher()
                .dispatch(session, REQUEST, channel.eventLoop());

        assertThatThrownBy(() -> result.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.OVERLOADED));
    }
}
