package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
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
import io.janus.core.SessionOptions;
import io.janus.core.internal.GatewayRuntime;
import io.janus.core.protocol.HandshakeError;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Bad input from a real socket speaking HTTP and WebSocket by hand ({@link RawWebSocket}): each refusal
 * has its HTTP status or WebSocket close code, a gateway counter for its reason and a log line naming
 * it, and an honest session on the same gateway keeps working throughout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsBadInputTest {

    private static final int MAX_FRAME = 64 * 1024;

    private Gateway gateway;
    private JanusClient client;
    private ClientSession honest;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger sessionLogger = (Logger) LoggerFactory.getLogger(GatewayRuntime.SESSION_LOGGER);
    private final Logger transportLogger = (Logger) LoggerFactory.getLogger(WsServerSettings.LOGGER);

    private void start(UnaryOperator<WsTransport.Builder> options) {
        logs.start();
        sessionLogger.addAppender(logs);
        transportLogger.addAppender(logs);
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(options.apply(WsTransport.builder()
                        .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))).build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(SessionOptions.builder().maxFrameLength(MAX_FRAME).build())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().transport(WsClientTransport.builder().connectTimeoutMillis(5000).build())
                .build();
        honest = client.connect(address(), "player-1").orTimeout(10, TimeUnit.SECONDS).join();
    }

    private void start() {
        start(b -> b);
    }

    @AfterEach
    void stop() {
        sessionLogger.detachAppender(logs);
        transportLogger.detachAppender(logs);
        if (gateway != null) {
            gateway.close();
        }
        if (client != null) {
            client.close();
        }
    }

    private InetSocketAddress address() {
        return gateway.address("ws");
    }

    private RawWebSocket connect() throws IOException {
        return RawWebSocket.connect(address());
    }

    private RawWebSocket upgraded() throws IOException {
        RawWebSocket ws = connect();
        assertThat(ws.upgrade("/janus", Map.of()).status()).isEqualTo(101);
        return ws;
    }

    /** The reason is counted once and logged, and the honest session still gets answers. */
    private void assertReported(Reason reason) {
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(reason) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains(reason.name())));
        assertThat(honest.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("still here")).join())
                .isEqualTo(ByteString.copyFromUtf8("still here"));
        assertThat(gateway.sessions().size()).isEqualTo(1);
    }

    private static Map<String, String> without(String header) {
        Map<String, String> h = RawWebSocket.upgradeHeaders();
        h.put(header, null);
        return h;
    }

    // ---- WebSocket messages ----

    @Test
    void textMessageClosesWith1003() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            ws.sendFrame(true, RawWebSocket.TEXT, "hello".getBytes(StandardCharsets.UTF_8));

            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1003);
            assertThat(ws.closedByPeer()).isTrue();
        }
        assertReported(Reason.WS_UNSUPPORTED_DATA);
    }

    @Test
    void messageOverMaxFrameLengthIsRefusedFromItsDeclaredLengthWith1009() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            // Only the header: the gateway must not wait for, or buffer, the payload.
            ws.sendHeaderOnly(MAX_FRAME + 1);

            RawWebSocket.Frame refusal = ws.readFrame();
            assertThat(refusal.opcode()).isEqualTo(RawWebSocket.BINARY);
            assertThat(HandshakeError.parse(Unpooled.wrappedBuffer(refusal.payload())).reason())
                    .isEqualTo(Reason.FRAME_TOO_LARGE);
            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1009);
            assertThat(ws.closedByPeer()).isTrue();
        }
        assertReported(Reason.FRAME_TOO_LARGE);
    }

    @Test
    void declaredLengthOfTwoToTheSixtyThreeMinusOneIsRefusedWith1009() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            ws.sendHeaderOnly(Long.MAX_VALUE);

            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1009);
        }
        assertReported(Reason.FRAME_TOO_LARGE);
    }

    @Test
    void fragmentedMessageOverMaxFrameLengthIsRefusedWith1009() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            ws.sendFrame(false, RawWebSocket.BINARY, new byte[40 * 1024]);
            ws.sendFrame(false, RawWebSocket.CONTINUATION, new byte[40 * 1024]);

            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1009);
        }
        assertReported(Reason.FRAME_TOO_LARGE);
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage()
                .contains("fragmented message length 81920 so far exceeds maxFrameLength " + MAX_FRAME));
    }

    @Test
    void unmaskedClientFrameIsAProtocolErrorWith1002() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            ws.send(RawWebSocket.frame(true, RawWebSocket.BINARY, new byte[] {1, 2, 3}, false));

            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1002);
        }
        assertReported(Reason.WS_PROTOCOL_ERROR);
    }

    @Test
    void emptyBinaryMessageIsRefusedWith1008() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            ws.sendFrame(true, RawWebSocket.BINARY, new byte[0]);

            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1008);
        }
        assertReported(Reason.FRAME_EMPTY);
    }

    @Test
    void garbageInsideAWellFormedBinaryMessageFailsTheJanusHandshake() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            ws.sendFrame(true, RawWebSocket.BINARY, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0});

            RawWebSocket.Frame refusal = ws.readFrame();
            assertThat(HandshakeError.parse(Unpooled.wrappedBuffer(refusal.payload())).reason())
                    .isEqualTo(Reason.HANDSHAKE_FAILED);
            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
        }
        assertReported(Reason.HANDSHAKE_FAILED);
    }

    @Test
    void pingIsAnsweredWithAPongCarryingItsData() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            ws.sendFrame(true, RawWebSocket.PING, "are you there".getBytes(StandardCharsets.UTF_8));

            RawWebSocket.Frame pong = ws.readFrame();
            assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(new String(pong.payload(), StandardCharsets.UTF_8)).isEqualTo("are you there");
        }
        assertThat(gateway.stats().sessionsClosed()).doesNotContainKeys(Reason.WS_PROTOCOL_ERROR,
                Reason.WS_IDLE_TIMEOUT, Reason.WS_UNSUPPORTED_DATA);
    }

    @Test
    void gatewayPingsAtItsIntervalAndAPeerThatAnswersStaysPastTheIdleTimeout() throws IOException {
        start(b -> b.pingInterval(Duration.ofMillis(100)).idleTimeout(Duration.ofMillis(600)));
        long started = System.nanoTime();
        try (RawWebSocket ws = upgraded()) {
            int pings = 0;
            // Answer pings for twice the idle timeout: the connection must stay open.
            while (System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(1200)) {
                RawWebSocket.Frame f = ws.readFrame();
                assertThat(f).isNotNull();
                assertThat(f.opcode()).isEqualTo(RawWebSocket.PING);
                pings++;
                ws.sendFrame(true, RawWebSocket.PONG, f.payload());
            }
            assertThat(pings).isGreaterThanOrEqualTo(5);
        }
        assertThat(gateway.stats().sessionsClosed(Reason.WS_IDLE_TIMEOUT)).isZero();
    }

    @Test
    void peerThatAnswersNoPingIsClosedAtTheIdleTimeoutWith1001() throws IOException {
        // The honest client's WsClientTransport answers the pings, so only the raw peer goes idle.
        start(b -> b.pingInterval(Duration.ofMillis(100)).idleTimeout(Duration.ofMillis(500)));
        try (RawWebSocket ws = upgraded()) {
            long started = System.nanoTime();
            RawWebSocket.Frame close = ws.readUntilClose(); // skips the pings it does not answer
            assertThat(close.closeCode()).isEqualTo(1001);
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
            assertThat(ws.closedByPeer()).isTrue();
        }
        assertReported(Reason.WS_IDLE_TIMEOUT);
    }

    @Test
    void closeFrameFromThePeerIsAnsweredAndEndsTheSession() throws IOException {
        start();
        try (RawWebSocket ws = upgraded()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 2);
            ws.sendFrame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8});

            assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
            assertThat(ws.closedByPeer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 1);
    }

    // ---- HTTP before the upgrade ----

    @Test
    void wrongMethodIs405() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            RawWebSocket.HttpAnswer answer = ws.request("POST", "/janus", RawWebSocket.upgradeHeaders());
            assertThat(answer.status()).isEqualTo(405);
            assertThat(answer.header("Allow")).isEqualTo("GET");
            assertThat(ws.closedByPeer()).isTrue();
        }
        assertReported(Reason.WS_BAD_UPGRADE);
    }

    @Test
    void plainGetOfTheWebSocketPathIs426() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            RawWebSocket.HttpAnswer answer = ws.request("GET", "/janus", Map.of("Host", "127.0.0.1"));
            assertThat(answer.status()).isEqualTo(426);
            assertThat(answer.header("Upgrade")).isEqualToIgnoringCase("websocket");
        }
        assertReported(Reason.WS_BAD_UPGRADE);
    }

    @Test
    void missingKeyIs400() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            assertThat(ws.request("GET", "/janus", without("Sec-WebSocket-Key")).status()).isEqualTo(400);
        }
        assertReported(Reason.WS_BAD_UPGRADE);
    }

    @Test
    void keyThatIsNotSixteenBytesIs400() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            assertThat(ws.upgrade("/janus", Map.of("Sec-WebSocket-Key", "c2hvcnQ=")).status()).isEqualTo(400);
        }
        assertReported(Reason.WS_BAD_UPGRADE);
    }

    @Test
    void missingVersionIs400() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            assertThat(ws.request("GET", "/janus", without("Sec-WebSocket-Version")).status()).isEqualTo(400);
        }
        assertReported(Reason.WS_BAD_UPGRADE);
    }

    @Test
    void unsupportedVersionIs426NamingVersion13() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            RawWebSocket.HttpAnswer answer = ws.upgrade("/janus", Map.of("Sec-WebSocket-Version", "8"));
            assertThat(answer.status()).isEqualTo(426);
            assertThat(answer.header("Sec-WebSocket-Version")).isEqualTo("13");
        }
        assertReported(Reason.WS_BAD_UPGRADE);
    }

    @Test
    void wrongPathIs404() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            assertThat(ws.upgrade("/chat", Map.of()).status()).isEqualTo(404);
        }
        assertReported(Reason.WS_NOT_FOUND);
    }

    @Test
    void garbageBytesInsteadOfHttpAre400() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            byte[] garbage = new byte[64];
            Arrays.fill(garbage, (byte) 0xC3);
            ws.send(garbage);
            ws.send("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(ws.readHttp().status()).isEqualTo(400);
            assertThat(ws.closedByPeer()).isTrue();
        }
        assertReported(Reason.WS_BAD_REQUEST);
    }

    @Test
    void headersOverTheLimitAre431() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            Map<String, String> h = RawWebSocket.upgradeHeaders();
            h.put("X-Padding", "a".repeat(WsTransport.MAX_HEADER_SIZE + 1));
            assertThat(ws.request("GET", "/janus", h).status()).isEqualTo(431);
        }
        assertReported(Reason.WS_BAD_REQUEST);
    }

    @Test
    void requestLineOverTheLimitIs414() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            String path = "/janus?" + "a".repeat(WsTransport.MAX_INITIAL_LINE);
            assertThat(ws.request("GET", path, RawWebSocket.upgradeHeaders()).status()).isEqualTo(414);
        }
        assertReported(Reason.WS_BAD_REQUEST);
    }

    @Test
    void bodyOverTheLimitIs413() throws IOException {
        start();
        try (RawWebSocket ws = connect()) {
            Map<String, String> h = new LinkedHashMap<>(RawWebSocket.upgradeHeaders());
            h.put("Content-Length", Integer.toString(WsTransport.MAX_HTTP_BODY + 1));
            assertThat(ws.request("GET", "/janus", h).status()).isEqualTo(413);
        }
        assertReported(Reason.WS_BAD_REQUEST);
    }

    @Test
    void slowUpgradeIsCutAtTheUpgradeTimeoutWith408() throws IOException {
        start(b -> b.upgradeTimeout(Duration.ofMillis(300)));
        try (RawWebSocket ws = connect()) {
            ws.send("GET /janus HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(ws.readHttp().status()).isEqualTo(408);
            assertThat(ws.closedByPeer()).isTrue();
        }
        assertReported(Reason.WS_UPGRADE_TIMEOUT);
    }

    @Test
    void connectionsWaitingForTheirUpgradeAreBounded() throws IOException {
        start(b -> b.maxPendingUpgrades(2));
        try (RawWebSocket first = connect(); RawWebSocket second = connect(); RawWebSocket third = connect()) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> gateway.stats().sessionsClosed(Reason.CONNECTION_LIMIT) == 1);
            // Which of the three the transport saw last depends on the event loops' order: exactly one
            // was refused, and the two others still get their upgrade.
            int upgraded = 0;
            for (RawWebSocket ws : List.of(first, second, third)) {
                int status;
                try {
                    status = ws.upgrade("/janus", Map.of()).status();
                } catch (IOException | RuntimeException e) {
                    status = -1; // the refused one: closed by the gateway
                }
                if (status == 101) {
                    upgraded++;
                }
            }
            assertThat(upgraded).isEqualTo(2);
        }
        // Upgraded connections no longer count: a new one gets in.
        try (RawWebSocket later = connect()) {
            assertThat(later.upgrade("/janus", Map.of()).status()).isEqualTo(101);
        }
        assertReported(Reason.CONNECTION_LIMIT);
    }
}
