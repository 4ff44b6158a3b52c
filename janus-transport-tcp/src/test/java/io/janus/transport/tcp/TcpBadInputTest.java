package io.janus.transport.tcp;

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
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Bad bytes from a real TCP socket before any handshake: each closes only its own connection, with a
 * HandshakeError naming the reason where the connection can still carry one, a counter for the reason
 * and a log line naming it; an honest session on the same gateway keeps working throughout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpBadInputTest {

    private static final int MAX_FRAME = 64 * 1024;

    private Gateway gateway;
    private JanusClient client;
    private ClientSession honest;
    private ListAppender<ILoggingEvent> logs;
    private Logger sessionLogger;

    @BeforeEach
    void start() {
        sessionLogger = (Logger) LoggerFactory.getLogger(GatewayRuntime.SESSION_LOGGER);
        logs = new ListAppender<>();
        logs.start();
        sessionLogger.addAppender(logs);
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(SessionOptions.builder().maxFrameLength(MAX_FRAME).build())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().build();
        honest = client.connect(gateway.address("tcp"), "player-1").orTimeout(10, TimeUnit.SECONDS).join();
    }

    @AfterEach
    void stop() {
        sessionLogger.detachAppender(logs);
        gateway.close();
        client.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(gateway.address("tcp"), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /**
     * Reads frames until a HandshakeError arrives (before a handshake the gateway answers only with
     * those); returns its reason, or null when the connection ends first.
     */
    private static Reason readRefusal(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        for (int i = 0; i < 10; i++) {
            int length;
            try {
                length = data.readInt();
            } catch (EOFException | SocketException e) {
                return null;
            }
            byte[] body = new byte[length];
            data.readFully(body);
            if (HandshakeError.is(Unpooled.wrappedBuffer(body))) {
                return HandshakeError.parse(Unpooled.wrappedBuffer(body)).reason();
            }
        }
        return null;
    }

    private static boolean closedByPeer(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private void assertReported(Reason reason) {
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(reason) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains(reason.name())));
        assertThat(honest.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("still here")).join())
                .isEqualTo(ByteString.copyFromUtf8("still here"));
        assertThat(gateway.sessions().size()).isEqualTo(1);
    }

    @Test
    void zeroLengthFrame() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(new byte[] {0, 0, 0, 0});

            assertThat(readRefusal(socket.getInputStream())).isEqualTo(Reason.FRAME_EMPTY);
            assertThat(closedByPeer(socket.getInputStream())).isTrue();
        }
        assertReported(Reason.FRAME_EMPTY);
    }

    @Test
    void declaredLengthOfTwoToTheThirtyOneMinusOneThenSilence() throws IOException {
        try (Socket socket = connect()) {
            // Only the header: the gateway must not wait for (or allocate) two gigabytes.
            socket.getOutputStream().write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());

            assertThat(readRefusal(socket.getInputStream())).isEqualTo(Reason.FRAME_TOO_LARGE);
            assertThat(closedByPeer(socket.getInputStream())).isTrue();
        }
        assertReported(Reason.FRAME_TOO_LARGE);
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage()
                .contains("frame length 2147483647 exceeds maxFrameLength " + MAX_FRAME));
    }

    @Test
    void truncatedFrame() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(100).array());
            out.write(new byte[10]);
            out.flush();
            socket.shutdownOutput();

            assertThat(readRefusal(socket.getInputStream())).isNull();
        }
        assertReported(Reason.FRAME_TRUNCATED);
    }

    @Test
    void garbageThatLooksLikeHttp() throws IOException {
        try (Socket socket = connect()) {
            // "GET " read as a length is 1195725856.
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(readRefusal(socket.getInputStream())).isEqualTo(Reason.FRAME_TOO_LARGE);
        }
        assertReported(Reason.FRAME_TOO_LARGE);
    }

    @Test
    void garbageInsideAWellFramedFrame() throws IOException {
        try (Socket socket = connect()) {
            byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00};
            socket.getOutputStream().write(ByteBuffer.allocate(4 + garbage.length).putInt(garbage.length)
                    .put(garbage).array());

            assertThat(readRefusal(socket.getInputStream())).isEqualTo(Reason.HANDSHAKE_FAILED);
            assertThat(closedByPeer(socket.getInputStream())).isTrue();
        }
        assertReported(Reason.HANDSHAKE_FAILED);
    }
}
