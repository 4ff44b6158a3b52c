package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.game.Push;
import io.janus.core.spi.ClientTransportRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * wss end to end: a gateway configured by name with PEM files of a certificate made in the test, and
 * janus-client trusting exactly that certificate; clients that do not trust it, and plaintext sent to
 * the TLS port, are refused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WssTest {

    @TempDir
    Path dir;

    private TestCertificate cert;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        cert = TestCertificate.create(dir);
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .listen("ws", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Map.of(
                        "tlsCertificate", cert.certificate.toString(),
                        "tlsPrivateKey", cert.privateKey.toString(),
                        "path", "/game"))
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void janusClientTalksToTheGatewayOverWss() {
        // Chosen by name, as configuration does, with the provider's properties.
        try (JanusClient client = TestKeys.client().transport("ws", Map.of(
                "path", "/game", "trustCertificate", cert.certificate.toString())).build()) {
            ClientSession session = client.connect(gateway.address("ws"), "player-5").orTimeout(10, TimeUnit.SECONDS)
                    .join();
            List<ByteString> pushes = new CopyOnWriteArrayList<>();
            session.onPush(p -> pushes.add(p.getBody()));

            assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("over tls")).join())
                    .isEqualTo(ByteString.copyFromUtf8("over tls"));
            assertThat(gateway.pusher().pushToPlayer(5, Push.of(3, 1, ByteString.copyFromUtf8("pushed")))
                    .toCompletableFuture().join()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> pushes.contains(ByteString.copyFromUtf8("pushed")));
        }
        assertThat(ClientTransportRegistry.getDefaultRegistry().getProvider("ws"))
                .isInstanceOf(WsClientTransportProvider.class);
    }

    @Test
    void clientThatTrustsAnotherCertificateIsRefused() throws Exception {
        TestCertificate other = TestCertificate.create(java.nio.file.Files.createDirectory(dir.resolve("other")));
        try (JanusClient client = TestKeys.client().transport(WsClientTransport.builder().path("/game")
                .trustCertificate(other.certificate).build()).build()) {
            assertThatThrownBy(() -> client.connect(gateway.address("ws"), "player-1")
                    .orTimeout(10, TimeUnit.SECONDS).join()).hasStackTraceContaining("SSLHandshakeException");
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.WS_BAD_REQUEST) == 1);
        assertThat(gateway.sessions().size()).isZero();
    }

    @Test
    void plaintextToTheTlsPortIsRefused() throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(gateway.address("ws"))) {
            ws.send("GET /game HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(ws.closedByPeer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.WS_BAD_REQUEST) == 1);
    }
}
