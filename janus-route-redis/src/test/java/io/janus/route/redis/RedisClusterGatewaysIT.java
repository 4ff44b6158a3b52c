package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.janus.api.Packet;
import io.janus.api.PlayerList;
import io.janus.api.PushReply;
import io.janus.api.PushRequest;
import io.janus.api.PushServiceGrpc;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.game.Audience;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Push;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.spi.Transport;
import io.janus.core.tunnel.grpc.GameServiceServer;
import io.janus.transport.kcp.KcpTransport;
import io.janus.transport.tcp.TcpTransport;
import io.janus.transport.ws.WsTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two real gateways sharing one real redis-server and one remote game service: gateway A on TCP,
 * gateway B on TCP, WebSocket and KCP, both with the {@code redis} session directory and router and
 * the gRPC tunnel and the push service; the game service reaches players with its own
 * {@link RedisPusher}; clients are janus-client over loopback.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class RedisClusterGatewaysIT {

    /** The test's own module on the game service: body = comma-separated player ids, multicast to them. */
    private static final int CLUSTER = 2;
    private static final int MULTICAST = 1;
    private static final int PUSH_SEQ = 9;
    private static final AtomicLong PLAYERS = new AtomicLong(70_000);

    private static RedisServer redisServer;
    private static RedisRouteClient serviceRedis;
    private static RedisPusher sdk;
    private static StaticDiscovery discovery;
    private static GameServiceServer service;
    private static Gateway a;
    private static Gateway b;
    private static final List<AutoCloseable> open = new ArrayList<>();

    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        redisServer = RedisServer.start();
        serviceRedis = RedisRouteClient.connect(redisServer.options()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        sdk = RedisPusher.builder(serviceRedis).senderId("game-1").build();
        discovery = new StaticDiscovery();
        service = GameServiceServer.builder()
                .service("game", GameHandlers.builder()
                        .onNonBlocking(TestGame.MODULE, TestGame.ECHO, req -> req.body())
                        .onAsync(CLUSTER, MULTICAST, req -> {
                            List<Long> ids = Arrays.stream(req.body().toStringUtf8().split(","))
                                    .map(Long::parseLong).collect(Collectors.toList());
                            return sdk.multicast(ids, Push.of(CLUSTER, PUSH_SEQ, ByteString.copyFromUtf8("to all")))
                                    .thenApply(n -> ByteString.copyFromUtf8(Integer.toString(n)));
                        })
                        .build())
                .instanceId("game-1").discovery(discovery).threads(1).build();
        service.start().get(20, TimeUnit.SECONDS);
        a = gateway("gw-a", TcpTransport.builder().address(loopback()).build());
        b = gateway("gw-b", TcpTransport.builder().address(loopback()).build(),
                WsTransport.builder().address(loopback()).build(),
                KcpTransport.builder().address(loopback()).build());
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static Map<String, String> redisProperties() {
        return Map.of("redis.addresses", "127.0.0.1:" + redisServer.port(), "ttlMs", "3000",
                "renewIntervalMs", "500");
    }

    private static Gateway gateway(String id, Transport... transports) throws Exception {
        Gateway.Builder builder = Gateway.builder().id(id).identity(TestKeys.GATEWAY)
                .pushService(loopback())
                .authenticator(TestGame.authenticator())
                .tunnel("grpc", Map.of())
                .discovery(discovery)
                .routes(ModuleRoutes.builder().defaultService("game").build())
                .router("redis", redisProperties())
                .directory("redis", redisProperties())
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2));
        for (Transport t : transports) {
            builder.transport(t);
        }
        Gateway gateway = builder.build();
        open.add(gateway);
        gateway.start().get(20, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(gateway::isReady);
        return gateway;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (service != null) {
            service.close();
        }
        if (serviceRedis != null) {
            serviceRedis.close();
        }
        if (discovery != null) {
            discovery.close();
        }
        if (redisServer != null) {
            redisServer.stop();
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (int i = clients.size() - 1; i >= 0; i--) {
            clients.get(i).close();
        }
    }

    /** A logged-in player on a gateway and transport, recording the pushes it receives. */
    private final class Player {
        final ConcurrentLinkedQueue<Packet> pushes = new ConcurrentLinkedQueue<>();
        final ClientSession session;

        Player(Gateway gateway, String transport) {
            this(gateway, transport, PLAYERS.incrementAndGet());
        }

        Player(Gateway gateway, String transport, long playerId) {
            JanusClient client = TestKeys.client().transport(transport).build();
            clients.add(client);
            session = client.connect(gateway.address(transport), "player-" + playerId).orTimeout(10, TimeUnit.SECONDS)
                    .join();
            session.onPush(pushes::add);
        }

        long playerId() {
            return session.playerId();
        }

        boolean received(int seq, String body) {
            return pushes.stream().anyMatch(p -> p.getSeq() == seq && p.getBody().toStringUtf8().equals(body));
        }

        String echo(String text) {
            return session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8(text))
                    .orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8();
        }
    }

    @Test
    void aMulticastFromTheGameServiceReachesPlayersOnBothGateways() {
        Player onA = new Player(a, "tcp");
        Player onB = new Player(b, "tcp");
        Player onBws = new Player(b, "ws");
        String ids = onA.playerId() + "," + onB.playerId() + "," + onBws.playerId() + "," + PLAYERS.incrementAndGet();
        String found = onA.session.request(CLUSTER, MULTICAST, ByteString.copyFrom(ids, StandardCharsets.UTF_8))
                .orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8();
        assertThat(found).isEqualTo("3");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> onA.received(PUSH_SEQ, "to all")
                && onB.received(PUSH_SEQ, "to all") && onBws.received(PUSH_SEQ, "to all"));
    }

    @Test
    void thePushServiceOfOneGatewayReachesPlayersOnTheOther() throws Exception {
        Player onA = new Player(a, "tcp");
        Player onB = new Player(b, "kcp");
        ManagedChannel channel = NettyChannelBuilder.forAddress(a.pushAddress()).usePlaintext()
                .build();
        try {
            PushReply reply = PushServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .push(PushRequest.newBuilder()
                            .setPacket(Packet.newBuilder().setModule(CLUSTER).setSeq(PUSH_SEQ)
                                    .setBody(ByteString.copyFromUtf8("via push service")))
                            .setPlayers(PlayerList.newBuilder().addPlayerIds(onA.playerId())
                                    .addPlayerIds(onB.playerId()).addPlayerIds(PLAYERS.incrementAndGet()))
                            .build());
            assertThat(reply.getAccepted()).isEqualTo(2);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> onA.received(PUSH_SEQ, "via push service") && onB.received(PUSH_SEQ, "via push service"));
    }

    @Test
    void aBroadcastReachesSessionsOnAllThreeTransports() throws Exception {
        List<Player> players = List.of(new Player(a, "tcp"), new Player(b, "tcp"), new Player(b, "ws"),
                new Player(b, "kcp"));
        int gateways = sdk.broadcast(Push.of(CLUSTER, PUSH_SEQ, ByteString.copyFromUtf8("everyone")), Audience.all())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(gateways).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> players.stream().allMatch(p -> p.received(PUSH_SEQ, "everyone")));
        // The gateway's own pusher reaches the whole cluster too.
        a.pusher().broadcast(Push.of(CLUSTER, PUSH_SEQ, ByteString.copyFromUtf8("from A")), Audience.all())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> players.stream().allMatch(p -> p.received(PUSH_SEQ, "from A")));
    }

    @Test
    void aSecondLoginOnAnotherGatewayKicksTheOlderSessionWithDuplicateLogin() throws Exception {
        Player older = new Player(a, "tcp");
        assertThat(older.echo("hi")).isEqualTo("hi");
        Player newer = new Player(b, "kcp", older.playerId());
        assertThat(older.session.closeFuture().get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reason.DUPLICATE_LOGIN);
        assertThat(newer.echo("still here")).isEqualTo("still here");
        assertThat(sdk.pushToPlayer(older.playerId(), Push.of(CLUSTER, PUSH_SEQ, ByteString.copyFromUtf8("newer")))
                .toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> newer.received(PUSH_SEQ, "newer"));
    }

    /** Last: it stops and restarts the shared redis-server. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aRedisOutageKeepsSessionsWorkingRefusesLoginsAndEverythingResumesAfterARestart() throws Exception {
        Player onA = new Player(a, "tcp");
        Player onB = new Player(b, "ws");
        assertThat(onA.echo("before")).isEqualTo("before");
        assertThat(onB.echo("before")).isEqualTo("before");

        // Pushes in flight while redis-server is killed: each one completes, published or refused with
        // PUSH_UNAVAILABLE; none hangs and none fails otherwise.
        List<CompletableFuture<Integer>> during = new ArrayList<>();
        java.util.concurrent.ScheduledExecutorService pushing = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        java.util.concurrent.ScheduledFuture<?> loop = pushing.scheduleAtFixedRate(() -> {
            synchronized (during) {
                if (during.size() < 500) { // bounded: 500 pushes at most
                    during.add(sdk.multicast(List.of(onA.playerId(), onB.playerId()),
                            Push.of(CLUSTER, PUSH_SEQ, ByteString.copyFromUtf8("during"))).toCompletableFuture());
                }
            }
        }, 0, 5, TimeUnit.MILLISECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            synchronized (during) {
                return during.size() >= 20;
            }
        });
        redisServer.stop();
        try {
            whileRedisIsDown(onA, onB);
        } finally {
            loop.cancel(false);
            pushing.shutdown();
            redisServer.restart();
        }
        assertThat(pushing.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        int published = 0;
        int refused = 0;
        synchronized (during) {
            for (CompletableFuture<Integer> push : during) {
                try {
                    push.get(10, TimeUnit.SECONDS);
                    published++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(((JanusException) e.getCause()).reason()).isEqualTo(Reason.PUSH_UNAVAILABLE);
                    refused++;
                }
            }
        }
        assertThat(published).isPositive();
        assertThat(refused).isPositive();
        assertThat(sdk.inFlight()).as("nothing left waiting in the pusher").isZero();
        // The directories claim their sessions' entries again: pushes reach them, new logins work.
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> sdk.multicast(List.of(onA.playerId(), onB.playerId()),
                        Push.of(CLUSTER, PUSH_SEQ, ByteString.copyFromUtf8("back"))).toCompletableFuture()
                        .get(5, TimeUnit.SECONDS) == 2);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> onA.received(PUSH_SEQ, "back") && onB.received(PUSH_SEQ, "back"));
        assertThat(onA.received(PUSH_SEQ, "lost")).isFalse();
        Player later = new Player(b, "tcp");
        assertThat(later.echo("after")).isEqualTo("after");
        assertThat(onA.echo("after")).isEqualTo("after");
    }

    /** Sessions keep working from the routers' caches; pushes and logins fail fast with their reason. */
    private void whileRedisIsDown(Player onA, Player onB) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !serviceRedis.isConnected());
        List<CompletableFuture<Integer>> pushes = new ArrayList<>();
        for (int i = 0; i < 30; i++) { // under the sessions' rate limit (50/s, burst 100)
            // Requests keep being routed from the cache while pushes fail fast: nothing piles up.
            assertThat(onA.echo("down-" + i)).isEqualTo("down-" + i);
            assertThat(onB.echo("down-" + i)).isEqualTo("down-" + i);
            pushes.add(sdk.multicast(List.of(onA.playerId(), onB.playerId()),
                    Push.of(CLUSTER, PUSH_SEQ, ByteString.copyFromUtf8("lost"))).toCompletableFuture());
        }
        for (CompletableFuture<Integer> push : pushes) {
            assertThatThrownBy(() -> push.get(10, TimeUnit.SECONDS)).cause()
                    .satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.PUSH_UNAVAILABLE));
        }
        JanusClient refused = TestKeys.client().transport("tcp").build();
        clients.add(refused);
        assertThatThrownBy(() -> refused.connect(a.address("tcp"), "player-" + PLAYERS.incrementAndGet())
                .orTimeout(10, TimeUnit.SECONDS).join())
                .isInstanceOf(CompletionException.class)
                .cause().satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.DIRECTORY_UNAVAILABLE));
    }
}
