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
import io.janus.core.SessionOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * permessage-deflate (RFC 7692): not negotiated unless the transport turns it on; when on, janus-client
 * uses it end to end, and a message that inflates past maxFrameLength is refused, not inflated.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsCompressionTest {

    private static final int MAX_FRAME = 64 * 1024;
    private static final Map<String, String> OFFER = Map.of("Sec-WebSocket-Extensions", "permessage-deflate");

    private Gateway gateway;

    private void start(boolean compression) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(WsTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .compression(compression).build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(SessionOptions.builder().maxFrameLength(MAX_FRAME).build())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void offByDefault() throws IOException {
        start(false);
        try (RawWebSocket ws = RawWebSocket.connect(gateway.address("ws"))) {
            RawWebSocket.HttpAnswer answer = ws.upgrade("/janus", OFFER);
            assertThat(answer.status()).isEqualTo(101);
            assertThat(answer.header("Sec-WebSocket-Extensions")).isNull();
        }
    }

    @Test
    void whenOnJanusClientUsesItEndToEnd() throws IOException {
        start(true);
        try (RawWebSocket ws = RawWebSocket.connect(gateway.address("ws"))) {
            assertThat(ws.upgrade("/janus", OFFER).header("Sec-WebSocket-Extensions")).contains("permessage-deflate");
        }
        try (JanusClient client = TestKeys.client()
                .transport(WsClientTransport.builder().compression(true).build()).build()) {
            ClientSession session = client.connect(gateway.address("ws"), "player-1")
                    .orTimeout(10, TimeUnit.SECONDS).join();
            byte[] body = new byte[MAX_FRAME - 256];
            ThreadLocalRandom.current().nextBytes(body);
            assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFrom(body)).join().toByteArray())
                    .isEqualTo(body);
        }
    }

    @Test
    void messageThatInflatesPastMaxFrameLengthIsRefused() throws IOException {
        start(true);
        try (RawWebSocket ws = RawWebSocket.connect(gateway.address("ws"))) {
            assertThat(ws.upgrade("/janus", OFFER).status()).isEqualTo(101);
            // 16 MiB of zeros deflate to about 16 KiB (RFC 7692 section 7.2.1: the trailing
            // 00 00 ff ff of a sync flush is left out).
            Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
            deflater.setInput(new byte[16 * 1024 * 1024]);
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
                compressed.write(buf, 0, n);
                if (deflater.needsInput()) {
                    break;
                }
            }
            deflater.end();
            byte[] payload = compressed.toByteArray();
            payload = Arrays.copyOf(payload, payload.length - 4);
            byte[] frame = RawWebSocket.frame(true, RawWebSocket.BINARY, payload, true);
            frame[0] |= 0x40; // RSV1: compressed
            ws.send(frame);

            RawWebSocket.Frame close = ws.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(Reason.FRAME_TOO_LARGE) == 1);
    }
}
