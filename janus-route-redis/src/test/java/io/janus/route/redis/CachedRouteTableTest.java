package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local route cache against a real redis-server, on a hand-moved clock. */
final class CachedRouteTableTest {

    private static final Duration TTL = Duration.ofSeconds(1);
    private static final Duration MAX_STALE = Duration.ofSeconds(10);
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final AtomicInteger IDS = new AtomicInteger();

    private static RedisServer server;
    private static RedisRouteClient redis;
    private static RouteTable table;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

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

    private static RouteKey key() {
        return RouteKey.gateway("cached-" + IDS.incrementAndGet());
    }

    private CachedRouteTable cache(RouteTable on, int maxEntries) {
        return new CachedRouteTable(on, TTL, MAX_STALE, maxEntries, now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aFreshAnswerIsServedWithoutRedisUntilTheTtlPasses() throws Exception {
        CachedRouteTable cache = cache(table, 100);
        RouteKey key = key();
        assertThat(get(table.claim(key, "gw-a", LONG))).isTrue();
        assertThat(get(cache.owner(key))).contains("gw-a");
        // Another gateway moves the route behind the cache's back.
        assertThat(get(redis.async().set(key.redisKey(), "gw-b"))).isEqualTo("OK");
        advance(TTL.minusMillis(1));
        assertThat(get(cache.owner(key))).contains("gw-a");
        advance(Duration.ofMillis(1));
        assertThat(get(cache.owner(key))).contains("gw-b");
    }

    @Test
    void nobodyIsCachedToo() throws Exception {
        CachedRouteTable cache = cache(table, 100);
        RouteKey key = key();
        assertThat(get(cache.owner(key))).isEmpty();
        assertThat(get(table.claim(key, "gw-a", LONG))).isTrue();
        assertThat(get(cache.owner(key))).isEmpty();
        advance(TTL);
        assertThat(get(cache.owner(key))).contains("gw-a");
    }

    @Test
    void writesThroughTheCacheUpdateItAtOnce() throws Exception {
        CachedRouteTable cache = cache(table, 100);
        RouteKey key = key();
        assertThat(get(cache.owner(key))).isEmpty();
        assertThat(get(cache.claim(key, "inst-1", LONG))).isTrue();
        assertThat(get(cache.owner(key))).contains("inst-1");
        assertThat(get(cache.reclaim(key, "inst-1", "inst-2", LONG))).isTrue();
        assertThat(get(cache.owner(key))).contains("inst-2");
        assertThat(get(cache.renew(key, "inst-2", LONG))).isTrue();
        assertThat(get(cache.owner(key))).contains("inst-2");
        assertThat(get(cache.release(key, "inst-2"))).isTrue();
        assertThat(get(cache.owner(key))).isEmpty();
    }

    @Test
    void invalidateForcesARead() throws Exception {
        CachedRouteTable cache = cache(table, 100);
        RouteKey key = key();
        assertThat(get(table.claim(key, "gw-a", LONG))).isTrue();
        assertThat(get(cache.owner(key))).contains("gw-a");
        assertThat(get(redis.async().set(key.redisKey(), "gw-b"))).isEqualTo("OK");
        cache.invalidate(key);
        assertThat(get(cache.owner(key))).contains("gw-b");
    }

    @Test
    void concurrentLookupsOfOneKeyShareOneRedisRead() throws Exception {
        CachedRouteTable cache = cache(table, 100);
        RouteKey key = key();
        assertThat(get(table.claim(key, "gw-a", LONG))).isTrue();
        assertThat(get(redis.async().configResetstat())).isEqualTo("OK");
        List<CompletableFuture<Optional<String>>> lookups = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lookups.add(cache.owner(key).toCompletableFuture());
        }
        for (CompletableFuture<Optional<String>> lookup : lookups) {
            assertThat(lookup.get(10, TimeUnit.SECONDS)).contains("gw-a");
        }
        assertThat(getCalls()).isEqualTo(1);
    }

    private static long getCalls() throws Exception {
        String stats = get(redis.async().info("commandstats"));
        Matcher m = Pattern.compile("cmdstat_get:calls=(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void theCacheHoldsAtMostMaxEntriesAndSweepsExpiredOnes() throws Exception {
        CachedRouteTable cache = cache(table, 3);
        for (int i = 0; i < 6; i++) {
            assertThat(get(cache.owner(key()))).isEmpty();
        }
        assertThat(cache.size()).isEqualTo(3);
        advance(TTL.plus(MAX_STALE));
        assertThat(get(cache.owner(key()))).isEmpty();
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void whileRedisIsDownARecentAnswerIsServedUntilMaxStale() throws Exception {
        RedisServer own = RedisServer.start();
        try (RedisRouteClient client = get(RedisRouteClient.connect(own.options()))) {
            RouteTable ownTable = new RouteTable(client);
            CachedRouteTable cache = cache(ownTable, 100);
            RouteKey key = key();
            assertThat(get(cache.claim(key, "gw-a", LONG))).isTrue();
            own.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.isConnected());

            advance(TTL.plusSeconds(1));
            assertThat(get(cache.owner(key))).contains("gw-a");
            advance(MAX_STALE);
            assertThatThrownBy(() -> get(cache.owner(key))).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> get(cache.owner(key()))).isInstanceOf(ExecutionException.class);
        } finally {
            own.stop();
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new CachedRouteTable(table, Duration.ZERO, MAX_STALE, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CachedRouteTable(table, TTL, Duration.ofMillis(-1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CachedRouteTable(table, TTL, MAX_STALE, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CachedRouteTable(null, TTL, MAX_STALE, 1))
                .isInstanceOf(NullPointerException.class);
    }
}
