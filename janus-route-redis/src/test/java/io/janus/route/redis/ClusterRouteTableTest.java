package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteTable} and {@link CachedRouteTable} on a Redis Cluster of three masters: every operation
 * is checked on keys of each master, since each master runs the scripts on its own keys.
 */
final class ClusterRouteTableTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String RUN = "crt-" + System.nanoTime();

    private static RedisCluster cluster;
    private static RedisRouteClient redis;
    private static RouteTable table;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.shared();
        redis = get(RedisRouteClient.connect(cluster.options()));
        table = new RouteTable(redis);
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A fresh key (from {@code keys}, given a counter) that lives on master {@code node}. */
    private static RouteKey keyOn(int node, IntFunction<RouteKey> keys) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            RouteKey key = keys.apply(IDS.incrementAndGet());
            if (cluster.nodeOfKey(key.redisKey()) == node) {
                return key;
            }
        }
        throw new IllegalStateException("no key on node " + node);
    }

    private static RouteKey serviceKeyOn(int node) {
        return keyOn(node, i -> RouteKey.service(RUN + "-" + i, "battle"));
    }

    @Test
    void claimRenewReclaimAndReleaseOnEveryMaster() throws Exception {
        for (int node = 0; node < cluster.size(); node++) {
            RouteKey key = serviceKeyOn(node);
            assertThat(get(table.owner(key))).isEmpty();
            assertThat(get(table.claim(key, "dead", Duration.ofMillis(500)))).isTrue();
            assertThat(get(table.claim(key, "other", LONG))).isFalse();
            assertThat(get(table.renew(key, "other", LONG))).isFalse();
            assertThat(get(table.renew(key, "dead", LONG))).isTrue();
            assertThat(get(redis.async().pttl(key.redisKey()))).isGreaterThan(10_000L);
            assertThat(get(table.reclaim(key, "someone-else", "live", LONG))).isFalse();
            assertThat(get(table.reclaim(key, "dead", "live", Duration.ofSeconds(20)))).isTrue();
            assertThat(get(table.owner(key))).contains("live");
            assertThat(get(table.renew(key, "dead", LONG))).isFalse();
            assertThat(get(table.release(key, "dead"))).isFalse();
            // The value sits on the master the slot map names.
            int n = node;
            String stored = cluster.onNode(n, c -> c.get(key.redisKey()));
            assertThat(stored).isEqualTo("live");
            assertThat(get(table.release(key, "live"))).isTrue();
            assertThat(get(table.owner(key))).isEmpty();
        }
    }

    @Test
    void ofTwoGatewaysRacingForOneKeyExactlyOneWinsOnEveryMaster() throws Exception {
        try (RedisRouteClient other = get(RedisRouteClient.connect(cluster.options()))) {
            RouteTable otherTable = new RouteTable(other);
            for (int round = 0; round < 30; round++) {
                RouteKey key = serviceKeyOn(round % cluster.size());
                CompletableFuture<Boolean> a = table.claim(key, "a", LONG).toCompletableFuture();
                CompletableFuture<Boolean> b = otherTable.claim(key, "b", LONG).toCompletableFuture();
                boolean aWon = a.get(10, TimeUnit.SECONDS);
                assertThat(aWon ^ b.get(10, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Boolean> ra = table.reclaim(key, aWon ? "a" : "b", "ra", LONG).toCompletableFuture();
                CompletableFuture<Boolean> rb = otherTable.reclaim(key, aWon ? "a" : "b", "rb", LONG).toCompletableFuture();
                boolean raWon = ra.get(10, TimeUnit.SECONDS);
                assertThat(raWon ^ rb.get(10, TimeUnit.SECONDS)).isTrue();
                assertThat(get(otherTable.owner(key))).contains(raWon ? "ra" : "rb");
            }
        }
    }

    @Test
    void aClaimExpiresAfterItsTtl() throws Exception {
        RouteKey key = keyOn(1, i -> RouteKey.gateway(RUN + "-" + i));
        assertThat(get(table.claim(key, "gw-a", Duration.ofMillis(150)))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> get(table.owner(key)).isEmpty());
        assertThat(get(table.claim(key, "gw-b", LONG))).isTrue();
    }

    @Test
    void scriptsAreLoadedAgainOnEachMasterAfterScriptFlush() throws Exception {
        List<RouteKey> keys = new ArrayList<>();
        for (int node = 0; node < cluster.size(); node++) {
            RouteKey key = serviceKeyOn(node);
            assertThat(get(table.claim(key, "inst", LONG))).isTrue();
            assertThat(get(table.renew(key, "inst", LONG))).isTrue();
            keys.add(key);
        }
        for (int node = 0; node < cluster.size(); node++) {
            String flushed = cluster.onNode(node, c -> c.scriptFlush());
            assertThat(flushed).isEqualTo("OK");
        }
        cluster.resetStats();
        // Every master answers NOSCRIPT now; the table falls back to EVAL on each.
        for (RouteKey key : keys) {
            assertThat(get(table.renew(key, "inst", LONG))).isTrue();
            assertThat(get(table.release(key, "inst"))).isTrue();
        }
        for (int node = 0; node < cluster.size(); node++) {
            assertThat(cluster.calls(node, "eval")).as("EVAL on master %s", node).isPositive();
        }
    }

    @Test
    void theCacheServesFreshAnswersWithoutRedisAndSharesOneReadPerKey() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Duration ttl = Duration.ofSeconds(1);
        CachedRouteTable cache = new CachedRouteTable(table, ttl, Duration.ofSeconds(10), 100, now::get);
        for (int node = 0; node < cluster.size(); node++) {
            RouteKey key = keyOn(node, i -> RouteKey.gateway(RUN + "-cached-" + i));
            assertThat(get(table.claim(key, "gw-a", LONG))).isTrue();
            cluster.resetStats();
            List<CompletableFuture<Optional<String>>> lookups = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                lookups.add(cache.owner(key).toCompletableFuture());
            }
            for (CompletableFuture<Optional<String>> lookup : lookups) {
                assertThat(lookup.get(10, TimeUnit.SECONDS)).contains("gw-a");
            }
            long gets = 0;
            for (int i = 0; i < cluster.size(); i++) {
                gets += cluster.calls(i, "get");
            }
            assertThat(gets).as("GETs for a key on master %s", node).isEqualTo(1);
            // Another gateway moves the route: the cache answers from memory until its TTL passes.
            assertThat(get(redis.async().set(key.redisKey(), "gw-b"))).isEqualTo("OK");
            assertThat(get(cache.owner(key))).contains("gw-a");
            now.addAndGet(ttl.toNanos());
            assertThat(get(cache.owner(key))).contains("gw-b");
            // Writes through the cache update it at once.
            assertThat(get(cache.reclaim(key, "gw-b", "gw-c", LONG))).isTrue();
            assertThat(get(cache.owner(key))).contains("gw-c");
            assertThat(get(cache.release(key, "gw-c"))).isTrue();
            assertThat(get(cache.owner(key))).isEmpty();
        }
    }
}
