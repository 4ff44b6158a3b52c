package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.game.Audience;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Push;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.tunnel.grpc.GameServiceServer;
import io.janus.transport.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real gateways on a Redis Cluster of three masters started by the test: two gateways with the
 * {@code redis} directory and router in cluster mode ({@code redis.cluster=true}), two remote instances
 * of one game service, and janus-client players. Requests are routed through the service table spread
 * over the masters, every player sticks to one instance on both gateways, and the game service's
 * cluster pusher reaches players on both gateways.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class GatewaysOnRedisClusterIT {

    private static final int WHO = 3;
    private static final int PUSH_SEQ = 11;
    private static final AtomicLong PLAYERS = new AtomicLong(90_000);

    private static RedisCluster cluster;
    private static RedisRouteClient serviceRedis;
    private static RedisPusher sdk;
    private static StaticDiscovery discovery;
    private static final List<AutoCloseable> open = new ArrayList<>();
    private static Gateway a;
    private static Gateway b;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.shared();
        serviceRedis = RedisRouteClient.connect(cluster.options()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        sdk = RedisPusher.builder(serviceRedis).senderId("game-svc").build();
        discovery = new StaticDiscovery();
        for (String instance : List.of("game-1", "game-2")) {
            GameServiceServer service = GameServiceServer.builder()
                    .service("game", GameHandlers.builder()
                            // Answers with the instance that served the request.
                            .onNonBlocking(TestGame.MODULE, WHO, req -> ByteString.copyFromUtf8(instance))
                            .build())
                    .instanceId(instance).discovery(discovery).threads(1).build();
            service.start().get(20, TimeUnit.SECONDS);
            open.add(service);
        }
        a = gateway("gwc-a");
        b = gateway("gwc-b");
    }

    private static Map<String, String> clusterProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("redis.cluster", "true");
        p.put("redis.addresses", java.util.stream.IntStream.range(0, cluster.size())
                .mapToObj(i -> "127.0.0.1:" + cluster.port(i)).collect(Collectors.joining(",")));
        p.put("ttlMs", "3000");
        p.put("renewIntervalMs", "500");
        return p;
    }

    private static Gateway gateway(String id) throws Exception {
        Gateway gateway = Gateway.builder().id(id).identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .tunnel("grpc", Map.of())
                .discovery(discovery)
                .routes(ModuleRoutes.builder().defaultService("game").build())
                .router("redis", clusterProperties())
                .directory("redis", clusterProperties())
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        open.add(gateway);
        gateway.start().get(20, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(gateway::isReady);
        return gateway;
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (serviceRedis != null) {
            serviceRedis.close();
        }
        if (discovery != null) {
            discovery.close();
        }
    }

    private static final class Player implements AutoCloseable {
        final JanusClient client = TestKeys.client().transport("tcp").build();
        final ConcurrentLinkedQueue<Packet> pushes = new ConcurrentLinkedQueue<>();
        final ClientSession session;

        Player(Gateway gateway, long playerId) {
            session = client.connect(gateway.address("tcp"), "player-" + playerId).orTimeout(10, TimeUnit.SECONDS)
                    .join();
            session.onPush(pushes::add);
        }

        String who() {
            return session.request(TestGame.MODULE, WHO, ByteString.EMPTY).orTimeout(10, TimeUnit.SECONDS).join()
                    .toStringUtf8();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    @Test
    void routesStickAcrossGatewaysAndPushesReachBothGateways() throws Exception {
        List<Player> players = new ArrayList<>();
        try {
            Map<Long, String> instanceOf = new LinkedHashMap<>();
            for (int i = 0; i < 12; i++) {
                long id = PLAYERS.incrementAndGet();
                Player p = new Player(i % 2 == 0 ? a : b, id);
                players.add(p);
                instanceOf.put(id, p.who());
            }
            // Each player's claim is in the service table, on the master of the player's slot.
            int masters = (int) instanceOf.keySet().stream()
                    .map(id -> cluster.nodeOfKey(RouteKey.service(Long.toString(id), "game").redisKey()))
                    .distinct().count();
            assertThat(masters).as("masters holding the claims of 12 players").isGreaterThan(1);
            assertThat(instanceOf.values()).as("both instances serve someone").contains("game-1", "game-2");

            // The same player on the other gateway goes to the same instance: the claim is shared.
            long moved = players.get(0).session.playerId();
            players.get(0).close();
            try (Player again = new Player(b, moved)) {
                assertThat(again.who()).isEqualTo(instanceOf.get(moved));
            }

            List<Long> targets = players.subList(1, players.size()).stream().map(p -> p.session.playerId())
                    .collect(Collectors.toList());
            int found = sdk.multicast(targets, Push.of(TestGame.MODULE, PUSH_SEQ, ByteString.copyFromUtf8("hi")))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(found).isEqualTo(targets.size());
            sdk.broadcast(Push.of(TestGame.MODULE, PUSH_SEQ, ByteString.copyFromUtf8("all")), Audience.all())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> players.subList(1, players.size()).stream()
                    .allMatch(p -> received(p, "hi") && received(p, "all")));
        } finally {
            players.forEach(Player::close);
        }
    }

    private static boolean received(Player p, String body) {
        return p.pushes.stream().anyMatch(x -> x.getSeq() == PUSH_SEQ && x.getBody().toStringUtf8().equals(body));
    }
}
