package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.game.GameHandlers;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.tunnel.grpc.GameServiceServer;
import io.janus.transport.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Redis router in a real gateway: two remote game-service instances over the gRPC tunnel, a real
 * redis-server, a Janus client over TCP. The player's claim sticks to one instance; when that instance
 * goes away the player's very next request is served by the other, and the claim in Redis follows;
 * while Redis is down requests keep flowing from the cache.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RedisRouterGatewayIT {

    private static final int WHO = 9;

    private static GameServiceServer instance(String id, StaticDiscovery discovery) throws Exception {
        GameServiceServer server = GameServiceServer.builder()
                .service("game", GameHandlers.builder()
                        .onNonBlocking(TestGame.MODULE, WHO, req -> ByteString.copyFromUtf8(id))
                        .build())
                .instanceId(id).discovery(discovery).threads(1).build();
        server.start().get(20, TimeUnit.SECONDS);
        return server;
    }

    private static String who(ClientSession session) {
        return session.request(TestGame.MODULE, WHO, ByteString.EMPTY).orTimeout(10, TimeUnit.SECONDS).join()
                .toStringUtf8();
    }

    @Test
    void aPlayerSticksToItsInstanceFollowsItsReplacementAndSurvivesARedisOutage() throws Exception {
        RedisServer redisServer = RedisServer.start();
        StaticDiscovery discovery = new StaticDiscovery();
        GameServiceServer one = instance("game-1", discovery);
        GameServiceServer two = instance("game-2", discovery);
        Gateway gateway = Gateway.builder().id("gw-router").identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .tunnel("grpc", Map.of())
                .discovery(discovery)
                .routes(ModuleRoutes.builder().defaultService("game").build())
                .router("redis", Map.of("redis.addresses", "127.0.0.1:" + redisServer.port(),
                        "ttlMs", "3000", "cacheTtlMs", "200"))
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        try (RedisRouteClient redis = RedisRouteClient.connect(redisServer.options()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS); JanusClient client = TestKeys.client().build()) {
            gateway.start().get(20, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(gateway::isReady);
            ClientSession session = client.connect(gateway.address("tcp"), "player-8080").get(10, TimeUnit.SECONDS);
            String key = RouteKey.service("8080", "game").redisKey();
            // The router connects in the background: the first requests may be routed by hash.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> who(session).equals(redis.async().get(key).get(2, TimeUnit.SECONDS)));
            String owner = who(session);
            for (int i = 0; i < 20; i++) {
                assertThat(who(session)).isEqualTo(owner);
            }

            GameServiceServer ownerServer = owner.equals("game-1") ? one : two;
            String other = owner.equals("game-1") ? "game-2" : "game-1";
            ownerServer.close(); // deregisters from discovery, then stops
            assertThat(who(session)).isEqualTo(other);
            assertThat(redis.async().get(key).get(2, TimeUnit.SECONDS)).isEqualTo(other);

            redisServer.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !redis.isConnected());
            for (int i = 0; i < 50; i++) {
                assertThat(who(session)).isEqualTo(other);
            }
            redisServer.restart();
            // The renewal claims the route again in the empty Redis, for the same instance.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> other.equals(redis.async().get(key).get(2, TimeUnit.SECONDS)));
            assertThat(who(session)).isEqualTo(other);
        } finally {
            gateway.close();
            one.close();
            two.close();
            discovery.close();
            redisServer.stop();
        }
    }
}
