package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.routing.HashRing;
import io.janus.core.routing.InstanceHealth;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.Identity;
import io.janus.core.spi.Router;
import io.janus.core.spi.RouterContext;
import io.janus.core.spi.RouterRegistry;
import io.janus.core.spi.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis router against a real redis-server, with instances in a static discovery. */
final class RedisRouterTest {

    private static final AtomicLong PLAYERS = new AtomicLong(5_000_000);
    private static final int BATTLE = 1;
    private static final int ROOM = 6;
    private static final ModuleRoutes ROUTES = ModuleRoutes.builder()
            .route(BATTLE, "battle", ModuleRoutes.Key.PLAYER)
            .route(ROOM, "room", ModuleRoutes.Key.OBJECT)
            .build();
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

    private static ServiceInstance instance(String service, String id) {
        return ServiceInstance.of(service, id, "inproc:" + id, Map.of());
    }

    private static StaticDiscovery discovery() {
        return new StaticDiscovery(List.of(instance("battle", "b-1"), instance("battle", "b-2"),
                instance("battle", "b-3"), instance("room", "r-1"), instance("room", "r-2")));
    }

    private static SessionInfo session(long player) {
        return new SessionInfo(player * 10, "gw", "tcp", "127.0.0.1:1", Identity.of(player));
    }

    private static long player() {
        return PLAYERS.incrementAndGet();
    }

    private RedisRouter router(Discovery discovery, RedisRouteClient client, InstanceHealth health) {
        RedisRouter r = RedisRouter.builder(discovery, ROUTES).redis(client).health(health).ttl(TTL)
                .renewInterval(RENEW).build();
        open.add(r);
        return r;
    }

    private RedisRouter router(Discovery discovery) {
        return router(discovery, redis, new InstanceHealth());
    }

    private static String owner(RouteKey key) throws Exception {
        return get(redis.async().get(key.redisKey()));
    }

    @Test
    void aFirstRouteClaimsTheHashPickAndLaterRoutesStick() throws Exception {
        StaticDiscovery d = discovery();
        RedisRouter a = router(d);
        long p = player();
        ServiceInstance first = get(a.route(session(p), BATTLE, 0));
        ServiceInstance expected = HashRing.of(d.instances("battle")).pick(p);
        assertThat(first).isEqualTo(expected);
        assertThat(owner(RouteKey.service(Long.toString(p), "battle"))).isEqualTo(first.id());
        for (int i = 0; i < 5; i++) {
            assertThat(get(a.route(session(p), BATTLE, 0))).isEqualTo(first);
        }
        // A second gateway reads the same claim.
        RedisRouter b = router(d);
        assertThat(get(b.route(session(p), BATTLE, 0))).isEqualTo(first);
    }

    @Test
    void anExistingClaimWinsOverTheHashPick() throws Exception {
        StaticDiscovery d = discovery();
        long p = player();
        String pick = HashRing.of(d.instances("battle")).pick(p).id();
        String other = pick.equals("b-2") ? "b-3" : "b-2";
        get(redis.async().set(RouteKey.service(Long.toString(p), "battle").redisKey(), other));
        RedisRouter a = router(d);
        assertThat(get(a.route(session(p), BATTLE, 0)).id()).isEqualTo(other);
    }

    @Test
    void aDeadInstancesPlayersAreReroutedOnTheirNextPacketOnEveryGateway() throws Exception {
        StaticDiscovery d = discovery();
        RedisRouter a = router(d);
        RedisRouter b = router(d);
        long p = player();
        ServiceInstance owner = get(a.route(session(p), BATTLE, 0));
        assertThat(get(b.route(session(p), BATTLE, 0))).isEqualTo(owner); // cached on both now
        get(d.deregister(owner));
        ServiceInstance moved = get(a.route(session(p), BATTLE, 0));
        assertThat(moved.id()).isNotEqualTo(owner.id());
        assertThat(owner(RouteKey.service(Long.toString(p), "battle"))).isEqualTo(moved.id());
        // Gateway B held the dead owner in its cache: its compare-and-swap loses, it adopts A's choice.
        assertThat(get(b.route(session(p), BATTLE, 0))).isEqualTo(moved);
    }

    @Test
    void anInstanceTheTunnelReportsFailingIsLeftForAnotherUsableOne() throws Exception {
        StaticDiscovery d = discovery();
        InstanceHealth health = new InstanceHealth();
        RedisRouter a = router(d, redis, health);
        long p = player();
        ServiceInstance owner = get(a.route(session(p), BATTLE, 0));
        health.failed(owner);
        ServiceInstance moved = get(a.route(session(p), BATTLE, 0));
        assertThat(moved).isNotEqualTo(owner);
        assertThat(owner(RouteKey.service(Long.toString(p), "battle"))).isEqualTo(moved.id());
    }

    @Test
    void objectModulesRouteByTheObjectIdWhoeverSends() throws Exception {
        StaticDiscovery d = discovery();
        RedisRouter a = router(d);
        long room = 4242;
        ServiceInstance first = get(a.route(session(player()), ROOM, room));
        for (int i = 0; i < 5; i++) {
            assertThat(get(a.route(session(player()), ROOM, room))).isEqualTo(first);
        }
        assertThat(first.service()).isEqualTo("room");
        assertThat(owner(RouteKey.object("room", Long.toString(room)))).isEqualTo(first.id());
    }

    @Test
    void claimsAreRenewedWhileUsedAndSessionClosedReleasesThePlayersOnly() throws Exception {
        StaticDiscovery d = discovery();
        RedisRouter a = router(d);
        long p = player();
        SessionInfo s = session(p);
        get(a.route(s, BATTLE, 0));
        get(a.route(s, ROOM, 77));
        RouteKey playerKey = RouteKey.service(Long.toString(p), "battle");
        long rounds = a.renewalRounds();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.renewalRounds() >= rounds + 8);
        // Well past the 600 ms TTL: renewed.
        assertThat(owner(playerKey)).isNotNull();
        assertThat(a.trackedClaims()).isEqualTo(1); // the idle room claim was left to expire
        a.sessionClosed(s);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> owner(playerKey) == null);
        assertThat(a.trackedClaims()).isZero();
    }

    @Test
    void noServiceAndNoInstanceFailWithTheirReasons() throws Exception {
        RedisRouter a = router(new StaticDiscovery(List.of()));
        assertThatThrownBy(() -> get(a.route(session(player()), 99, 0))).isInstanceOf(ExecutionException.class)
                .cause().satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.NO_ROUTE));
        assertThatThrownBy(() -> get(a.route(session(player()), BATTLE, 0))).isInstanceOf(ExecutionException.class)
                .cause().satisfies(e -> assertThat(((JanusException) e).reason())
                        .isEqualTo(Reason.SERVICE_UNAVAILABLE));
    }

    @Test
    void whileRedisIsDownCachedRoutesHoldNewKeysUseTheHashPickAndAreClaimedAfterTheRestart() throws Exception {
        RedisServer own = RedisServer.start();
        try {
            RedisRouteClient client = get(RedisRouteClient.connect(own.options()));
            open.add(client);
            StaticDiscovery d = discovery();
            RedisRouter a = router(d, client, new InstanceHealth());
            long p = player();
            String pick = HashRing.of(d.instances("battle")).pick(p).id();
            String sticky = pick.equals("b-2") ? "b-3" : "b-2";
            get(client.async().set(RouteKey.service(Long.toString(p), "battle").redisKey(), sticky));
            assertThat(get(a.route(session(p), BATTLE, 0)).id()).isEqualTo(sticky);

            own.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.isConnected());
            for (int i = 0; i < 20; i++) {
                assertThat(get(a.route(session(p), BATTLE, 0)).id()).isEqualTo(sticky);
            }
            long q = player();
            ServiceInstance fallback = get(a.route(session(q), BATTLE, 0));
            assertThat(fallback).isEqualTo(HashRing.of(d.instances("battle")).pick(q));
            assertThat(a.fallbackRoutes()).isPositive();

            own.restart();
            RouteKey qKey = RouteKey.service(Long.toString(q), "battle");
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> fallback.id().equals(get(client.async().get(qKey.redisKey()))));
            // The sticky claim was lost with Redis' data; the renewal claims it again for the same owner.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> sticky.equals(get(client.async().get(
                            RouteKey.service(Long.toString(p), "battle").redisKey()))));
            assertThat(get(a.route(session(p), BATTLE, 0)).id()).isEqualTo(sticky);
        } finally {
            own.stop();
        }
    }

    @Test
    void theProviderIsFoundByNameConnectsInTheBackgroundAndRoutes() throws Exception {
        StaticDiscovery d = discovery();
        RouterContext context = new RouterContext() {
            @Override
            public Discovery discovery() {
                return d;
            }

            @Override
            public ModuleRoutes routes() {
                return ROUTES;
            }

            @Override
            public Map<String, String> properties() {
                return Map.of("redis.addresses", "127.0.0.1:" + server.port(),
                        "ttlMs", "3000", "cacheTtlMs", "100");
            }
        };
        Router r = RouterRegistry.getDefaultRegistry().getProvider("redis").newRouter(context);
        open.add(r);
        assertThat(r).isInstanceOf(RedisRouter.class);
        assertThat(RouterRegistry.getDefaultRegistry().getDefaultProvider().name()).isEqualTo("memory");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(((RedisRouter) r)::isConnected);
        long p = player();
        ServiceInstance routed = get(r.route(session(p), BATTLE, 0));
        assertThat(owner(RouteKey.service(Long.toString(p), "battle"))).isEqualTo(routed.id());
    }
}
