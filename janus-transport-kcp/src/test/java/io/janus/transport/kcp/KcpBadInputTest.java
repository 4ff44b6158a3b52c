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
import io.janus.transport.kcp.protocol.Kcp;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad datagrams from a real UDP socket: garbage is dropped without a reply and counted by reason,
 * conversations beyond the half-open cap are refused, a bad segment inside a conversation closes only that
 * session, the gateway never sends an unproven address more than it received, and dead links and silent
 * peers are closed with their reasons; an honest KCP session on the same gateway keeps working.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KcpBadInputTest {

    private Gateway gateway;
    private KcpTransport transport;
    private EventLoopGroup clientGroup;
    private JanusClient client;
    private ClientSession honest;

    private void start(KcpSettings settings) {
        start(settings, SessionOptions.builder().maxFrameLength(64 * 1024).build());
    }

    private void start(KcpSettings settings, SessionOptions options) {
        transport = KcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .settings(settings).build();
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(transport)
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(options)
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        clientGroup = EventLoops.newGroup(1, "kcp-bad-input-client");
        client = TestKeys.client().transport(new KcpClientTransport()).eventLoopGroup(clientGroup).build();
        honest = client.connect(address(), "player-1").orTimeout(10, TimeUnit.SECONDS).join();
    }

    private InetSocketAddress address() {
        return gateway.address(KcpTransport.NAME);
    }

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

    private void assertHonestSessionWorks() {
        assertThat(honest.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("still here")).join())
                .isEqualTo(ByteString.copyFromUtf8("still here"));
    }

    private void assertCounted(Reason reason, long times) {
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(reason) == times);
    }

    private static int conv() {
        return ThreadLocalRandom.current().nextInt();
    }

    @Test
    void garbageDatagramsAreCountedByReasonAndNeverAnswered() throws Exception {
        start(KcpSettings.builder().build());
        try (RawKcp raw = new RawKcp(address())) {
            raw.send(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            raw.send(RawKcp.segment(conv(), Kcp.CMD_PUSH, 0, 0xFFFF_FFFFL, new byte[10]));
            raw.send(RawKcp.segment(conv(), 99, 0, 0, new byte[0]));
            raw.send(RawKcp.concat(RawKcp.push(7, 0, new byte[3]), RawKcp.push(8, 1, new byte[3])));

            assertCounted(Reason.KCP_MALFORMED_SEGMENT, 2);
            assertCounted(Reason.KCP_UNKNOWN_COMMAND, 1);
            assertCounted(Reason.KCP_CONV_MISMATCH, 1);
            assertThat(raw.drain(300, 10)).isZero();
        }
        assertThat(transport.sessionCount()).isEqualTo(1);
        assertHonestSessionWorks();
    }

    @Test
    void dataOfAConversationTheGatewayDoesNotKnowOpensNothing() throws Exception {
        start(KcpSettings.builder().build());
        try (RawKcp raw = new RawKcp(address())) {
            raw.send(RawKcp.push(conv(), 5, new byte[] {1, 2, 3}));
            raw.send(RawKcp.segment(conv(), Kcp.CMD_ACK, 3, 0, new byte[0]));

            assertThat(raw.drain(300, 10)).isZero();
        }
        assertThat(transport.sessionCount()).isEqualTo(1);
        assertThat(gateway.stats().sessionsClosed()).allSatisfy((reason, n) -> assertThat(n).isZero());
        assertHonestSessionWorks();
    }

    @Test
    void conversationsBeyondTheHalfOpenCapAreRefused() throws Exception {
        start(KcpSettings.builder().maxHalfOpen(3).build());
        try (RawKcp raw = new RawKcp(address())) {
            // The honest session proved its address; these are not proven: the fourth is over the cap.
            for (int i = 0; i < 4; i++) {
                raw.send(RawKcp.push(1000 + i, 0, new byte[0]));
            }
            assertCounted(Reason.KCP_SESSION_LIMIT, 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.sessionCount() == 4);
        }
        assertHonestSessionWorks();
    }

    @Test
    void impossibleSegmentInsideAConversationClosesThatSessionWithItsReason() throws Exception {
        start(KcpSettings.builder().build());
        try (RawKcp raw = new RawKcp(address())) {
            int conv = conv();
            raw.send(RawKcp.push(conv, 0, new byte[0]));
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.sessionCount() == 2);

            raw.send(RawKcp.segment(conv, Kcp.CMD_PUSH, 1, 1000, new byte[4]));

            assertCounted(Reason.KCP_MALFORMED_SEGMENT, 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> transport.sessionCount() == 1);
        }
        assertHonestSessionWorks();
    }

    @Test
    void unprovenAddressNeverReceivesMoreThanItSent() throws Exception {
        start(KcpSettings.builder().build());
        try (RawKcp raw = new RawKcp(address())) {
            byte[] hello = new byte[68];
            ThreadLocalRandom.current().nextBytes(hello);
            hello[0] = 0x01;
            hello[1] = 1;
            hello[2] = 0;
            hello[3] = 0;
            byte[] frame = RawKcp.concat(new byte[] {0, 0, 0, 68}, hello);
            int conv = conv();
            raw.send(RawKcp.push(conv, 0, frame)); // 96 bytes: too few for the ServerHello

            long received = raw.drain(1000, 50);
            assertThat(received).isLessThanOrEqualTo(raw.sentBytes);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.amplificationDrops() > 0);

            // Padding raises the budget: the held-back ServerHello is retransmitted, still within it.
            raw.send(RawKcp.segment(conv, Kcp.CMD_WINS, 0, 1100, new byte[1100]));
            long more = raw.drain(1500, 50);
            assertThat(more).isGreaterThan(200);
            assertThat(received + more).isLessThanOrEqualTo(raw.sentBytes);
        }
        assertHonestSessionWorks();
    }

    @Test
    void silentPeerIsClosedWithIdleTimeout() throws Exception {
        // The honest client heartbeats every 100 ms, so only the silent peer goes idle.
        start(KcpSettings.builder().idleTimeout(Duration.ofMillis(500)).build(), SessionOptions.builder()
                .maxFrameLength(64 * 1024).heartbeatInterval(Duration.ofMillis(100)).build());
        try (RawKcp raw = new RawKcp(address())) {
            raw.send(RawKcp.push(conv(), 0, new byte[0]));
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.sessionCount() == 2);

            assertCounted(Reason.KCP_IDLE_TIMEOUT, 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.sessionCount() == 1);
        }
        assertHonestSessionWorks();
    }

    @Test
    void peerThatNeverAcknowledgesIsClosedAsADeadLink() throws Exception {
        start(KcpSettings.builder().deadLink(3).build());
        try (RawKcp raw = new RawKcp(address())) {
            byte[] hello = new byte[68];
            ThreadLocalRandom.current().nextBytes(hello);
            hello[0] = 0x01;
            hello[1] = 1;
            hello[2] = 0;
            hello[3] = 0;
            int conv = conv();
            // A hello and enough padding for the answer, and then never an ACK.
            raw.send(RawKcp.concat(RawKcp.push(conv, 0, RawKcp.concat(new byte[] {0, 0, 0, 68}, hello)),
                    RawKcp.segment(conv, Kcp.CMD_WINS, 0, 1000, new byte[1000])));

            assertCounted(Reason.KCP_DEAD_LINK, 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.sessionCount() == 1);
        }
        assertHonestSessionWorks();
    }
}
