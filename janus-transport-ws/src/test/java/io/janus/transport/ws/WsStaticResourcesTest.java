package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Static files from the class path prefix {@code janus-test-web} (src/test/resources) next to the
 * WebSocket path: GET and HEAD of files with a known type, nothing outside the prefix, no hidden
 * files, no file over the size limit, and each refusal counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsStaticResourcesTest {

    private Gateway gateway;

    @BeforeEach
    void start() {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(WsTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .staticResources("janus-test-web").staticMaxBytes(2048).build())
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

    private RawWebSocket.HttpAnswer get(String method, String path) throws IOException {
        try (RawWebSocket http = RawWebSocket.connect(gateway.address("ws"))) {
            return http.request(method, path, Map.of("Host", "127.0.0.1"));
        }
    }

    @Test
    void servesFilesOfKnownTypesWithGetAndHead() throws IOException {
        RawWebSocket.HttpAnswer index = get("GET", "/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(index.body()).contains("<title>Janus test page</title>");
        assertThat(get("GET", "/index.html?v=2").body()).isEqualTo(index.body());

        RawWebSocket.HttpAnswer script = get("GET", "/js/app.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(script.header("X-Content-Type-Options")).isEqualTo("nosniff");

        RawWebSocket.HttpAnswer head = get("HEAD", "/index.html");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(index.body().length()));
        assertThat(gateway.stats().sessionsClosed()).isEmpty();
    }

    @Test
    void nothingOutsideThePrefixIsReachable() throws IOException {
        // outside.html exists on the class path, one level above the prefix.
        String[] attempts = {"/../outside.html", "/%2e%2e/outside.html", "/js/../../outside.html",
            "/js/%2E%2E/%2E%2E/outside.html", "/..%2Foutside.html", "/js%2F..%2F..%2Foutside.html",
            "/..\\outside.html", "//outside.html"};
        for (String path : attempts) {
            assertThat(get("GET", path).status()).as(path).isEqualTo(404);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.WS_NOT_FOUND) == attempts.length);
    }

    @Test
    void hiddenUnknownTypeMissingAndOversizedFilesAre404() throws IOException {
        assertThat(get("GET", "/.hidden/page.html").status()).isEqualTo(404);
        assertThat(get("GET", "/config.properties").status()).isEqualTo(404);
        assertThat(get("GET", "/missing.html").status()).isEqualTo(404);
        assertThat(get("GET", "/big.txt").status()).isEqualTo(404); // 3000 bytes, over staticMaxBytes
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(Reason.WS_NOT_FOUND) == 4);
    }

    @Test
    void otherMethodsAre405() throws IOException {
        RawWebSocket.HttpAnswer post = get("POST", "/index.html");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(Reason.WS_BAD_REQUEST) == 1);
    }

    @Test
    void theWebSocketPathStillUpgrades() {
        try (JanusClient client = TestKeys.client().transport(WsClientTransport.builder().build()).build()) {
            ClientSession session = client.connect(gateway.address("ws"), "player-1")
                    .orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("x")).join())
                    .isEqualTo(ByteString.copyFromUtf8("x"));
        }
    }
}
