package io.janus.transport.kcp;

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
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Janus connections as smux streams over KCP: the Java client's KCP transport opens one smux stream per
 * connection (version 1 or 2), the gateway speaks the client's version; a stream that ends removes its
 * session; smux frames for a stream never opened are counted and end the conversation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KcpSmuxTest {

    private Gateway gateway;
    private KcpTransport transport;
    private EventLoopGroup clientGroup;
    private JanusClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (clientGroup != null) {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private void start(Map<String, String> server, Map<String, String> clientProperties) {
        transport = KcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .settings(KcpSettings.fromProperties(server, true)).build();
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(transport)
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(SessionOptions.builder().maxFrameLength(64 * 1024).build())
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        clientGroup = EventLoops.newGroup(1, "kcp-smux-client");
        client = TestKeys.client().transport(new KcpClientTransport(KcpSettings.fromProperties(clientProperties, false)))
                .eventLoopGroup(clientGroup).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2"})
    void sessionsRunOverSmuxStreamsOfEitherVersion(String version) {
        start(Map.of("crypt", "none", "dataShards", "10", "parityShards", "3", "smux", "auto"),
                Map.of("crypt", "none", "dataShards", "10", "parityShards", "3", "smux", version));
        ClientSession first = client.connect(gateway.address(KcpTransport.NAME), "player-1")
                .orTimeout(10, TimeUnit.SECONDS).join();
        ClientSession second = client.connect(gateway.address(KcpTransport.NAME), "player-2")
                .orTimeout(10, TimeUnit.SECONDS).join();

        ByteString hello = ByteString.copyFromUtf8("over smux " + version);
        assertThat(first.request(TestGame.MODULE, TestGame.ECHO, hello).join()).isEqualTo(hello);
        assertThat(second.request(TestGame.MODULE, TestGame.BIG, TestGame.intBody(60_000)).join().size())
                .isEqualTo(60_000);
        List<Long> objs = new CopyOnWriteArrayList<>();
        first.onPush(p -> {
            if (p.getModule() == TestGame.MODULE && p.getSeq() == TestGame.PUSH_SEQ) {
                objs.add(p.getObj());
            }
        });
        first.request(TestGame.MODULE, TestGame.PUSH_ME, TestGame.intBody(10)).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> objs.size() == 10);

        second.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 1);
        assertThat(first.request(TestGame.MODULE, TestGame.ECHO, hello).join()).isEqualTo(hello);
    }

    @Test
    void stopKicksTheStreamsAndEndsTheirConversations() {
        start(Map.of("smux", "auto"), Map.of("smux", "1"));
        ClientSession session = client.connect(gateway.address(KcpTransport.NAME), "player-4")
                .orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(transport.sessionCount()).isEqualTo(1);

        gateway.stop().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(session.closeFuture().orTimeout(5, TimeUnit.SECONDS).join().reason())
                .isEqualTo(Reason.SERVER_SHUTDOWN);
        assertThat(transport.sessionCount()).isZero();
    }

    @Test
    void smuxFrameForAStreamNeverOpenedIsCounted() throws Exception {
        start(Map.of("smux", "auto"), Map.of("smux", "2"));
        ClientSession honest = client.connect(gateway.address(KcpTransport.NAME), "player-1")
                .orTimeout(10, TimeUnit.SECONDS).join();
        try (RawKcp raw = new RawKcp(gateway.address(KcpTransport.NAME))) {
            // A v2 PSH of 3 bytes for stream 5, which nobody opened (smux: ver, cmd, length, sid).
            byte[] psh = ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) 2).put((byte) 2).putShort((short) 3).putInt(5).put(new byte[] {1, 2, 3}).array();
            raw.send(RawKcp.push(0x5eed, 0, psh));

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> gateway.stats().sessionsClosed(Reason.SMUX_UNKNOWN_STREAM) == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.sessionCount() == 1);
        }
        ByteString ok = ByteString.copyFromUtf8("ok");
        assertThat(honest.request(TestGame.MODULE, TestGame.ECHO, ok).join()).isEqualTo(ok);
    }
}
