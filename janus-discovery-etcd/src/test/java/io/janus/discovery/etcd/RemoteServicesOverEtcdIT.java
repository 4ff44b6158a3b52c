package io.janus.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.tunnel.grpc.GameServiceServer;
import io.janus.transport.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole remote path with a real etcd: a game service registers itself in etcd, a gateway finds it
 * there and forwards a client's requests over the gRPC tunnel; etcd is killed and restarted while the
 * client keeps sending, and every request is answered (routing reads the snapshot, never etcd), and the
 * registration is back within one TTL.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RemoteServicesOverEtcdIT {

    private static final int TTL_SECONDS = 3;
    private static EtcdServer etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdServer.start();
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static EtcdDiscovery discovery() {
        return EtcdDiscovery.builder().endpoints(etcd.endpoint()).prefix("/janus-e2e/").ttl(Duration.ofSeconds(TTL_SECONDS))
                .build();
    }

    @Test
    void requestsReachAServiceFoundInEtcdAndSurviveAnEtcdRestart() throws Exception {
        etcd.ensureRunning();
        try (EtcdDiscovery serviceSide = discovery();
                GameServiceServer service = GameServiceServer.builder().service("game", TestGame.handlers())
                        .instanceId("game-1").discovery(serviceSide).threads(1).build()) {
            service.start().get(20, TimeUnit.SECONDS);
            Gateway gateway = Gateway.builder()
                    .identity(TestKeys.GATEWAY)
                    .transport(TcpTransport.builder()
                            .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build())
                    .authenticator(TestGame.authenticator())
                    .tunnel("grpc", Map.of())
                    .discovery("etcd", Map.of("endpoints", etcd.endpoint(), "prefix", "/janus-e2e/",
                            "ttl", String.valueOf(TTL_SECONDS)))
                    .routes(ModuleRoutes.builder().defaultService("game").build())
                    .workerThreads(2)
                    .shutdownTimeout(Duration.ofSeconds(2))
                    .build();
            try (gateway; JanusClient client = TestKeys.client().build()) {
                gateway.start().get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(gateway::isReady);
                ClientSession session = client.connect(gateway.address("tcp"), "player-5")
                        .get(10, TimeUnit.SECONDS);
                assertThat(echo(session, "before")).isEqualTo("before");

                etcd.kill9();
                for (int i = 0; i < 10; i++) {
                    assertThat(echo(session, "down-" + i)).isEqualTo("down-" + i);
                    Thread.sleep(100);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> !serviceSide.isHealthy());

                long restarted = System.nanoTime();
                etcd.restart(true); // data lost: the service must register again on its own
                await().atMost(Duration.ofSeconds(TTL_SECONDS + 5)).until(() -> serviceSide.isHealthy()
                        && registeredInEtcd());
                assertThat(Duration.ofNanos(System.nanoTime() - restarted))
                        .isLessThan(Duration.ofSeconds(TTL_SECONDS + 5));
                assertThat(echo(session, "after")).isEqualTo("after");
                // A new session routes through the refreshed snapshot too.
                ClientSession later = client.connect(gateway.address("tcp"), "player-6").get(10, TimeUnit.SECONDS);
                assertThat(echo(later, "new")).isEqualTo("new");
            }
        }
    }

    /** Reads etcd itself, not a snapshot: is the service's key there again? */
    private static boolean registeredInEtcd() {
        try (io.etcd.jetcd.Client raw = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
            return raw.getKVClient().get(io.etcd.jetcd.ByteSequence.from("/janus-e2e/game/game-1",
                    java.nio.charset.StandardCharsets.UTF_8)).get(2, TimeUnit.SECONDS).getCount() == 1;
        } catch (Exception e) {
            return false;
        }
    }

    private static String echo(ClientSession session, String text) {
        return session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8(text))
                .orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8();
    }
}
