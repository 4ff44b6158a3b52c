package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.JanusException;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.SessionDirectory;
import io.janus.core.spi.SessionDirectoryRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The session directory against a real redis-server, with the gateways' local side in memory. */
final class RedisSessionDirectoryTest {

    private static final AtomicLong PLAYERS = new AtomicLong(1);
    private static final Duration TTL = Duration.ofMillis(600);
    private static final Duration RENEW = Duration.ofMillis(150);

    private static RedisServer server;
    private static RedisRouteClient redis;

    private final List<AutoCloseable> open = new ArrayList<>();

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

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static long player() {
        return PLAYERS.incrementAndGet();
    }

    private static String entry(long player) throws Exception {
        return get(redis.async().get(RouteKey.gateway(Long.toString(player)).redisKey()));
    }

    private TestGateway gateway(String id) {
        TestGateway g = new TestGateway(id);
        open.add(g);
        return g;
    }

    private RedisSessionDirectory directory(TestGateway g, RedisRouteClient client) throws Exception {
        RedisSessionDirectory d = RedisSessionDirectory.builder(g).redis(client).ttl(TTL).renewInterval(RENEW).build();
        open.add(d);
        get(d.start());
        return d;
    }

    private RedisSessionDirectory directory(TestGateway g) throws Exception {
        return directory(g, redis);
    }

    @Test
    void registerWritesTheEntryWithATtlAndUnregisterReleasesIt() throws Exception {
        TestGateway a = gateway("dir-a1");
        RedisSessionDirectory dir = directory(a);
        long p = player();
        SessionInfo s = a.login(p);
        get(dir.register(s, DuplicateLoginPolicy.KICK_OLD));
        assertThat(entry(p)).isEqualTo("dir-a1/" + s.sessionId());
        assertThat(get(redis.async().pttl(RouteKey.gateway(Long.toString(p)).redisKey())))
                .isBetween(1L, TTL.toMillis());
        assertThat(get(redis.async().exists(GatewayChannels.presenceKey("dir-a1")))).isEqualTo(1L);
        dir.unregister(s);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> entry(p) == null);
        assertThat(dir.localEntries()).isZero();
    }

    @Test
    void renewalKeepsEntriesAndPresenceAlivePastTheirTtl() throws Exception {
        TestGateway a = gateway("dir-a2");
        RedisSessionDirectory dir = directory(a);
        long p = player();
        SessionInfo s = a.login(p);
        get(dir.register(s, DuplicateLoginPolicy.KICK_OLD));
        long rounds = dir.renewalRounds();
        // Well past three TTLs: without renewal the entry would have expired several times over.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dir.renewalRounds() >= rounds + 14);
        assertThat(entry(p)).isEqualTo("dir-a2/" + s.sessionId());
        assertThat(get(redis.async().exists(GatewayChannels.presenceKey("dir-a2")))).isEqualTo(1L);
    }

    @Test
    void anEntryWhoseSessionEndedUnannouncedIsReleasedAtTheNextRenewal() throws Exception {
        TestGateway a = gateway("dir-a3");
        RedisSessionDirectory dir = directory(a);
        long p = player();
        SessionInfo s = a.login(p);
        get(dir.register(s, DuplicateLoginPolicy.KICK_OLD));
        a.drop(s);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> entry(p) == null && dir.localEntries() == 0);
    }

    @Test
    void closeReleasesEntriesAndPresence() throws Exception {
        TestGateway a = gateway("dir-a4");
        RedisSessionDirectory dir = RedisSessionDirectory.builder(a).redis(redis).ttl(Duration.ofSeconds(30)).build();
        get(dir.start());
        long p = player();
        get(dir.register(a.login(p), DuplicateLoginPolicy.KICK_OLD));
        dir.close();
        assertThat(entry(p)).isNull();
        assertThat(get(redis.async().exists(GatewayChannels.presenceKey("dir-a4")))).isZero();
        assertThat(redis.isConnected()).as("a client given by the user stays open").isTrue();
        assertThatThrownBy(() -> get(dir.register(a.login(player()), DuplicateLoginPolicy.KICK_OLD)))
                .hasCauseInstanceOf(AuthenticationException.class);
    }

    @Test
    void kickOldOnAnotherLiveGatewayKicksTheOlderSessionByIdAndTakesTheEntry() throws Exception {
        TestGateway a = gateway("dir-b1");
        TestGateway b = gateway("dir-b2");
        RedisSessionDirectory dirA = directory(a);
        RedisSessionDirectory dirB = directory(b);
        long p = player();
        SessionInfo older = a.login(p);
        get(dirA.register(older, DuplicateLoginPolicy.KICK_OLD));
        SessionInfo newer = b.login(p);
        get(dirB.register(newer, DuplicateLoginPolicy.KICK_OLD));
        assertThat(entry(p)).isEqualTo("dir-b2/" + newer.sessionId());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !a.isOpen(older));
        assertThat(a.closeReason(older)).isEqualTo(Reason.DUPLICATE_LOGIN);
        // The kick from B, and possibly A's own renewal finding the entry taken first: both name the older session.
        assertThat(a.deliveries("kickSession")).isNotEmpty().allSatisfy(d -> {
            assertThat(d.ids).containsExactly(older.sessionId());
            assertThat(d.reason).isEqualTo(Reason.DUPLICATE_LOGIN);
        });
        assertThat(b.isOpen(newer)).isTrue();
        // The older gateway's unregister does not remove the newer entry.
        dirA.unregister(older);
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> dirA.localEntries() == 0);
        assertThat(entry(p)).isEqualTo("dir-b2/" + newer.sessionId());
    }

    @Test
    void concurrentLoginsOfOnePlayerOnTwoGatewaysLeaveExactlyOneSessionOpenHoldingTheEntry() throws Exception {
        TestGateway a = gateway("dir-r1");
        TestGateway b = gateway("dir-r2");
        RedisSessionDirectory dirA = directory(a);
        RedisSessionDirectory dirB = directory(b);
        for (int round = 0; round < 20; round++) {
            long p = player();
            SessionInfo onA = a.login(p);
            SessionInfo onB = b.login(p);
            CompletableFuture<Void> ra = dirA.register(onA, DuplicateLoginPolicy.KICK_OLD).toCompletableFuture();
            CompletableFuture<Void> rb = dirB.register(onB, DuplicateLoginPolicy.KICK_OLD).toCompletableFuture();
            ra.get(10, TimeUnit.SECONDS);
            rb.get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> a.isOpen(onA) ^ b.isOpen(onB));
            String holder = entry(p);
            if (a.isOpen(onA)) {
                assertThat(holder).isEqualTo("dir-r1/" + onA.sessionId());
                assertThat(b.closeReason(onB)).isEqualTo(Reason.DUPLICATE_LOGIN);
            } else {
                assertThat(holder).isEqualTo("dir-r2/" + onB.sessionId());
                assertThat(a.closeReason(onA)).isEqualTo(Reason.DUPLICATE_LOGIN);
            }
        }
    }

    @Test
    void rejectNewRefusesASecondLoginOnAnotherLiveGateway() throws Exception {
        TestGateway a = gateway("dir-c1");
        TestGateway b = gateway("dir-c2");
        RedisSessionDirectory dirA = directory(a);
        RedisSessionDirectory dirB = directory(b);
        long p = player();
        SessionInfo older = a.login(p);
        get(dirA.register(older, DuplicateLoginPolicy.REJECT_NEW));
        assertThatThrownBy(() -> get(dirB.register(b.login(p), DuplicateLoginPolicy.REJECT_NEW)))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(AuthenticationException.class)
                .satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.DUPLICATE_LOGIN));
        assertThat(entry(p)).isEqualTo("dir-c1/" + older.sessionId());
        assertThat(a.isOpen(older)).isTrue();
        assertThat(a.deliveries("kickSession")).isEmpty();
    }

    @Test
    void anEntryOfADeadGatewayIsTakenOverEvenWithRejectNew() throws Exception {
        TestGateway b = gateway("dir-d2");
        RedisSessionDirectory dirB = directory(b);
        long p = player();
        // A gateway that crashed: its entry is still there, its presence key is gone.
        get(redis.async().set(RouteKey.gateway(Long.toString(p)).redisKey(), "dir-dead/77"));
        SessionInfo s = b.login(p);
        get(dirB.register(s, DuplicateLoginPolicy.REJECT_NEW));
        assertThat(entry(p)).isEqualTo("dir-d2/" + s.sessionId());
    }

    @Test
    void aSecondSessionOnTheSameGatewayTakesTheEntryOver() throws Exception {
        TestGateway a = gateway("dir-e1");
        RedisSessionDirectory dir = directory(a);
        long p = player();
        SessionInfo first = a.login(p);
        get(dir.register(first, DuplicateLoginPolicy.KICK_OLD));
        SessionInfo second = a.login(p);
        get(dir.register(second, DuplicateLoginPolicy.KICK_OLD));
        assertThat(entry(p)).isEqualTo("dir-e1/" + second.sessionId());
        // The gateway's registry closes the first one; its unregister leaves the second's entry alone.
        a.drop(first);
        dir.unregister(first);
        assertThat(dir.localEntries()).isEqualTo(1);
        assertThat(entry(p)).isEqualTo("dir-e1/" + second.sessionId());
    }

    @Test
    void rejectNewOnTheSameGatewayKeepsTheOpenOlderSessionsEntry() throws Exception {
        TestGateway a = gateway("dir-e2");
        RedisSessionDirectory dir = directory(a);
        long p = player();
        SessionInfo first = a.login(p);
        get(dir.register(first, DuplicateLoginPolicy.REJECT_NEW));
        assertThatThrownBy(() -> get(dir.register(a.login(p), DuplicateLoginPolicy.REJECT_NEW)))
                .cause().satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.DUPLICATE_LOGIN));
        assertThat(entry(p)).isEqualTo("dir-e2/" + first.sessionId());
        // Once the older one is gone, a new login takes the entry.
        a.drop(first);
        SessionInfo third = a.login(p);
        get(dir.register(third, DuplicateLoginPolicy.REJECT_NEW));
        assertThat(entry(p)).isEqualTo("dir-e2/" + third.sessionId());
    }

    @Test
    void renewalFindingTheEntryHeldByANewerLoginClosesTheLocalSession() throws Exception {
        TestGateway a = gateway("dir-f1");
        RedisSessionDirectory dir = directory(a);
        long p = player();
        SessionInfo s = a.login(p);
        get(dir.register(s, DuplicateLoginPolicy.KICK_OLD));
        // A newer login elsewhere whose kick never arrived (pub/sub is at most once).
        get(redis.async().set(RouteKey.gateway(Long.toString(p)).redisKey(), "dir-f2/99"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !a.isOpen(s));
        assertThat(a.closeReason(s)).isEqualTo(Reason.DUPLICATE_LOGIN);
        assertThat(dir.sessionsLostToNewerLogins()).isEqualTo(1);
        assertThat(entry(p)).isEqualTo("dir-f2/99");
    }

    @Test
    void whileRedisIsDownLoginsFailClosedAndAfterARestartEntriesAreClaimedAgain() throws Exception {
        RedisServer own = RedisServer.start();
        try {
            RedisRouteClient client = get(RedisRouteClient.connect(own.options()));
            open.add(client);
            TestGateway a = gateway("dir-g1");
            RedisSessionDirectory dir = directory(a, client);
            long p = player();
            SessionInfo s = a.login(p);
            get(dir.register(s, DuplicateLoginPolicy.KICK_OLD));

            own.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.isConnected());
            assertThatThrownBy(() -> get(dir.register(a.login(player()), DuplicateLoginPolicy.KICK_OLD)))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AuthenticationException.class)
                    .satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.DIRECTORY_UNAVAILABLE));

            own.restart();
            // The restarted server lost everything: the renewal claims the live session's entry again.
            String key = RouteKey.gateway(Long.toString(p)).redisKey();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> ("dir-g1/" + s.sessionId()).equals(get(client.async().get(key))));
            assertThat(get(client.async().exists(GatewayChannels.presenceKey("dir-g1")))).isEqualTo(1L);
            assertThat(a.isOpen(s)).isTrue();
            long q = player();
            SessionInfo later = a.login(q);
            get(dir.register(later, DuplicateLoginPolicy.KICK_OLD));
            assertThat(get(client.async().get(RouteKey.gateway(Long.toString(q)).redisKey())))
                    .isEqualTo("dir-g1/" + later.sessionId());
        } finally {
            own.stop();
        }
    }

    @Test
    void startFailsWithDirectoryUnavailableWhenRedisIsNotThere() throws Exception {
        TestGateway a = gateway("dir-h1");
        RedisSessionDirectory dir = RedisSessionDirectory.builder(a)
                .redisOptions(RedisRouteOptions.builder().port(io.janus.testing.FreePorts.tcp())
                        .connectTimeout(Duration.ofSeconds(1)).build())
                .build();
        open.add(dir);
        assertThatThrownBy(() -> get(dir.start())).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(JanusException.class)
                .satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.DIRECTORY_UNAVAILABLE));
    }

    @Test
    void theProviderIsFoundByNameBuildsFromPropertiesAndOwnsItsConnection() throws Exception {
        TestGateway a = new TestGateway("dir-i1", Map.of("redis.addresses", "127.0.0.1:" + server.port(),
                "ttlMs", "900", "renewIntervalMs", "100"));
        open.add(a);
        SessionDirectory dir = SessionDirectoryRegistry.getDefaultRegistry().getProvider("redis").newDirectory(a);
        assertThat(dir).isInstanceOf(RedisSessionDirectory.class);
        assertThat(dir.toString()).contains("ttl=PT0.9S").contains("renewInterval=PT0.1S");
        get(dir.start());
        long p = player();
        SessionInfo s = a.login(p);
        get(dir.register(s, DuplicateLoginPolicy.KICK_OLD));
        assertThat(entry(p)).isEqualTo("dir-i1/" + s.sessionId());
        dir.close();
        assertThat(entry(p)).isNull();
        TestGateway bad = new TestGateway("dir-i2", Map.of("ttlMs", "soon"));
        open.add(bad);
        assertThatThrownBy(() -> new RedisSessionDirectoryProvider().newDirectory(bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttlMs");
    }
}
