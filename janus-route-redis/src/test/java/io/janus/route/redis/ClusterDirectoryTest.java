package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The session directory, the cluster pusher and the router on a Redis Cluster of three masters: entries
 * spread over every master, pub/sub crosses nodes, multi-key lookups span slots, claims work on each
 * master.
 */
final class ClusterDirectoryTest {

    private static final AtomicLong PLAYERS = new AtomicLong(System.nanoTime() % 1_000_000_000L * 100);
    private static final Push HELLO = Push.of(7, 1, ByteString.copyFromUtf8("cluster"));

    private static RedisCluster cluster;
    private static RedisRouteClient redis;
    private static final List<AutoCloseable> open = new ArrayList<>();
    private static TestGateway a;
    private static TestGateway b;
    private static RedisSessionDirectory dirA;
    private static RedisSessionDirectory dirB;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.shared();
        redis = get(RedisRouteClient.connect(cluster.options()));
        a = new TestGateway("cl-a");
        b = new TestGateway("cl-b");
        open.add(a);
        open.add(b);
        dirA = RedisSessionDirectory.builder(a).redis(redis).build();
        dirB = RedisSessionDirectory.builder(b).redis(redis).build();
        open.add(dirA);
        open.add(dirB);
        get(dirA.start());
        get(dirB.start());
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<Long> login(TestGateway g, RedisSessionDirectory d, int count) throws Exception {
        List<Long> players = new ArrayList<>();
        List<CompletableFuture<Void>> registered = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long p = PLAYERS.incrementAndGet();
            players.add(p);
            registered.add(d.register(g.login(p), DuplicateLoginPolicy.KICK_OLD).toCompletableFuture());
        }
        CompletableFuture.allOf(registered.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        return players;
    }

    @Test
    void entriesSpreadOverEveryMasterAndAMulticastReachesBothGateways() throws Exception {
        List<Long> onA = login(a, dirA, 60);
        List<Long> onB = login(b, dirB, 60);
        Set<Integer> masters = new HashSet<>();
        for (long p : onA) {
            masters.add(cluster.nodeOfKey(RouteKey.gateway(Long.toString(p)).redisKey()));
        }
        assertThat(masters).hasSize(cluster.size());
        RedisPusher sdk = RedisPusher.builder(redis).senderId("cluster-test").build();
        List<Long> all = new ArrayList<>(onA);
        all.addAll(onB);
        // The MGETs span slots of every master; one PUBLISH per gateway crosses the cluster bus.
        assertThat(get(sdk.multicast(all, HELLO))).isEqualTo(120);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> a.deliveries("multicast").stream()
                .anyMatch(d -> new HashSet<>(d.ids).equals(new HashSet<>(onA))));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> b.deliveries("multicast").stream()
                .anyMatch(d -> new HashSet<>(d.ids).equals(new HashSet<>(onB))));
        int seenA = a.deliveries("broadcast").size();
        int seenB = b.deliveries("broadcast").size();
        // On a cluster the PUBLISH reply counts the subscribers of one node only: a lower bound.
        assertThat(get(sdk.broadcast(HELLO, Audience.all()))).isBetween(0, 2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> a.deliveries("broadcast").size() == seenA + 1
                && b.deliveries("broadcast").size() == seenB + 1);
    }

    @Test
    void aDuplicateLoginAcrossGatewaysKicksTheOlderSessionOnEachMaster() throws Exception {
        for (int node = 0; node < cluster.size(); node++) {
            long p;
            do {
                p = PLAYERS.incrementAndGet();
            } while (cluster.nodeOfKey(RouteKey.gateway(Long.toString(p)).redisKey()) != node);
            SessionInfo older = a.login(p);
            get(dirA.register(older, DuplicateLoginPolicy.KICK_OLD));
            SessionInfo newer = b.login(p);
            get(dirB.register(newer, DuplicateLoginPolicy.KICK_OLD));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !a.isOpen(older));
            assertThat(a.closeReason(older)).isEqualTo(Reason.DUPLICATE_LOGIN);
            assertThat(get(redis.async().get(RouteKey.gateway(Long.toString(p)).redisKey())))
                    .isEqualTo("cl-b/" + newer.sessionId());
        }
    }

    @Test
    void theRouterClaimsAndMovesRoutesOnACluster() throws Exception {
        StaticDiscovery discovery = new StaticDiscovery(List.of(
                ServiceInstance.of("battle", "b-1", "inproc:b-1", Map.of()),
                ServiceInstance.of("battle", "b-2", "inproc:b-2", Map.of())));
        try (RedisRouter router = RedisRouter.builder(discovery, ModuleRoutes.builder().defaultService("battle").build())
                .redis(redis).build()) {
            for (int i = 0; i < 30; i++) {
                long p = PLAYERS.incrementAndGet();
                SessionInfo s = new SessionInfo(p, "cl-a", "tcp", "127.0.0.1:1", Identity.of(p));
                ServiceInstance first = get(router.route(s, 1, 0));
                RouteKey key = RouteKey.service(Long.toString(p), "battle");
                assertThat(get(redis.async().get(key.redisKey()))).isEqualTo(first.id());
                if (i == 0) {
                    get(discovery.deregister(first));
                    ServiceInstance moved = get(router.route(s, 1, 0));
                    assertThat(moved).isNotEqualTo(first);
                    assertThat(get(redis.async().get(key.redisKey()))).isEqualTo(moved.id());
                    get(discovery.register(first));
                }
            }
        }
    }
}
