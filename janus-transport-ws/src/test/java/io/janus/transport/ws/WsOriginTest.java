package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The Origin allowlist on real connections: browser origins pass when no allowlist is set (the
 * reference gateway compared the Origin with the literal {@code *} and so refused every browser),
 * exact and wildcard entries admit what they name and nothing else, refusals are 403 before the
 * upgrade with {@link Reason#WS_ORIGIN_REFUSED} counted and logged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsOriginTest {

    private Gateway gateway;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger transportLogger = (Logger) LoggerFactory.getLogger(WsServerSettings.LOGGER);

    private void start(UnaryOperator<WsTransport.Builder> options) {
        logs.start();
        transportLogger.addAppender(logs);
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(options.apply(WsTransport.builder()
                        .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))).build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @AfterEach
    void stop() {
        transportLogger.detachAppender(logs);
        if (gateway != null) {
            gateway.close();
        }
    }

    private int upgradeStatus(String origin) throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(gateway.address("ws"))) {
            Map<String, String> h = RawWebSocket.upgradeHeaders();
            h.put("Origin", origin);
            return ws.request("GET", "/janus", h).status();
        }
    }

    /** Logs in and gets an echo through JanusClient, sending {@code origin} as a browser page would. */
    private void echoFrom(String origin) {
        try (JanusClient client = TestKeys.client()
                .transport(WsClientTransport.builder().origin(origin).connectTimeoutMillis(5000).build()).build()) {
            ClientSession session = client.connect(gateway.address("ws"), "player-1")
                    .orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("hi")).join())
                    .isEqualTo(ByteString.copyFromUtf8("hi"));
        }
    }

    private void assertRefusals(long count) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.WS_ORIGIN_REFUSED) == count);
        if (count > 0) {
            assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains(Reason.WS_ORIGIN_REFUSED.name()));
        }
    }

    @Test
    void withoutAnAllowlistABrowserOriginPasses() throws IOException {
        start(b -> b);

        assertThat(upgradeStatus("https://game.example.com")).isEqualTo(101);
        assertThat(upgradeStatus("http://localhost:8080")).isEqualTo(101);
        echoFrom("https://game.example.com");
        assertRefusals(0);
    }

    @Test
    void emptyAllowlistIsTheSameAsNone() throws IOException {
        start(b -> b.allowedOrigins(" , "));

        assertThat(upgradeStatus("https://anything.example.net")).isEqualTo(101);
        assertRefusals(0);
    }

    @Test
    void exactOriginPassesAndAnotherIsRefusedWith403() throws IOException {
        start(b -> b.allowedOrigins("https://game.example.com"));

        echoFrom("https://game.example.com");
        assertThat(upgradeStatus("HTTPS://Game.Example.com")).isEqualTo(101);
        assertThat(upgradeStatus("https://evil.example.org")).isEqualTo(403);
        assertThat(upgradeStatus("http://game.example.com")).isEqualTo(403);
        assertThat(upgradeStatus("https://game.example.com:8443")).isEqualTo(403);
        assertThat(upgradeStatus("null")).isEqualTo(403);
        assertRefusals(4);
    }

    @Test
    void refusedOriginFailsTheClientsConnect() {
        start(b -> b.allowedOrigins("https://game.example.com"));

        try (JanusClient client = TestKeys.client()
                .transport(WsClientTransport.builder().origin("https://evil.example.org").build()).build()) {
            assertThatThrownBy(() -> client.connect(gateway.address("ws"), "player-1")
                    .orTimeout(10, TimeUnit.SECONDS).join()).hasMessageContaining("403");
        }
        assertRefusals(1);
    }

    @Test
    void wildcardAdmitsSubdomainsOfItsSchemeOnly() throws IOException {
        start(b -> b.allowedOrigins("https://game.example.com, https://*.example.com"));

        echoFrom("https://play.example.com");
        assertThat(upgradeStatus("https://a.b.example.com")).isEqualTo(101);
        assertThat(upgradeStatus("https://example.com")).isEqualTo(403);
        assertThat(upgradeStatus("http://play.example.com")).isEqualTo(403);
        assertThat(upgradeStatus("https://play.example.com.evil.org")).isEqualTo(403);
        assertThat(upgradeStatus("https://evilexample.com")).isEqualTo(403);
        assertThat(upgradeStatus("https://x.example.com:8443")).isEqualTo(403);
        assertRefusals(5);
    }

    @Test
    void requestWithoutOriginPassesUnlessAnOriginIsRequired() throws IOException {
        start(b -> b.allowedOrigins("https://game.example.com"));
        assertThat(upgradeStatus(null)).isEqualTo(101);
        assertRefusals(0);
        gateway.close();

        start(b -> b.allowedOrigins("https://game.example.com").requireOrigin(true));
        assertThat(upgradeStatus(null)).isEqualTo(403);
        assertRefusals(1);
    }
}
