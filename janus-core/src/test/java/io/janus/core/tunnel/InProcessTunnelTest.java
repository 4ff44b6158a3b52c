package io.janus.core.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.RequestException;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.GameRequest;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.ServiceInstance;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InProcessTunnel}: the three handler modes, the failures a client can receive, per-session order
 * of blocking handlers and overload.
 */
class InProcessTunnelTest {

    private static final int MODULE = 3;
    private static final int BLOCKING = 1;
    private static final int NON_BLOCKING = 2;
    private static final int ASYNC = 3;
    private static final int GAME_FAILURE = 4;
    private static final int CRASH = 5;
    private static final int RELEASE = 8;
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** A pusher that delivers nothing; handlers only need one to exist. */
    private static final class NoPusher implements Pusher {
        @Override
        public CompletionStage<Boolean> pushToPlayer(long playerId, Push push) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Boolean> pushToSession(long sessionId, Push push) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Boolean> kick(long playerId, Reason reason, String message) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Integer> broadcast(Push push, io.janus.core.game.Audience audience) {
            return CompletableFuture.completedFuture(0);
        }

        @Override
        public CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message) {
            return CompletableFuture.completedFuture(false);
        }
    }

    private final Pusher pusher = new NoPusher();
    private final ExecutorService blocking = Executors.newFixedThreadPool(4);
    private final ServiceInstance game =
            ServiceInstance.of("game", "game-1", InProcessTunnel.address("game"), Map.of());

    @AfterEach
    void shutdown() {
        blocking.shutdownNow();
    }

    private static SessionInfo session(long id) {
        return new SessionInfo(id, "gw", "tcp", "127.0.0.1:1", Identity.of(1000 + id, 0, Identity.DEFAULT_COLOR));
    }

    private static Packet request(int seq, int index) {
        return Packet.newBuilder()
                .setModule(MODULE)
                .setSeq(seq)
                .setIndex(index)
                .setObj(77)
                .setBody(ByteString.copyFromUtf8("ping"))
                .build();
    }

    /** The answer a handler gives: what it saw, so the test can check the request reached it intact. */
    private static ByteString describe(String mode, GameRequest r) {
        return ByteString.copyFromUtf8(mode + " player=" + r.playerId() + " module=" + r.module() + " seq=" + r.seq()
                + " index=" + r.index() + " obj=" + r.obj() + " body=" + r.body().toStringUtf8());
    }

    private InProcessTunnel tunnel(GameHandlers handlers) {
        return new InProcessTunnel(Map.of("game", handlers), pusher, blocking, 256);
    }

    private static Packet answer(CompletionStage<Packet> stage) {
        assertThat(stage.toCompletableFuture()).succeedsWithin(WAIT);
        return stage.toCompletableFuture().join();
    }

    private static RequestException failure(CompletionStage<Packet> stage) {
        assertThat(stage.toCompletableFuture()).failsWithin(WAIT);
        Throwable thrown = catchThrowable(() -> stage.toCompletableFuture().join());
        assertThat(thrown.getCause()).isInstanceOf(RequestException.class);
        return (RequestException) thrown.getCause();
    }

    private static void assertEchoes(Packet response, Packet request, String body) {
        assertThat(response.getModule()).isEqualTo(request.getModule());
        assertThat(response.getSeq()).isEqualTo(request.getSeq());
        assertThat(response.getIndex()).isEqualTo(request.getIndex());
        assertThat(response.getObj()).isEqualTo(request.getObj());
        assertThat(response.getStatus()).isZero();
        assertThat(response.getBody().toStringUtf8()).isEqualTo(body);
    }

    @Test
    void sessionClosedListenersRunAfterTheSessionsQueuedRequests() throws InterruptedException {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch closedSeen = new CountDownLatch(1);
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .on(MODULE, BLOCKING, r -> {
                    release.await(5, TimeUnit.SECONDS);
                    events.add("request " + r.index());
                    return ByteString.EMPTY;
                })
                .onSessionClosed(info -> {
                    events.add("closed " + info.sessionId());
                    closedSeen.countDown();
                })
                .build());
        SessionInfo session = session(1);
        CompletionStage<Packet> first = tunnel.request(session, game, request(BLOCKING, 1));
        CompletionStage<Packet> second = tunnel.request(session, game, request(BLOCKING, 2));

        tunnel.sessionClosed(session);
        release.countDown();

        assertThat(closedSeen.await(5, TimeUnit.SECONDS)).isTrue();
        answer(first);
        answer(second);
        assertThat(events).containsExactly("request 1", "request 2", "closed 1");
    }

    @Test
    void sessionsThatNeverReachedTheServiceAreNotReported() throws InterruptedException {
        AtomicInteger closed = new AtomicInteger();
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .onNonBlocking(MODULE, NON_BLOCKING, r -> ByteString.EMPTY)
                .onSessionClosed(info -> closed.incrementAndGet())
                .build());
        tunnel.request(session(1), game, request(NON_BLOCKING, 1));

        tunnel.sessionClosed(session(2));
        tunnel.sessionClosed(session(1));

        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> closed.get() == 1);
        org.awaitility.Awaitility.await().during(Duration.ofMillis(200)).atMost(WAIT)
                .until(() -> closed.get() == 1);
    }

    @Test
    void blockingHandlerAnswersFromTheBlockingExecutor() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Pusher> givenPusher = new AtomicReference<>();
        InProcessTunnel tunnel = tunnel(GameHandlers.builder().on(MODULE, BLOCKING, r -> {
            ranOn.set(Thread.currentThread());
            givenPusher.set(r.pusher());
            return describe("blocking", r);
        }).build());
        Packet request = request(BLOCKING, 9);

        Packet response = answer(tunnel.request(session(1), game, request));

        assertEchoes(response, request, "blocking player=1001 module=3 seq=1 index=9 obj=77 body=ping");
        assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
        assertThat(givenPusher.get()).isSameAs(pusher);
    }

    @Test
    void nonBlockingHandlerAnswersOnTheCallingThread() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        InProcessTunnel tunnel = tunnel(GameHandlers.builder().onNonBlocking(MODULE, NON_BLOCKING, r -> {
            ranOn.set(Thread.currentThread());
            return describe("non-blocking", r);
        }).build());
        Packet request = request(NON_BLOCKING, 10);

        CompletionStage<Packet> stage = tunnel.request(session(2), game, request);

        assertThat(stage.toCompletableFuture()).isDone();
        assertEchoes(answer(stage), request, "non-blocking player=1002 module=3 seq=2 index=10 obj=77 body=ping");
        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void asyncHandlerAnswersWhenItsStageCompletes() {
        CompletableFuture<ByteString> later = new CompletableFuture<>();
        AtomicReference<GameRequest> seen = new AtomicReference<>();
        InProcessTunnel tunnel = tunnel(GameHandlers.builder().onAsync(MODULE, ASYNC, r -> {
            seen.set(r);
            return later;
        }).build());
        Packet request = request(ASYNC, 11);

        CompletionStage<Packet> stage = tunnel.request(session(3), game, request);
        assertThat(stage.toCompletableFuture()).isNotDone();
        later.complete(describe("async", seen.get()));

        assertEchoes(answer(stage), request, "async player=1003 module=3 seq=3 index=11 obj=77 body=ping");
    }

    @Test
    void unknownCommandIsHandlerNotFound() {
        InProcessTunnel tunnel = tunnel(GameHandlers.builder().on(MODULE, BLOCKING, r -> ByteString.EMPTY).build());

        RequestException e = failure(tunnel.request(session(1), game, request(99, 1)));

        assertThat(e.reason()).isEqualTo(Reason.HANDLER_NOT_FOUND);
        assertThat(e.getMessage()).contains("module 3 seq 99");
    }

    @Test
    void addressWithoutEmbeddedServiceIsUnavailable() {
        InProcessTunnel tunnel = tunnel(GameHandlers.builder().on(MODULE, BLOCKING, r -> ByteString.EMPTY).build());
        ServiceInstance unknown = ServiceInstance.of("game", "game-2", InProcessTunnel.address("elsewhere"), Map.of());
        ServiceInstance remote = ServiceInstance.of("game", "game-3", "10.0.0.5:9000", Map.of());

        assertThat(failure(tunnel.request(session(1), unknown, request(BLOCKING, 1))).reason())
                .isEqualTo(Reason.SERVICE_UNAVAILABLE);
        assertThat(failure(tunnel.request(session(1), remote, request(BLOCKING, 1))).reason())
                .isEqualTo(Reason.SERVICE_UNAVAILABLE);
    }

    @Test
    void blockingHandlerThrowingAGameStatusFailsWithThatStatus() {
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .on(MODULE, GAME_FAILURE, r -> {
                    throw RequestException.game(1001, "x");
                })
                .build());

        RequestException e = failure(tunnel.request(session(1), game, request(GAME_FAILURE, 1)));

        assertThat(e.status()).isEqualTo(1001);
        assertThat(e.reason()).isEqualTo(Reason.GAME_ERROR);
        assertThat(e.getMessage()).isEqualTo("x");
    }

    @Test
    void asyncHandlerFailingWithAGameStatusFailsWithThatStatus() {
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .onAsync(MODULE, GAME_FAILURE, r -> CompletableFuture.failedFuture(RequestException.game(1002, "y")))
                .build());

        assertThat(failure(tunnel.request(session(1), game, request(GAME_FAILURE, 1))).status()).isEqualTo(1002);
    }

    @Test
    void nonBlockingHandlerThrowingAGameStatusFailsTheStage() {
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .onNonBlocking(MODULE, GAME_FAILURE, r -> {
                    throw RequestException.game(1001, "x");
                })
                .build());

        CompletionStage<Packet> stage = tunnel.request(session(1), game, request(GAME_FAILURE, 1));

        assertThat(failure(stage).status()).isEqualTo(1001);
    }

    @Test
    void handlerThrowingAnythingElseIsInternalError() {
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .on(MODULE, CRASH, r -> {
                    throw new IllegalStateException("bug in game code");
                })
                .onAsync(MODULE, CRASH + 1, r -> {
                    throw new IllegalStateException("bug in async game code");
                })
                .onAsync(MODULE, CRASH + 2, r -> CompletableFuture.failedFuture(new java.io.IOException("db down")))
                .build());

        for (int seq = CRASH; seq <= CRASH + 2; seq++) {
            RequestException e = failure(tunnel.request(session(1), game, request(seq, 1)));
            assertThat(e.reason()).as("seq %s", seq).isEqualTo(Reason.INTERNAL_ERROR);
            assertThat(e.getMessage()).as("the game's message stays in the log").doesNotContain("bug", "db");
        }
    }

    @Test
    void handlerAnsweringNullIsInternalError() {
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .on(MODULE, BLOCKING, r -> null)
                .onAsync(MODULE, ASYNC, r -> CompletableFuture.completedFuture(null))
                .build());

        assertThat(failure(tunnel.request(session(1), game, request(BLOCKING, 1))).reason())
                .isEqualTo(Reason.INTERNAL_ERROR);
        assertThat(failure(tunnel.request(session(1), game, request(ASYNC, 2))).reason())
                .isEqualTo(Reason.INTERNAL_ERROR);
    }

    @Test
    void blockingHandlersOfOneSessionRunInOrder() {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        InProcessTunnel tunnel = tunnel(GameHandlers.builder().on(MODULE, BLOCKING, r -> {
            order.add(r.index());
            return ByteString.EMPTY;
        }).build());
        SessionInfo session = session(1);

        List<CompletableFuture<Packet>> answers = new ArrayList<>();
        for (int index = 1; index <= 200; index++) {
            answers.add(tunnel.request(session, game, request(BLOCKING, index)).toCompletableFuture());
        }

        assertThat(CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
        assertThat(order).isEqualTo(IntStream.rangeClosed(1, 200).boxed().toList());
    }

    @Test
    void blockingHandlersOfDifferentSessionsRunInParallel() {
        CountDownLatch otherSessionRan = new CountDownLatch(1);
        InProcessTunnel tunnel = tunnel(GameHandlers.builder()
                .on(MODULE, BLOCKING, r -> {
                    // Session 1 waits for session 2: serialising all sessions would time this out.
                    boolean released = otherSessionRan.await(5, TimeUnit.SECONDS);
                    return ByteString.copyFromUtf8(Boolean.toString(released));
                })
                .on(MODULE, RELEASE, r -> {
                    otherSessionRan.countDown();
                    return ByteString.EMPTY;
                })
                .build());

        CompletionStage<Packet> first = tunnel.request(session(1), game, request(BLOCKING, 1));
        CompletionStage<Packet> second = tunnel.request(session(2), game, request(RELEASE, 1));

        answer(second);
        assertThat(answer(first).getBody().toStringUtf8()).isEqualTo("true");
    }

    @Test
    void blockingExecutorThatRejectsMeansOverloaded() {
        Executor refusing = command -> {
            throw new RejectedExecutionException("pool saturated");
        };
        AtomicInteger calls = new AtomicInteger();
        InProcessTunnel tunnel = new InProcessTunnel(Map.of("game", GameHandlers.builder()
                .on(MODULE, BLOCKING, r -> {
                    calls.incrementAndGet();
                    return ByteString.EMPTY;
                }).build()), pusher, refusing, 16);

        RequestException e = failure(tunnel.request(session(1), game, request(BLOCKING, 1)));

        assertThat(e.reason()).isEqualTo(Reason.OVERLOADED);
        assertThat(calls.get()).isZero();
    }

    @Test
    void sessionOverItsQueueBoundIsOverloaded() {
        Queue<Runnable> parked = new ArrayDeque<>();
        InProcessTunnel tunnel = new InProcessTunnel(Map.of("game", GameHandlers.builder()
                .on(MODULE, BLOCKING, r -> ByteString.EMPTY).build()), pusher, parked::add, 2);
        SessionInfo session = session(1);

        CompletionStage<Packet> one = tunnel.request(session, game, request(BLOCKING, 1));
        CompletionStage<Packet> two = tunnel.request(session, game, request(BLOCKING, 2));
        CompletionStage<Packet> three = tunnel.request(session, game, request(BLOCKING, 3));

        assertThat(failure(three).reason()).isEqualTo(Reason.OVERLOADED);
        assertThat(tunnel.request(session(2), game, request(BLOCKING, 1)).toCompletableFuture())
                .as("other sessions have their own bound").isNotDone();
        while (!parked.isEmpty()) {
            parked.poll().run();
        }
        assertThat(answer(one).getIndex()).isEqualTo(1);
        assertThat(answer(two).getIndex()).isEqualTo(2);
    }

    @Test
    void requestAbandonedWhileQueuedDoesNotRunTheHandler() {
        Queue<Runnable> parked = new ArrayDeque<>();
        AtomicInteger calls = new AtomicInteger();
        InProcessTunnel tunnel = new InProcessTunnel(Map.of("game", GameHandlers.builder()
                .on(MODULE, BLOCKING, r -> {
                    calls.incrementAndGet();
                    return ByteString.EMPTY;
                }).build()), pusher, parked::add, 16);

        CompletionStage<Packet> stage = tunnel.request(session(1), game, request(BLOCKING, 1));
        stage.toCompletableFuture().cancel(false);
        parked.poll().run();

        assertThat(calls.get()).isZero();
    }

    @Test
    void addressNamesTheEmbeddedService() {
        assertThat(InProcessTunnel.address("room")).isEqualTo("inproc:room");
    }
}
