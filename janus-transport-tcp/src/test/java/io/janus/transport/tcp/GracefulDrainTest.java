package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.JanusClient;
import io.janus.client.SessionClosedException;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.GatewayListener;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.SessionOptions;
import io.janus.core.admin.AdminOptions;
import io.janus.core.game.GameHandlers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful drain with clients connected: the gateway turns not ready, stops accepting, refuses new
 * requests with SERVER_DRAIN, lets the requests in flight finish and answers them, and only then kicks
 * each client with SERVER_DRAIN and the address to reconnect to; a request that never finishes is cut
 * at the drain timeout, and the drain still ends within it. Stop and drain may be called in any order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GracefulDrainTest {

    private static final String TOKEN = "drain-token";
    private static final String RECONNECT = "127.0.0.1:17000";
    /** A blocking handler that waits for the test's gate; counts its starts in {@link #started}. */
    private static final int GATED = 1;
    /** An async handler that never answers. */
    private static final int NEVER = 2;
    private static final int SLOW_MODULE = 2;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Semaphore started = new Semaphore(0);
    private final List<CompletableFuture<ByteString>> never = new CopyOnWriteArrayList<>();
    private final List<String> lifecycle = new CopyOnWriteArrayList<>();
    private JanusClient client;
    private Gateway gateway;

    @BeforeEach
    void client() {
        client = TestKeys.client().requestTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterEach
    void stop() {
        gate.countDown();
        if (gateway != null) {
            gateway.close();
        }
        client.close();
    }

    private GameHandlers handlers() {
        return GameHandlers.builder()
                .onNonBlocking(TestGame.MODULE, TestGame.ECHO, request -> request.body())
                .on(SLOW_MODULE, GATED, TestGame.gated(started, gate))
                .onAsync(SLOW_MODULE, NEVER, request -> {
                    CompletableFuture<ByteString> answer = new CompletableFuture<>();
                    never.add(answer);
                    started.release();
                    return answer;
                })
                .build();
    }

    private Gateway start(Duration drainTimeout) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(handlers())
                // Longer than any drain here: requests end by their answer or by the drain, not by this.
                .sessionOptions(SessionOptions.builder().requestTimeout(Duration.ofSeconds(60)).build())
                .admin(AdminOptions.builder().bearerToken(TOKEN).build())
                .drainTimeout(drainTimeout)
                .shutdownTimeout(Duration.ofSeconds(2))
                .workerThreads(2)
                .listener(new GatewayListener() {
                    @Override
                    public void started(Gateway g) {
                        lifecycle.add("started");
                    }

                    @Override
                    public void stopping(Gateway g) {
                        lifecycle.add("stopping");
                    }

                    @Override
                    public void stopped(Gateway g) {
                        lifecycle.add("stopped");
                    }
                })
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        return gateway;
    }

    private ClientSession connect(long player) {
        return client.connect(gateway.address("tcp"), "player-" + player).orTimeout(10, TimeUnit.SECONDS).join();
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        InetSocketAddress admin = gateway.adminAddress();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Reason reasonOf(Throwable t) {
        JanusException known = JanusException.find(t);
        return known == null ? null : known.reason();
    }

    @Test
    void inFlightRequestsFinishThenEveryClientGetsTheDrainNoticeWithTheReconnectAddress() throws Exception {
        start(Duration.ofSeconds(20));
        List<ClientSession> idle = new ArrayList<>();
        for (long player = 1; player <= 3; player++) {
            idle.add(connect(player));
        }
        ClientSession busyA = connect(10);
        ClientSession busyB = connect(11);
        CompletableFuture<ByteString> answerA = busyA.request(SLOW_MODULE, GATED, ByteString.copyFromUtf8("a"));
        CompletableFuture<ByteString> answerB1 = busyB.request(SLOW_MODULE, GATED, ByteString.copyFromUtf8("b1"));
        CompletableFuture<ByteString> answerB2 = busyB.request(SLOW_MODULE, GATED, ByteString.copyFromUtf8("b2"));
        // A's and B's first requests are running; B's second waits behind B's first (one at a time per session).
        assertThat(started.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();
        // What each busy client had received when its session closed.
        CompletableFuture<Boolean> answeredBeforeKickA = busyA.closeFuture().thenApply(r -> answered(answerA));
        CompletableFuture<Boolean> answeredBeforeKickB = busyB.closeFuture()
                .thenApply(r -> answered(answerB1) && answered(answerB2));

        HttpResponse<String> accepted = admin("POST", "/drain?reconnectAddress=" + RECONNECT);
        assertThat(accepted.statusCode()).isEqualTo(202);

        // Idle clients are kicked at once, with the reconnect address.
        for (ClientSession session : idle) {
            CloseReason closed = session.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(closed.reason()).isEqualTo(Reason.SERVER_DRAIN);
            assertThat(closed.reconnectAddress()).isEqualTo(RECONNECT);
            assertThat(closed.message()).contains(RECONNECT);
            assertThat(closed.byServer()).isTrue();
        }
        // Not ready, not accepting; the admin endpoint still answers.
        assertThat(gateway.state()).isEqualTo(Gateway.State.DRAINING);
        assertThat(gateway.isReady()).isFalse();
        HttpResponse<String> ready = admin("GET", "/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"ready\":false", "\"state\":\"draining\"");
        assertThat(admin("GET", "/metrics").body()).contains("\njanus_ready 0\n");
        assertThat(admin("GET", "/health").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> client.connect(gateway.address("tcp"), "player-99")
                .orTimeout(10, TimeUnit.SECONDS).join()).isInstanceOf(CompletionException.class);

        // The busy sessions stay until their requests are answered; new requests are refused.
        assertThat(busyA.isActive()).isTrue();
        assertThat(busyB.isActive()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            CompletableFuture<ByteString> late = busyA.request(TestGame.MODULE, TestGame.ECHO, ByteString.EMPTY);
            return reasonOf(late.handle((v, t) -> t).orTimeout(10, TimeUnit.SECONDS).join()) == Reason.SERVER_DRAIN;
        });
        assertThatThrownBy(() -> busyB.request(TestGame.MODULE, TestGame.ECHO, ByteString.EMPTY)
                .orTimeout(10, TimeUnit.SECONDS).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(RequestException.class)
                .satisfies(t -> assertThat(((RequestException) t).reason()).isEqualTo(Reason.SERVER_DRAIN));
        assertThat(answerA).isNotDone();
        assertThat(answerB2).isNotDone();

        gate.countDown();

        // Every request in flight was answered, and answered before its session's kick.
        assertThat(answerA.orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("a");
        assertThat(answerB1.orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("b1");
        assertThat(answerB2.orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("b2");
        for (ClientSession busy : List.of(busyA, busyB)) {
            CloseReason closed = busy.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(closed.reason()).isEqualTo(Reason.SERVER_DRAIN);
            assertThat(closed.reconnectAddress()).isEqualTo(RECONNECT);
        }
        assertThat(answeredBeforeKickA.join()).isTrue();
        assertThat(answeredBeforeKickB.join()).isTrue();

        gateway.terminationFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(gateway.state()).isEqualTo(Gateway.State.STOPPED);
        assertThat(gateway.stats().sessionsClosed(Reason.SERVER_DRAIN)).isEqualTo(5);
        assertThat(gateway.stats().requestsFailed(Reason.SERVER_DRAIN)).isGreaterThanOrEqualTo(2);
        assertThat(lifecycle).containsExactly("started", "stopping", "stopped");
    }

    private static boolean answered(CompletableFuture<ByteString> answer) {
        return answer.isDone() && !answer.isCompletedExceptionally();
    }

    @Test
    void aRequestThatNeverFinishesIsCutAtTheDrainTimeoutAndTheDrainEndsWithinIt() {
        Duration drainTimeout = Duration.ofMillis(1500);
        start(drainTimeout);
        ClientSession idle = connect(1);
        ClientSession stuck = connect(2);
        CompletableFuture<ByteString> neverAnswered = stuck.request(SLOW_MODULE, NEVER, ByteString.EMPTY);
        CompletableFuture<ByteString> answered = stuck.request(TestGame.MODULE, TestGame.ECHO,
                ByteString.copyFromUtf8("before"));
        assertThat(answered.orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("before");
        try {
            assertThat(started.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }

        long t0 = System.nanoTime();
        CompletableFuture<Void> drained = gateway.drain(RECONNECT);

        CloseReason idleClosed = idle.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(idleClosed.reason()).isEqualTo(Reason.SERVER_DRAIN);
        assertThat(idleMillis).as("the idle client is kicked at once").isLessThan(drainTimeout.toMillis());

        CloseReason stuckClosed = stuck.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        long stuckMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(stuckClosed.reason()).isEqualTo(Reason.SERVER_DRAIN);
        assertThat(stuckClosed.reconnectAddress()).isEqualTo(RECONNECT);
        assertThat(stuckMillis).as("the stuck client is kicked at the drain timeout")
                .isBetween(drainTimeout.toMillis() - 100, drainTimeout.toMillis() + 3000);
        Throwable failure = neverAnswered.handle((v, t) -> t).join();
        assertThat(failure).isInstanceOf(CompletionException.class).hasCauseInstanceOf(SessionClosedException.class);
        assertThat(reasonOf(failure)).isEqualTo(Reason.SERVER_DRAIN);

        drained.orTimeout(10, TimeUnit.SECONDS).join();
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(drainMillis).as("the whole drain, releasing the gateway's resources included")
                .isLessThan(drainTimeout.toMillis() + 3000);
        assertThat(gateway.state()).isEqualTo(Gateway.State.STOPPED);
        assertThat(gateway.stats().sessionsClosed(Reason.SERVER_DRAIN)).isEqualTo(2);
        never.forEach(f -> f.complete(ByteString.EMPTY)); // answered after its session is gone: dropped
    }

    @Test
    void drainAndStopShareOneFutureInEitherOrder() throws Exception {
        start(Duration.ofSeconds(20));
        ClientSession busy = connect(1);
        CompletableFuture<ByteString> answer = busy.request(SLOW_MODULE, GATED, ByteString.copyFromUtf8("x"));
        assertThat(started.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> drained = gateway.drain(RECONNECT);
        assertThat(gateway.drain()).isSameAs(drained);
        // A stop during a drain does not cut it short: it waits for the same end.
        CompletableFuture<Void> stopped = gateway.stop();
        assertThat(stopped).isSameAs(drained);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.state() == Gateway.State.DRAINING);
        assertThat(drained).isNotDone();
        assertThat(busy.isActive()).isTrue();

        gate.countDown();
        assertThat(answer.orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("x");
        assertThat(busy.closeFuture().orTimeout(10, TimeUnit.SECONDS).join().reason()).isEqualTo(Reason.SERVER_DRAIN);
        drained.orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(gateway.drain()).isSameAs(drained).isDone();
        assertThat(lifecycle).containsExactly("started", "stopping", "stopped");
    }

    @Test
    void drainAfterStopChangesNothing() {
        start(Duration.ofSeconds(20));
        ClientSession session = connect(1);

        CompletableFuture<Void> stopped = gateway.stop();
        assertThat(gateway.drain(RECONNECT)).isSameAs(stopped);

        stopped.orTimeout(10, TimeUnit.SECONDS).join();
        CloseReason closed = session.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(closed.reason()).isEqualTo(Reason.SERVER_SHUTDOWN);
        assertThat(closed.reconnectAddress()).isEmpty();
        assertThat(gateway.drain()).isSameAs(stopped);
        assertThat(lifecycle).containsExactly("started", "stopping", "stopped");
    }

    @Test
    void drainBeforeStartJustStops() {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(handlers())
                .admin(AdminOptions.defaults())
                .build();

        gateway.drain().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(gateway.state()).isEqualTo(Gateway.State.STOPPED);
        assertThat(gateway.isReady()).isFalse();
        assertThatThrownBy(() -> gateway.start().orTimeout(10, TimeUnit.SECONDS).join())
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped before it started");
    }
}
