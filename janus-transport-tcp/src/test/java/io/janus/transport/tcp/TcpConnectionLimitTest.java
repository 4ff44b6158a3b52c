package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.janus.api.Reason;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.protocol.HandshakeError;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection limits per client address and in total: the connection over the limit gets a
 * HandshakeError with the limit's reason and is closed; closing a connection frees its slot.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpConnectionLimitTest {

    private Gateway gateway;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(SessionOptions options) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(options)
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Connects from a given loopback source address (Linux routes all of 127.0.0.0/8 to lo). */
    private Socket connectFrom(String source) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(gateway.address("tcp"), 5000);
        socket.setSoTimeout(5000);
        sockets.add(socket);
        return socket;
    }

    private static Reason kickOf(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return HandshakeError.parse(Unpooled.wrappedBuffer(body)).reason();
    }

    @Test
    void perAddressLimit() throws IOException {
        start(SessionOptions.builder().maxConnectionsPerIp(2).build());
        connectFrom("127.0.0.1");
        connectFrom("127.0.0.1");
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 2);

        Socket third = connectFrom("127.0.0.1");
        assertThat(kickOf(third)).isEqualTo(Reason.CONNECTION_LIMIT_PER_IP);
        assertThat(third.getInputStream().read()).isEqualTo(-1);

        // Another address is not affected.
        connectFrom("127.0.0.2");
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 3);
        assertThat(gateway.stats().sessionsClosed(Reason.CONNECTION_LIMIT_PER_IP)).isEqualTo(1);

        // Closing one frees its slot.
        sockets.get(0).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 2);
        connectFrom("127.0.0.1");
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 3);
    }

    @Test
    void globalLimit() throws IOException {
        start(SessionOptions.builder().maxConnections(2).build());
        connectFrom("127.0.0.3");
        connectFrom("127.0.0.4");
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 2);

        Socket third = connectFrom("127.0.0.5");
        assertThat(kickOf(third)).isEqualTo(Reason.CONNECTION_LIMIT);
        assertThat(gateway.stats().sessionsClosed(Reason.CONNECTION_LIMIT)).isEqualTo(1);
    }
}
