package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.SessionTakeover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session handovers between two directories over a real redis-server (docs/protocol.md, section 14.6),
 * with each gateway's handover side recorded: the taker asks, the holder answers, the entry's
 * compare-and-set commits, and the holder lets go or keeps the session, also when the taker's word is
 * lost.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class RedisHandoversTest {

    private static final AtomicLong PLAYERS = new AtomicLong(500);

    private static RedisServer server;
    private static RedisRouteClient redis;

    private final List<AutoCloseable> open = new ArrayList<>();
    private TestGateway holder;
    private TestGateway taker;
    private RedisSessionDirectory atHolder;
    private RedisSessionDirectory atTaker;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.start();
        redis = get(RedisRouteClient.connect(server.options()));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @BeforeEach
    void start() throws Exception {
        holder = gateway("gw-holder");
        taker = gateway("gw-taker");
        atHolder = directory(holder);
        atTaker = directory(taker);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestGateway gateway(String id) {
        TestGateway g = new TestGateway(id);
        open.add(g);
        return g;
    }

    private RedisSessionDirectory directory(TestGateway g) throws Exception {
        RedisSessionDirectory d = RedisSessionDirectory.builder(g).redis(redis).ttl(Duration.ofSeconds(5))
                .renewInterval(Duration.ofMillis(200)).build();
        open.add(d);
        get(d.start());
        return d;
    }

    /** A session of a new player on the holder, registered in the directory. */
    private SessionInfo sessionOnHolder() throws Exception {
        SessionInfo info = holder.login(PLAYERS.incrementAndGet());
        get(atHolder.register(info, DuplicateLoginPolicy.KICK_OLD));
        return info;
    }

    private static SessionInfo onTaker(SessionInfo info) {
        return new SessionInfo(info.sessionId(), "gw-taker", "ws", "127.0.0.1:2",
                Identity.of(info.playerId()));
    }

    private static String entry(long player) throws Exception {
        return get(redis.async().get(RouteKey.gateway(Long.toString(player)).redisKey()));
    }

    private static Reason reasonOf(Throwable failure) {
        Throwable cause = failure instanceof ExecutionException ? failure.getCause() : failure;
        return JanusException.find(cause).reason();
    }

    @Test
    void aCommittedTakeoverMovesTheEntryAndTheHolderLetsGo() throws Exception {
        SessionInfo info = sessionOnHolder();
        holder.handovers.state = new byte[] {7, 7, 7};

        SessionTakeover takeover = get(atTaker.takeOver(info.sessionId(), info.playerId()));

        assertThat(takeover.holder()).isEqualTo("gw-holder");
        assertThat(takeover.sealedState()).containsExactly(7, 7, 7);
        assertThat(holder.handovers.calls).containsExactly("export " + info.sessionId() + " to gw-taker");
        assertThat(get(takeover.commit(onTaker(info)))).isTrue();
        assertThat(taker.handovers.calls).as("the holder's last packets arrived before the commit completed")
                .containsExactly("deliver " + info.sessionId() + " x1");
        assertThat(entry(info.playerId())).isEqualTo("gw-taker/" + info.sessionId());
        await().atMost(Duration.ofSeconds(5)).until(() -> holder.handovers.calls.contains(
                "committed " + info.sessionId() + " to gw-taker"));
        assertThat(atHolder.localEntries()).isZero();
        assertThat(atTaker.localEntries()).isOne();
        assertThat(atTaker.sessionsTakenOver()).isOne();
        assertThat(atHolder.sessionsHandedOver()).isOne();
    }

    @Test
    void anAbortedTakeoverLeavesTheSessionWithTheHolder() throws Exception {
        SessionInfo info = sessionOnHolder();

        get(atTaker.takeOver(info.sessionId(), info.playerId())).abort();

        await().atMost(Duration.ofSeconds(5)).until(() -> holder.handovers.calls.contains(
                "aborted " + info.sessionId()));
        assertThat(entry(info.playerId())).isEqualTo("gw-holder/" + info.sessionId());
        assertThat(atHolder.localEntries()).isOne();
    }

    @Test
    void aCommitThatLosesTheCompareAndSetFailsAndTheHolderKeepsTheSession() throws Exception {
        SessionInfo info = sessionOnHolder();
        SessionTakeover takeover = get(atTaker.takeOver(info.sessionId(), info.playerId()));
        // A new login of the player elsewhere wins the entry meanwhile.
        get(redis.async().set(RouteKey.gateway(Long.toString(info.playerId())).redisKey(), "gw-other/99"));

        assertThat(get(takeover.commit(onTaker(info)))).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> holder.handovers.calls.contains(
                "aborted " + info.sessionId()));
        assertThat(atTaker.localEntries()).isZero();
    }

    @Test
    void theHoldersRefusalFailsTheTakeoverWithItsReason() throws Exception {
        SessionInfo info = sessionOnHolder();
        holder.handovers.refusal = new JanusException(Reason.RESUME_SESSION_GONE, "closed meanwhile");

        assertThatThrownBy(() -> get(atTaker.takeOver(info.sessionId(), info.playerId())))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.RESUME_SESSION_GONE))
                .hasMessageContaining("closed meanwhile");
    }

    @Test
    void aSessionTheDirectoryDoesNotNameOnAnotherGatewayIsNotAskedFor() throws Exception {
        SessionInfo info = sessionOnHolder();

        assertThatThrownBy(() -> get(atTaker.takeOver(info.sessionId() + 1, info.playerId())))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.RESUME_SESSION_GONE));
        assertThatThrownBy(() -> get(atTaker.takeOver(1, PLAYERS.incrementAndGet())))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.RESUME_SESSION_GONE));
        SessionInfo own = taker.login(PLAYERS.incrementAndGet());
        get(atTaker.register(own, DuplicateLoginPolicy.KICK_OLD));
        assertThatThrownBy(() -> get(atTaker.takeOver(own.sessionId(), own.playerId())))
                .as("this gateway's own entry").satisfies(e -> assertThat(reasonOf(e))
                        .isEqualTo(Reason.RESUME_SESSION_GONE));
        assertThat(holder.handovers.calls).isEmpty();
    }

    @Test
    void aHolderThatIsNotListeningFailsTheTakeoverAtOnce() throws Exception {
        SessionInfo info = sessionOnHolder();
        get(redis.async().set(RouteKey.gateway(Long.toString(info.playerId())).redisKey(),
                "gw-gone/" + info.sessionId()));

        long start = System.nanoTime();
        assertThatThrownBy(() -> get(atTaker.takeOver(info.sessionId(), info.playerId())))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.RESUME_SESSION_GONE))
                .hasMessageContaining("not listening");
        assertThat(System.nanoTime() - start).as("no wait for the reply timeout")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(RedisHandovers.REPLY_TIMEOUT_MS));
    }

    @Test
    void whenTheTakersWordIsLostTheHolderReadsTheEntry() throws Exception {
        SessionInfo moved = sessionOnHolder();
        SessionInfo kept = sessionOnHolder();
        get(atTaker.takeOver(moved.sessionId(), moved.playerId()));
        get(atTaker.takeOver(kept.sessionId(), kept.playerId()));
        // The taker moved one entry but its outcome never arrived; of the other it said nothing at all.
        get(redis.async().set(RouteKey.gateway(Long.toString(moved.playerId())).redisKey(),
                "gw-taker/" + moved.sessionId()));

        await().atMost(Duration.ofMillis(RedisHandovers.DECISION_TIMEOUT_MS + 5_000)).until(() ->
                holder.handovers.calls.contains("committed " + moved.sessionId() + " to gw-taker")
                        && holder.handovers.calls.contains("aborted " + kept.sessionId()));
        assertThat(atHolder.localEntries()).as("the kept session's entry only").isOne();
    }

    @Test
    void forwardedPacketsReachTheTakersHandoverSide() throws Exception {
        atHolder.forward("gw-taker", 42, List.of(new byte[] {1}, new byte[] {2, 2}));

        await().atMost(Duration.ofSeconds(5)).until(() -> taker.handovers.delivered.size() == 2);
        assertThat(taker.handovers.calls).containsExactly("deliver 42 x2");
        assertThat(atTaker.malformedMessages()).isZero();
    }
}
