package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.RawConnection;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport's idle timeout and the session's do not fight: WebSocket pongs keep the connection
 * open at the transport level but never stand in for the Janus heartbeats the session layer expects,
 * and Janus heartbeats keep both alive.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsIdleInterplayTest {

    private Gateway gateway;
    private EventLoopGroup group;

    @BeforeEach
    void start() {
        group = EventLoops.newGroup(1, "interplay-client");
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                // Pings every 100 ms; the transport's idle timeout (45 s) never fires here.
                .transport(WsTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .pingInterval(Duration.ofMillis(100)).build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(SessionOptions.builder().idleTimeout(Duration.ofMillis(600))
                        .heartbeatInterval(Duration.ofMillis(150)).build())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @AfterEach
    void stop() {
        gateway.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void pongsDoNotKeepASessionWithoutHeartbeatsAlive() throws Exception {
        try (RawConnection conn = RawConnection.connectSecure(WsClientTransport.builder().build(),
                gateway.address("ws"), group)) {
            conn.login("player-3");
            Packet answer = conn.poll(Duration.ofSeconds(5));
            assertThat(answer.getStatus()).isZero();
            // The client's WsFrameCodec answers every ping, but sends no Janus frame.
            assertThat(conn.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(Reason.IDLE_TIMEOUT) == 1);
        assertThat(gateway.stats().sessionsClosed(Reason.WS_IDLE_TIMEOUT)).isZero();
    }

    @Test
    void heartbeatsKeepTheSessionAliveOverWebSocket() {
        try (JanusClient client = TestKeys.client().transport(WsClientTransport.builder().build()).build()) {
            ClientSession session = client.connect(gateway.address("ws"), "player-4")
                    .orTimeout(10, TimeUnit.SECONDS).join();
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(4)).until(session::isActive);
        }
        assertThat(gateway.stats().sessionsClosed(Reason.IDLE_TIMEOUT)).isZero();
        assertThat(gateway.stats().sessionsClosed(Reason.WS_IDLE_TIMEOUT)).isZero();
    }
}
