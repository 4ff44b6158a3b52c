package io.janus.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import io.janus.core.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo gateway serves its browser page over the WebSocket transport's HTTP server, and a WebSocket
 * client doing what the page does (a short ClientHello) gets a HandshakeError with its reason.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DemoBrowserPageTest {

    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void thePageIsServedAndItsWebSocketGetsTheGatewaysAnswer() throws Exception {
        gateway = DemoMain.gateway(DemoSecrets.generate(), 0, 0).game(new DemoGame().handlers()).build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        int port = gateway.address("ws").getPort();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/web/index.html")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("new WebSocket(url)", "/janus");
        HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/chat/index.html")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(chat.body()).contains("janus-client.js");

        CompletableFuture<ByteBuffer> answer = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/janus"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
                        answer.complete(copy);
                        ws.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        socket.sendBinary(ByteBuffer.wrap(new byte[] {0x01, 0x01, 0x00}), true).get(5, TimeUnit.SECONDS);

        ByteBuffer error = answer.get(10, TimeUnit.SECONDS);
        assertThat(error.get(0)).isEqualTo((byte) 0x0F);
        assertThat(Reason.forNumber(error.getShort(1) & 0xFFFF)).isIn(Reason.HANDSHAKE_FAILED, Reason.MALFORMED_PACKET,
                Reason.UNSUPPORTED_VERSION, Reason.PROTOCOL_VIOLATION);
        socket.abort();
    }
}
