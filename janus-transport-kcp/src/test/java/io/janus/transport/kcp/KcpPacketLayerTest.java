package io.janus.transport.kcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Janus over KCP inside kcp-go's packet layer (nonce and CRC32 header, Reed-Solomon FEC): the server and
 * the client transports agree on {@code crypt=none} with and without FEC, and a session logs in,
 * exchanges small and large frames and receives pushes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KcpPacketLayerTest {

    private Gateway gateway;
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

    private ClientSession connect(java.util.Map<String, String> properties) {
        KcpSettings server = KcpSettings.fromProperties(properties, true);
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(KcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .settings(server).build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(SessionOptions.builder().maxFrameLength(64 * 1024).build())
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        clientGroup = EventLoops.newGroup(1, "kcp-packet-layer-client");
        client = TestKeys.client().transport(new KcpClientTransport(KcpSettings.fromProperties(properties, false)))
                .eventLoopGroup(clientGroup).build();
        return client.connect(gateway.address(KcpTransport.NAME), "player-3").orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static void exchange(ClientSession session) {
        ByteString hello = ByteString.copyFromUtf8("hello");
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, hello).join()).isEqualTo(hello);
        int size = 60_000;
        assertThat(session.request(TestGame.MODULE, TestGame.BIG, TestGame.intBody(size)).join().size())
                .isEqualTo(size);
        List<Long> objs = new CopyOnWriteArrayList<>();
        session.onPush(p -> {
            if (p.getModule() == TestGame.MODULE && p.getSeq() == TestGame.PUSH_SEQ) {
                objs.add(p.getObj());
            }
        });
        session.request(TestGame.MODULE, TestGame.PUSH_ME, TestGame.intBody(15)).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> objs.size() == 15);
    }

    @Test
    void nonceAndChecksumHeaderWithFec() {
        exchange(connect(java.util.Map.of("crypt", "none", "dataShards", "10", "parityShards", "3")));
    }

    @Test
    void nonceAndChecksumHeaderWithoutFec() {
        exchange(connect(java.util.Map.of("crypt", "none")));
    }
}
