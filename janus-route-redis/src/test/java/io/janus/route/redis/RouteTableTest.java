package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The route tables against a real redis-server. */
final class RouteTableTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private static final AtomicInteger IDS = new AtomicInteger();

    private static RedisServer server;
    private static RedisRouteClient redis;
    private static RouteTable table;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        redis = get(RedisRouteClient.connect(server.options()));
        table = new RouteTable(redis);
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String player() {
        return "player-" + IDS.incrementAndGet();
    }

    @Test
    void claimTakesAFreeKeyOnceAndOwnerReadsIt() throws Exception {
        RouteKey key = RouteKey.gateway(player());
        assertThat(get(table.owner(key))).isEmpty();
        assertThat(get(table.claim(key, "gw-a", LONG))).isTrue();
        assertThat(get(table.claim(key, "gw-b", LONG))).isFalse();
        assertThat(get(table.owner(key))).contains("gw-a");
    }

    @Test
    void eachTableHasItsOwnKeys() throws Exception {
        String p = player();
        assertThat(get(table.claim(RouteKey.gateway(p), "gw-a", LONG))).isTrue();
        assertThat(get(table.claim(RouteKey.service(p, "battle"), "battle-1", LONG))).isTrue();
        assertThat(get(table.claim(RouteKey.service(p, "chat"), "chat-7", LONG))).isTrue();
        assertThat(get(table.claim(RouteKey.object("battle", "room-" + p), "battle-2", LONG))).isTrue();
        assertThat(get(table.owner(RouteKey.service(p, "battle")))).contains("battle-1");
        assertThat(get(table.owner(RouteKey.service(p, "chat")))).contains("chat-7");
        assertThat(get(table.owner(RouteKey.object("battle", "room-" + p)))).contains("battle-2");
    }

    @Test
    void ofManyConcurrentClaimersExactlyOneWins() throws Exception {
        for (int round = 0; round < 20; round++) {
            RouteKey key = RouteKey.service(player(), "battle");
            List<CompletableFuture<Boolean>> claims = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                claims.add(table.claim(key, "instance-" + i, LONG).toCompletableFuture());
            }
            int winners = 0;
            int winner = -1;
            for (int i = 0; i < claims.size(); i++) {
                if (claims.get(i).get(10, TimeUnit.SECONDS)) {
                    winners++;
                    winner = i;
                }
            }
            assertThat(winners).isEqualTo(1);
            assertThat(get(table.owner(key))).contains("instance-" + winner);
        }
    }

    @Test
    void twoClientsRacingForOneKeyExactlyOneWins() throws Exception {
        try (RedisRouteClient other = get(RedisRouteClient.connect(server.options()))) {
            RouteTable otherTable = new RouteTable(other);
            for (int round = 0; round < 20; round++) {
                RouteKey key = RouteKey.object("match", "m-" + player());
                CompletableFuture<Boolean> a = table.claim(key, "a", LONG).toCompletableFuture();
                CompletableFuture<Boolean> b = otherTable.claim(key, "b", LONG).toCompletableFuture();
                assertThat(a.get(10, TimeUnit.SECONDS) ^ b.get(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void aClaimExpiresAfterItsTtlAndCanBeTakenAgain() throws Exception {
        RouteKey key = RouteKey.gateway(player());
        assertThat(get(table.claim(key, "gw-a", Duration.ofMillis(150)))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> get(table.owner(key)).isEmpty());
        assertThat(get(table.claim(key, "gw-b", LONG))).isTrue();
        assertThat(get(table.renew(key, "gw-a", LONG))).isFalse();
    }

    @Test
    void renewExtendsOnlyTheOwnersClaim() throws Exception {
        RouteKey key = RouteKey.gateway(player());
        assertThat(get(table.claim(key, "gw-a", Duration.ofMillis(300)))).isTrue();
        assertThat(get(table.renew(key, "gw-b", LONG))).isFalse();
        assertThat(get(table.renew(key, "gw-a", LONG))).isTrue();
        long pttl = get(redis.async().pttl(key.redisKey()));
        assertThat(pttl).isGreaterThan(10_000L);
        assertThat(get(table.owner(key))).contains("gw-a");
    }

    @Test
    void renewOfAMissingKeyFails() throws Exception {
        assertThat(get(table.renew(RouteKey.gateway(player()), "gw-a", LONG))).isFalse();
    }

    @Test
    void releaseDeletesOnlyTheOwnersClaim() throws Exception {
        RouteKey key = RouteKey.service(player(), "battle");
        assertThat(get(table.claim(key, "battle-1", LONG))).isTrue();
        assertThat(get(table.release(key, "battle-2"))).isFalse();
        assertThat(get(table.owner(key))).contains("battle-1");
        assertThat(get(table.release(key, "battle-1"))).isTrue();
        assertThat(get(table.owner(key))).isEmpty();
        assertThat(get(table.release(key, "battle-1"))).isFalse();
    }

    @Test
    void reclaimMovesAKeyFromTheDeadOwnerOnly() throws Exception {
        RouteKey key = RouteKey.service(player(), "battle");
        assertThat(get(table.claim(key, "dead", LONG))).isTrue();
        assertThat(get(table.reclaim(key, "someone-else", "live", LONG))).isFalse();
        assertThat(get(table.owner(key))).contains("dead");
        assertThat(get(table.reclaim(key, "dead", "live", Duration.ofSeconds(20)))).isTrue();
        assertThat(get(table.owner(key))).contains("live");
        assertThat(get(redis.async().pttl(key.redisKey()))).isBetween(1L, 20_000L);
        // The dead owner can no longer renew or release.
        assertThat(get(table.renew(key, "dead", LONG))).isFalse();
        assertThat(get(table.release(key, "dead"))).isFalse();
        assertThat(get(table.owner(key))).contains("live");
    }

    @Test
    void reclaimOfAnAbsentKeyFails() throws Exception {
        RouteKey key = RouteKey.service(player(), "battle");
        assertThat(get(table.reclaim(key, "dead", "live", LONG))).isFalse();
        assertThat(get(table.owner(key))).isEmpty();
    }

    @Test
    void ofTwoConcurrentReclaimersExactlyOneWins() throws Exception {
        for (int round = 0; round < 20; round++) {
            RouteKey key = RouteKey.service(player(), "battle");
            assertThat(get(table.claim(key, "dead", LONG))).isTrue();
            CompletableFuture<Boolean> a = table.reclaim(key, "dead", "live-a", LONG).toCompletableFuture();
            CompletableFuture<Boolean> b = table.reclaim(key, "dead", "live-b", LONG).toCompletableFuture();
            boolean aWon = a.get(10, TimeUnit.SECONDS);
            assertThat(aWon ^ b.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(get(table.owner(key))).contains(aWon ? "live-a" : "live-b");
        }
    }

    @Test
    void scriptsAreReloadedAfterScriptFlush() throws Exception {
        RouteKey key = RouteKey.gateway(player());
        assertThat(get(table.claim(key, "gw-a", LONG))).isTrue();
        assertThat(get(table.renew(key, "gw-a", LONG))).isTrue();
        assertThat(get(redis.async().scriptFlush())).isEqualTo("OK");
        // EVALSHA answers NOSCRIPT now; the table falls back to EVAL.
        assertThat(get(table.renew(key, "gw-a", LONG))).isTrue();
        assertThat(get(table.release(key, "gw-a"))).isTrue();
    }

    @Test
    void whileRedisIsDownClaimsFailFastAndResumeAfterRestart() throws Exception {
        RedisServer own = RedisServer.start();
        try (RedisRouteClient client = get(RedisRouteClient.connect(own.options()))) {
            RouteTable ownTable = new RouteTable(client);
            RouteKey key = RouteKey.gateway(player());
            assertThat(get(ownTable.claim(key, "gw-a", LONG))).isTrue();
            own.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.isConnected());
            assertThatThrownBy(() -> get(ownTable.claim(RouteKey.gateway(player()), "gw-a", LONG)))
                    .isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThatThrownBy(() -> get(ownTable.renew(key, "gw-a", LONG)))
                    .isInstanceOf(java.util.concurrent.ExecutionException.class);

            own.restart();
            // The restarted server is empty and has no scripts: claims and scripts work again.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    .until(() -> get(ownTable.claim(key, "gw-b", LONG)));
            assertThat(get(ownTable.renew(key, "gw-b", LONG))).isTrue();
            assertThat(get(ownTable.reclaim(key, "gw-b", "gw-c", LONG))).isTrue();
            assertThat(get(ownTable.release(key, "gw-c"))).isTrue();
        } finally {
            own.stop();
        }
    }

    @Test
    void keysOfOnePlayerShareAHashTagAndPlayersDiffer() {
        assertThat(RouteKey.gateway("42").redisKey()).isEqualTo("janus:r:{p:42}:gw");
        assertThat(RouteKey.service("42", "battle").redisKey()).isEqualTo("janus:r:{p:42}:s:battle");
        assertThat(RouteKey.object("battle", "room-1").redisKey()).isEqualTo("janus:r:{o:battle:room-1}");
        assertThat(io.lettuce.core.cluster.SlotHash.getSlot(RouteKey.gateway("42").redisKey()))
                .isEqualTo(io.lettuce.core.cluster.SlotHash.getSlot(RouteKey.service("42", "chat").redisKey()));
        java.util.Set<Integer> slots = new java.util.HashSet<>();
        for (int p = 0; p < 100; p++) {
            slots.add(io.lettuce.core.cluster.SlotHash.getSlot(RouteKey.gateway(Integer.toString(p)).redisKey()));
        }
        assertThat(slots).hasSizeGreaterThan(90);
    }

    @Test
    void badIdsAndTtlsAreRefused() {
        assertThatThrownBy(() -> RouteKey.gateway("a}b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteKey.service("p", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteKey.object("s", "x".repeat(RouteKey.MAX_ID_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        RouteKey key = RouteKey.gateway("p");
        assertThatThrownBy(() -> table.claim(key, "gw", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.claim(key, "", LONG)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.claim(key, null, LONG)).isInstanceOf(NullPointerException.class);
    }
}
