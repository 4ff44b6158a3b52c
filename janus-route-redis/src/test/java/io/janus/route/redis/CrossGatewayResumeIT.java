package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.Endpoint;
import io.janus.client.JanusClient;
import io.janus.client.SessionListener;
import io.janus.client.conformance.CuttableProxy;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.game.GameHandlers;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.spi.Transport;
import io.janus.core.tunnel.grpc.GameServiceServer;
import io.janus.transport.tcp.TcpTransport;
import io.janus.transport.ws.WsTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resume on another gateway (docs/protocol.md, section 14.6), end to end: a real redis-server, two real
 * gateways sharing a resume ticket key with the {@code redis} directory and router and the gRPC tunnel,
 * one remote game service, and the Java client reaching gateway A over TCP through a proxy the test cuts.
 * The client reconnects to gateway B over WebSocket and resumes there; B takes the session over from A.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class CrossGatewayResumeIT {

    private static final byte[] TICKET_KEY = new byte[32];
    /** Body: 4-byte start, 4-byte count; the service pushes obj = start .. start+count-1 over its stream. */
    private static final int PUSH_RANGE = 22;
    /** A blocking handler that waits for the test's gate, then echoes. */
    private static final int GATED = 20;
    private static final AtomicLong PLAYERS = new AtomicLong(90_000);

    static {
        for (int i = 0; i < TICKET_KEY.length; i++) {
            TICKET_KEY[i] = (byte) (31 * i + 5);
        }
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Long> closedAtService = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Semaphore started = new Semaphore(0);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private RedisServer redis;
    private GameServiceServer service;
    private StaticDiscovery discovery;
    private Gateway a;
    private Gateway b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        discovery = new StaticDiscovery();
        service = GameServiceServer.builder()
                .service("game", GameHandlers.builder()
                        .onNonBlocking(TestGame.MODULE, TestGame.ECHO, req -> req.body())
                        .onNonBlocking(TestGame.MODULE, PUSH_RANGE, TestGame.pushRange())
                        .on(TestGame.MODULE, GATED, TestGame.gated(started, gate))
                        .onSessionClosed(info -> closedAtService.add(info.sessionId()))
                        .build())
                .instanceId("game-1").discovery(discovery).threads(1).build();
        service.start().get(20, TimeUnit.SECONDS);
        a = gateway("gw-a", TcpTransport.builder().address(loopback()).build());
        b = gateway("gw-b", TcpTransport.builder().address(loopback()).build(),
                WsTransport.builder().address(loopback()).build());
    }

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (service != null) {
            service.close();
        }
        if (discovery != null) {
            discovery.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private Gateway gateway(String id, Transport... transports) throws Exception {
        Map<String, String> properties = Map.of("redis.addresses", "127.0.0.1:" + redis.port(), "ttlMs", "3000",
                "renewIntervalMs", "500");
        Gateway.Builder builder = Gateway.builder().id(id).identity(TestKeys.GATEWAY)
                .authenticator(TestGame.authenticator())
                .tunnel("grpc", Map.of())
                .discovery(discovery)
                .routes(ModuleRoutes.builder().defaultService("game").build())
                .router("redis", properties)
                .directory("redis", properties)
                .resumeTicketKey(TICKET_KEY)
                .sessionOptions(SessionOptions.builder().resumeWindow(Duration.ofSeconds(20))
                        .replayBuffer(8192, 8 * 1024 * 1024).requestTimeout(Duration.ofSeconds(30)).build())
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2));
        for (Transport t : transports) {
            builder.transport(t);
        }
        Gateway gateway = builder.build();
        resources.add(gateway);
        gateway.start().get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(gateway::isReady);
        return gateway;
    }

    /** Logs in through a proxy to A; the client may reconnect to B over WebSocket. */
    private ClientSession login(CuttableProxy proxy, long player) {
        return login(proxy, player, Endpoint.of("ws", b.address("ws")));
    }

    private ClientSession login(CuttableProxy proxy, long player, Endpoint reconnect) {
        JanusClient client = TestKeys.client().requestTimeout(Duration.ofSeconds(30))
                .resendBuffer(1024, 1024 * 1024)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .reconnectAttemptTimeout(Duration.ofSeconds(10))
                .reconnectEndpoint(reconnect)
                .build();
        resources.add(client);
        ClientSession session = client.connect(proxy.address(), "player-" + player).orTimeout(10, TimeUnit.SECONDS)
                .join();
        session.addListener(new SessionListener() {
            @Override
            public void reconnecting(int attempt, Throwable cause) {
                events.add("reconnecting");
            }

            @Override
            public void resumed() {
                events.add("resumed");
            }

            @Override
            public void closed(CloseReason reason) {
                events.add("closed " + reason.reason());
            }
        });
        assertThat(session.isResumable()).isTrue();
        return session;
    }

    private CuttableProxy proxyToA() throws Exception {
        CuttableProxy proxy = new CuttableProxy(a.address("tcp"));
        resources.add(proxy);
        return proxy;
    }

    private RedisSessionDirectory directory(Gateway gateway) {
        return (RedisSessionDirectory) gateway.directory();
    }

    @Test
    void aBurstOfPushesSurvivesAResumeOnTheSecondGatewayOnceAndInOrder() throws Exception {
        CuttableProxy proxy = proxyToA();
        ClientSession session = login(proxy, PLAYERS.incrementAndGet());
        long sessionId = session.sessionId();
        List<Long> pushes = new CopyOnWriteArrayList<>();
        int count = 600;
        session.onPush(push -> {
            pushes.add(push.getObj());
            if (pushes.size() == 100) {
                // Off the event loop: the proxy closes sockets. New connections to A are refused, so the
                // client's next attempt goes to B.
                CompletableFuture.runAsync(() -> {
                    proxy.refuse(true);
                    proxy.cut();
                });
            }
        });

        CompletableFuture<ByteString> burst = session.request(TestGame.MODULE, PUSH_RANGE, TestGame.rangeBody(0, count));

        assertThat(burst.get(30, TimeUnit.SECONDS)).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> pushes.size() >= count);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            expected.add(i);
        }
        assertThat(pushes).as("every push once, in order").isEqualTo(expected);
        assertThat(events).contains("reconnecting").last().isEqualTo("resumed");
        assertThat(b.stats().sessionsResumed()).isEqualTo(1);
        assertThat(a.stats().sessionsClosed(Reason.SESSION_MOVED)).isEqualTo(1);
        assertThat(directory(b).sessionsTakenOver()).isEqualTo(1);
        assertThat(directory(a).sessionsHandedOver()).isEqualTo(1);
        assertThat(session.sessionId()).isEqualTo(sessionId);

        // The session goes on at B, with its streams to the game service, which never saw it close.
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("on b"))
                .get(10, TimeUnit.SECONDS)).isEqualTo(ByteString.copyFromUtf8("on b"));
        session.request(TestGame.MODULE, PUSH_RANGE, TestGame.rangeBody(count, 10)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> pushes.size() == count + 10);
        assertThat(pushes.get(pushes.size() - 1)).isEqualTo(count + 9L);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.sessions().size() == 0);
        assertThat(b.sessions().session(sessionId)).isNotNull();
        assertThat(closedAtService).doesNotContain(sessionId);

        // It ends at B: the game service hears of it once, and the directory entry goes.
        session.logout().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> closedAtService.contains(sessionId));
        assertThat(closedAtService).containsOnlyOnce(sessionId);
        await().atMost(Duration.ofSeconds(10)).until(() -> directory(b).localEntries() == 0);
    }

    @Test
    void aRequestInFlightOnTheFirstGatewayIsAnsweredAfterTheResumeOnTheSecond() throws Exception {
        CuttableProxy proxy = proxyToA();
        ClientSession session = login(proxy, PLAYERS.incrementAndGet());
        CompletableFuture<ByteString> inFlight = session.request(TestGame.MODULE, GATED,
                ByteString.copyFromUtf8("answered at a, delivered by b"));
        assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

        proxy.refuse(true);
        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("resumed"));
        assertThat(b.stats().sessionsResumed()).isEqualTo(1);
        assertThat(inFlight).isNotDone();
        gate.countDown(); // the answer comes back to A's stream; A forwards it to B

        assertThat(inFlight.get(20, TimeUnit.SECONDS)).isEqualTo(ByteString.copyFromUtf8("answered at a, delivered by b"));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.sessions().size() == 0);
        assertThat(closedAtService).doesNotContain(session.sessionId());
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("next"))
                .get(10, TimeUnit.SECONDS)).isEqualTo(ByteString.copyFromUtf8("next"));
    }

    @Test
    void aSessionMovesToTheSecondGatewayAndBackWithEveryPushOnceAndInOrder() throws Exception {
        CuttableProxy toA = proxyToA();
        CuttableProxy toB = new CuttableProxy(b.address("tcp"));
        resources.add(toB);
        ClientSession session = login(toA, PLAYERS.incrementAndGet(), Endpoint.of("tcp", toB.address()));
        List<Long> pushes = new CopyOnWriteArrayList<>();
        session.onPush(push -> pushes.add(push.getObj()));
        session.request(TestGame.MODULE, PUSH_RANGE, TestGame.rangeBody(0, 50)).get(10, TimeUnit.SECONDS);

        toA.refuse(true);
        toA.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> b.stats().sessionsResumed() == 1);
        session.request(TestGame.MODULE, PUSH_RANGE, TestGame.rangeBody(50, 50)).get(10, TimeUnit.SECONDS);

        toA.refuse(false);
        toB.refuse(true);
        toB.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> a.stats().sessionsResumed() == 1);
        session.request(TestGame.MODULE, PUSH_RANGE, TestGame.rangeBody(100, 50)).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> pushes.size() >= 150);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 150; i++) {
            expected.add(i);
        }
        assertThat(pushes).isEqualTo(expected);
        assertThat(events).filteredOn("resumed"::equals).hasSize(2);
        assertThat(a.stats().sessionsClosed(Reason.SESSION_MOVED)).isOne();
        assertThat(b.stats().sessionsClosed(Reason.SESSION_MOVED)).isOne();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.sessions().size() == 0);
        assertThat(a.sessions().session(session.sessionId())).isNotNull();
        assertThat(closedAtService).doesNotContain(session.sessionId());
    }

    @Test
    void aResumeOnTheSecondGatewayIsRefusedWithSessionGoneWhenTheFirstGatewayIsGone() throws Exception {
        CuttableProxy toA = proxyToA();
        CuttableProxy toB = new CuttableProxy(b.address("tcp"));
        resources.add(toB);
        toB.refuse(true);
        ClientSession session = login(toA, PLAYERS.incrementAndGet(), Endpoint.of("tcp", toB.address()));
        toA.refuse(true);
        toA.cut();
        await().atMost(Duration.ofSeconds(10)).until(session::isReconnecting);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().sessionsDetached() == 1);

        a.close(); // the detached session ends with it, and its directory entry
        toB.refuse(false);

        CloseReason reason = session.closeFuture().get(30, TimeUnit.SECONDS);
        assertThat(reason.reason()).isEqualTo(Reason.RESUME_SESSION_GONE);
        assertThat(b.stats().sessionsResumed()).isZero();
        assertThat(b.stats().sessionsClosed(Reason.RESUME_SESSION_GONE)).isEqualTo(1);
        // The refused connection's own session leaves the registry once its connection closed.
        await().atMost(Duration.ofSeconds(5)).until(() -> b.sessions().size() == 0);
    }
}
