package io.janus.client.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Kick;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.JanusClient;
import io.janus.client.SessionClosedException;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.SessionOptions;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.Transport;
import io.janus.core.transport.EventLoops;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every transport must show, whatever carries its frames. A transport module extends
 * this class and says how to build its server and client sides; each test starts a gateway running
 * {@link TestGame} on that transport, bound to loopback.
 *
 * <p>Model: grpc-java's {@code AbstractTransportTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class AbstractTransportConformanceTest {

    /** The maximum frame length the suite's gateways use. */
    protected static final int MAX_FRAME = 64 * 1024;

    private static EventLoopGroup clientGroup;

    private Gateway gateway;
    private JanusClient client;

    /** Builds the server side, bound to 127.0.0.1 on a free port. */
    protected abstract Transport newServerTransport();

    /** Builds the client side of the same transport. */
    protected abstract ClientTransport newClientTransport();

    /**
     * Puts the test game where the gateway reaches it: embedded by default; a subclass may run it in a
     * remote game service instead, with the same handlers.
     *
     * @param gateway the gateway being built
     * @return the same builder
     */
    protected Gateway.Builder game(Gateway.Builder gateway) {
        return gateway.game(TestGame.handlers());
    }

    /** The name prefix of the threads that run blocking game handlers. */
    protected String blockingHandlerThreadPrefix() {
        return "janus-game-";
    }

    /** The name prefix of the threads that run non-blocking game handlers. */
    protected String nonBlockingHandlerThreadPrefix() {
        return "janus-worker";
    }

    @BeforeAll
    static void startClientLoops() {
        clientGroup = EventLoops.newGroup(2, "conformance-client");
    }

    @AfterAll
    static void stopClientLoops() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private Gateway start(SessionOptions options) {
        gateway = game(Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(newServerTransport())
                .authenticator(TestGame.authenticator()))
                .sessionOptions(options)
                .workerThreads(2)
                .blockingThreads(4, 1000)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().transport(newClientTransport()).eventLoopGroup(clientGroup).build();
        return gateway;
    }

    private Gateway start() {
        return start(SessionOptions.builder().maxFrameLength(MAX_FRAME).build());
    }

    private InetSocketAddress address() {
        return gateway.address(newClientTransport().name());
    }

    private ClientSession login(long player) {
        return client.connect(address(), "player-" + player).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** A connection that has not done the handshake. */
    private RawConnection raw() {
        return RawConnection.connect(newClientTransport(), address(), clientGroup);
    }

    /** A connection that completed the handshake and sent nothing else. */
    private RawConnection secure() {
        return RawConnection.connectSecure(newClientTransport(), address(), clientGroup);
    }

    /** A secure connection logged in as {@code player}. */
    private RawConnection loggedIn(long player) throws InterruptedException {
        RawConnection conn = secure();
        conn.login("player-" + player);
        Packet answer = conn.poll(Duration.ofSeconds(5));
        assertThat(answer).isNotNull();
        assertThat(answer.getStatus()).isZero();
        return conn;
    }

    private static Packet heartbeat(int index) {
        return SystemPackets.packet(SystemSeq.HEARTBEAT, index,
                io.janus.api.Heartbeat.newBuilder().setClientTimeMs(index).build());
    }

    private static Reason refusalReason(RawConnection conn) throws InterruptedException {
        io.janus.core.protocol.HandshakeError error = conn.refusal(Duration.ofSeconds(5));
        return error == null ? null : error.reason();
    }

    private static Reason kickReason(RawConnection conn) throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            Packet p = conn.poll(Duration.ofSeconds(5));
            if (p == null) {
                return null;
            }
            if (SystemPackets.is(p, SystemSeq.KICK)) {
                return SystemPackets.parse(Kick.parser(), p.getBody()).getReason();
            }
        }
        return null;
    }

    @Test
    void connectsAndLogsIn() {
        start();
        ClientSession session = login(42);

        assertThat(session.playerId()).isEqualTo(42);
        assertThat(session.sessionId()).isNotZero();
        assertThat(gateway.sessions().sessionOfPlayer(42).id()).isEqualTo(session.sessionId());
        assertThat(gateway.sessions().sessionOfPlayer(42).transport()).isEqualTo(newClientTransport().name());
        assertThat(gateway.stats().logins()).isEqualTo(1);
    }

    @Test
    void refusedTokenFailsTheLoginWithItsReason() {
        start();

        assertThatThrownBy(() -> client.connect(address(), "forged").join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(RequestException.class)
                .satisfies(e -> assertThat(((RequestException) e).reason()).isEqualTo(Reason.TOKEN_INVALID));
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(Reason.TOKEN_INVALID) == 1);
    }

    @Test
    void requestGetsItsResponse() {
        start();
        ClientSession session = login(1);

        ByteString hello = ByteString.copyFromUtf8("hello");
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, hello).join()).isEqualTo(hello);
        assertThat(session.request(TestGame.MODULE, TestGame.BLOCKING_ECHO, hello).join()).isEqualTo(hello);
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnResponse() {
        start();
        ClientSession session = login(1);

        List<java.util.concurrent.CompletableFuture<ByteString>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            answers.add(session.request(TestGame.MODULE, i % 2 == 0 ? TestGame.ECHO : TestGame.BLOCKING_ECHO,
                    TestGame.intBody(i)));
        }
        for (int i = 0; i < 50; i++) {
            assertThat(answers.get(i).join()).isEqualTo(TestGame.intBody(i));
        }
    }

    @Test
    void blockingHandlersRunOffTheEventLoopAndNonBlockingOnesOnIt() {
        start();
        ClientSession session = login(1);

        assertThat(session.request(TestGame.MODULE, TestGame.THREAD_BLOCKING, ByteString.EMPTY).join()
                .toStringUtf8()).startsWith(blockingHandlerThreadPrefix());
        assertThat(session.request(TestGame.MODULE, TestGame.THREAD_NON_BLOCKING, ByteString.EMPTY).join()
                .toStringUtf8()).startsWith(nonBlockingHandlerThreadPrefix());
    }

    @Test
    void errorsCarryTheirStatus() {
        start();
        ClientSession session = login(1);

        assertThatThrownBy(() -> session.request(TestGame.MODULE, TestGame.GAME_ERROR, ByteString.EMPTY).join())
                .cause().isInstanceOfSatisfying(RequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(1001);
                    assertThat(e.isGameStatus()).isTrue();
                });
        assertThatThrownBy(() -> session.request(TestGame.MODULE, 99, ByteString.EMPTY).join())
                .cause().isInstanceOfSatisfying(RequestException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.HANDLER_NOT_FOUND));
        // The session survives errors.
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.EMPTY).join()).isEmpty();
    }

    @Test
    void pushesArriveInOrder() {
        start();
        ClientSession session = login(1);
        List<Long> objs = new CopyOnWriteArrayList<>();
        session.onPush(p -> {
            if (p.getModule() == TestGame.MODULE && p.getSeq() == TestGame.PUSH_SEQ) {
                objs.add(p.getObj());
            }
        });

        session.request(TestGame.MODULE, TestGame.PUSH_ME, TestGame.intBody(20)).join();

        await().atMost(Duration.ofSeconds(5)).until(() -> objs.size() == 20);
        assertThat(objs).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L,
                17L, 18L, 19L);
    }

    @Test
    void pusherReachesAPlayerFromOutsideARequest() {
        start();
        ClientSession session = login(7);
        List<ByteString> bodies = new CopyOnWriteArrayList<>();
        session.onPush(p -> bodies.add(p.getBody()));

        boolean taken = gateway.pusher().pushToPlayer(7,
                io.janus.core.game.Push.of(3, 1, ByteString.copyFromUtf8("server news"))).toCompletableFuture().join();

        assertThat(taken).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> bodies.contains(ByteString.copyFromUtf8("server news")));
        assertThat(gateway.pusher().pushToPlayer(8, io.janus.core.game.Push.of(3, 1, ByteString.EMPTY))
                .toCompletableFuture().join()).isFalse();
    }

    @Test
    void largeFramesTravelBothWays() {
        start();
        ClientSession session = login(1);
        int size = MAX_FRAME - 64;
        ByteString big = ByteString.copyFrom(new byte[size]);

        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, big).join().size()).isEqualTo(size);
        assertThat(session.request(TestGame.MODULE, TestGame.BIG, TestGame.intBody(size)).join().size())
                .isEqualTo(size);
    }

    @Test
    void oversizedFrameClosesTheConnectionWithItsReason() throws Exception {
        start();
        ClientSession bystander = login(2);
        try (RawConnection conn = raw()) {
            conn.sendFrame(Unpooled.wrappedBuffer(new byte[MAX_FRAME + 1]));

            assertThat(refusalReason(conn)).isEqualTo(Reason.FRAME_TOO_LARGE);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.FRAME_TOO_LARGE) == 1);
        assertThat(bystander.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("ok")).join())
                .isEqualTo(ByteString.copyFromUtf8("ok"));
    }

    @Test
    void oversizedFrameAfterTheHandshakeClosesTheSessionWithItsReason() throws Exception {
        start();
        try (RawConnection conn = loggedIn(3)) {
            conn.sendFrame(Unpooled.wrappedBuffer(new byte[MAX_FRAME + 1]));

            assertThat(kickReason(conn)).isEqualTo(Reason.FRAME_TOO_LARGE);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void gamePacketBeforeLoginIsAProtocolViolation() throws Exception {
        start();
        try (RawConnection conn = secure()) {
            conn.send(Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.ECHO).setIndex(1).build());

            assertThat(kickReason(conn)).isEqualTo(Reason.PROTOCOL_VIOLATION);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void connectionWithoutHandshakeIsCutAtTheDeadline() throws Exception {
        start(SessionOptions.builder().maxFrameLength(MAX_FRAME).loginTimeout(Duration.ofMillis(300)).build());
        try (RawConnection conn = raw()) {
            assertThat(refusalReason(conn)).isEqualTo(Reason.HANDSHAKE_TIMEOUT);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(gateway.stats().sessionsClosed(Reason.HANDSHAKE_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void handshakeWithoutLoginIsCutAtTheDeadline() throws Exception {
        start(SessionOptions.builder().maxFrameLength(MAX_FRAME).loginTimeout(Duration.ofMillis(300)).build());
        try (RawConnection conn = secure()) {
            assertThat(kickReason(conn)).isEqualTo(Reason.HANDSHAKE_TIMEOUT);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void helloOfAnotherVersionIsRefused() throws Exception {
        start();
        try (RawConnection conn = raw()) {
            byte[] hello = new byte[68];
            hello[0] = 0x01;
            hello[1] = 2;
            conn.sendFrame(Unpooled.wrappedBuffer(hello));

            assertThat(refusalReason(conn)).isEqualTo(Reason.UNSUPPORTED_VERSION);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void plaintextPacketInsteadOfAHelloIsRefused() throws Exception {
        start();
        try (RawConnection conn = raw()) {
            conn.login("player-1");

            assertThat(refusalReason(conn)).isEqualTo(Reason.HANDSHAKE_FAILED);
        }
        assertThat(gateway.stats().logins()).isZero();
    }

    @Test
    void clientRefusesAGatewayItsRootsDidNotCertify() {
        start();
        JanusClient stranger = JanusClient.builder().pinnedRootKey(io.janus.core.crypto.SigningKey.generate().publicKey())
                .transport(newClientTransport()).eventLoopGroup(clientGroup).build();

        assertThatThrownBy(() -> stranger.connect(address(), "player-1").join())
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.CERTIFICATE_INVALID))
                .hasMessageContaining("not signed by a pinned root key");
        assertThat(gateway.stats().logins()).isZero();
    }

    @Test
    void clientRefusesAnExpiredCertificate() {
        io.janus.core.crypto.SigningKey key = io.janus.core.crypto.SigningKey.generate();
        java.time.Instant now = java.time.Instant.now();
        gateway = Gateway.builder()
                .identity(io.janus.core.crypto.GatewayIdentity.of(key, io.janus.core.crypto.GatewayCertificate.issue(
                        TestKeys.ROOT, "expired", key.publicKey(), now.minusSeconds(7200), now.minusSeconds(3600))))
                .transport(newServerTransport())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().transport(newClientTransport()).eventLoopGroup(clientGroup).build();

        assertThatThrownBy(() -> client.connect(address(), "player-1").join())
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.CERTIFICATE_INVALID))
                .hasMessageContaining("expired");
    }

    @Test
    void tamperedRecordClosesTheSession() throws Exception {
        start();
        try (RawConnection conn = loggedIn(1)) {
            conn.alterNextFrame(frame -> {
                int last = frame.writerIndex() - 1;
                frame.setByte(last, frame.getByte(last) ^ 0x01);
                return frame;
            });
            conn.send(heartbeat(2));

            assertThat(kickReason(conn)).isEqualTo(Reason.RECORD_INVALID);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(gateway.stats().sessionsClosed(Reason.RECORD_INVALID)).isEqualTo(1);
    }

    @Test
    void replayedRecordClosesTheSession() throws Exception {
        start();
        try (RawConnection conn = loggedIn(1)) {
            conn.send(heartbeat(2));
            assertThat(conn.poll(Duration.ofSeconds(5)).getIndex()).isEqualTo(2);
            List<byte[]> sent = conn.sentFrames();
            byte[] last = sent.get(sent.size() - 1);

            conn.sendFrame(Unpooled.wrappedBuffer(last));

            assertThat(kickReason(conn)).isEqualTo(Reason.RECORD_INVALID);
        }
    }

    @Test
    void reorderedRecordsCloseTheSession() throws Exception {
        start();
        try (RawConnection conn = loggedIn(1)) {
            conn.holdNextFrames(2);
            conn.send(heartbeat(2));
            conn.send(heartbeat(3));
            List<io.netty.buffer.ByteBuf> held = new java.util.ArrayList<>(conn.heldFrames());
            conn.heldFrames().clear();
            assertThat(held).hasSize(2);

            conn.sendFrame(held.get(1));
            conn.sendFrame(held.get(0));

            assertThat(kickReason(conn)).isEqualTo(Reason.RECORD_INVALID);
        }
    }

    @Test
    void truncatedRecordClosesTheSession() throws Exception {
        start();
        try (RawConnection conn = loggedIn(1)) {
            conn.alterNextFrame(frame -> {
                io.netty.buffer.ByteBuf cut = frame.retainedSlice(frame.readerIndex(), frame.readableBytes() - 5);
                frame.release();
                return cut;
            });
            conn.send(heartbeat(2));

            assertThat(kickReason(conn)).isEqualTo(Reason.RECORD_INVALID);
        }
    }

    @Test
    void recordThatIsNotAPacketIsMalformed() throws Exception {
        start();
        try (RawConnection conn = loggedIn(1)) {
            conn.sendRecord(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00}));

            assertThat(kickReason(conn)).isEqualTo(Reason.MALFORMED_PACKET);
        }
    }

    @Test
    void keysAreUpdatedInBothDirectionsWithoutLosingARecord() throws Exception {
        start(SessionOptions.builder().maxFrameLength(MAX_FRAME).recordsPerKey(3).build());
        try (RawConnection conn = RawConnection.connectSecure(newClientTransport(), address(), clientGroup, 2)) {
            conn.login("player-1");
            assertThat(conn.poll(Duration.ofSeconds(5)).getStatus()).isZero();
            for (int i = 2; i < 30; i++) {
                conn.send(Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.ECHO).setIndex(i)
                        .setBody(TestGame.intBody(i)).build());
                Packet answer = conn.poll(Duration.ofSeconds(5));
                assertThat(answer).isNotNull();
                assertThat(answer.getIndex()).isEqualTo(i);
                assertThat(answer.getBody()).isEqualTo(TestGame.intBody(i));
            }
            // Key update records (type 0x18) went out between the packet records.
            assertThat(conn.sentFrames()).anyMatch(frame -> frame[0] == 0x18);
        }
    }

    @Test
    void largeCompressibleBodiesTravelCompressed() throws Exception {
        start();
        try (RawConnection conn = loggedIn(1)) {
            ByteString body = ByteString.copyFrom(new byte[40_000]);
            conn.send(Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.ECHO).setIndex(2).setBody(body)
                    .build());

            Packet answer = conn.poll(Duration.ofSeconds(5));
            assertThat(answer.getBody()).isEqualTo(body);
            List<byte[]> sent = conn.sentFrames();
            assertThat(sent.get(sent.size() - 1).length).isLessThan(2_000);
        }
    }

    @Test
    void compressionBombClosesTheSession() throws Exception {
        start();
        try (RawConnection conn = loggedIn(1)) {
            java.io.ByteArrayOutputStream deflated = new java.io.ByteArrayOutputStream();
            try (java.util.zip.DeflaterOutputStream out = new java.util.zip.DeflaterOutputStream(deflated)) {
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 32; i++) {
                    out.write(zeros);
                }
            }
            conn.send(Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.ECHO).setIndex(2)
                    .setFlags(io.janus.api.PacketFlag.PACKET_FLAG_COMPRESSED_VALUE)
                    .setBody(ByteString.copyFrom(deflated.toByteArray())).build());

            assertThat(kickReason(conn)).isEqualTo(Reason.BODY_TOO_LARGE);
        }
    }

    @Test
    void abruptCloseRemovesTheSession() {
        start();
        ClientSession session = login(5);
        // A request in flight when the client vanishes must not keep anything alive.
        session.request(TestGame.MODULE, TestGame.BLOCKING_ECHO, ByteString.copyFromUtf8("x"));
        session.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        assertThat(gateway.sessions().sessionOfPlayer(5)).isNull();
        assertThat(session.closeFuture().join().byServer()).isFalse();
    }

    @Test
    void duplicateLoginKicksTheOlderSession() {
        start();
        ClientSession first = login(9);
        ClientSession second = login(9);

        CloseReason reason = first.closeFuture().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(reason.reason()).isEqualTo(Reason.DUPLICATE_LOGIN);
        assertThat(reason.byServer()).isTrue();
        assertThat(gateway.sessions().sessionOfPlayer(9).id()).isEqualTo(second.sessionId());
        assertThat(second.request(TestGame.MODULE, TestGame.ECHO, ByteString.EMPTY).join()).isEmpty();
        assertThatThrownBy(() -> first.request(TestGame.MODULE, TestGame.ECHO, ByteString.EMPTY).join())
                .cause().isInstanceOf(SessionClosedException.class);
    }

    @Test
    void duplicateLoginCanBeRefusedInstead() {
        start(SessionOptions.builder().maxFrameLength(MAX_FRAME)
                .duplicateLoginPolicy(io.janus.core.session.DuplicateLoginPolicy.REJECT_NEW).build());
        ClientSession first = login(9);

        assertThatThrownBy(() -> login(9)).cause().isInstanceOfSatisfying(RequestException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_LOGIN));
        assertThat(first.request(TestGame.MODULE, TestGame.ECHO, ByteString.EMPTY).join()).isEmpty();
        assertThat(gateway.sessions().sessionOfPlayer(9).id()).isEqualTo(first.sessionId());
    }

    @Test
    void idleSessionIsClosedWithIdleTimeout() throws Exception {
        start(SessionOptions.builder().maxFrameLength(MAX_FRAME).idleTimeout(Duration.ofMillis(400))
                .heartbeatInterval(Duration.ofMillis(100)).build());
        try (RawConnection conn = loggedIn(3)) {
            // Silence: no heartbeat.
            assertThat(kickReason(conn)).isEqualTo(Reason.IDLE_TIMEOUT);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void heartbeatsKeepASessionAlivePastTheIdleTimeout() {
        start(SessionOptions.builder().maxFrameLength(MAX_FRAME).idleTimeout(Duration.ofMillis(400))
                .heartbeatInterval(Duration.ofMillis(100)).build());
        ClientSession session = login(4);

        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).until(session::isActive);
        assertThat(session.rttMillis()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void heartbeatsReportTheClientsRoundTripTimeToTheGateway() throws Exception {
        start();
        try (RawConnection conn = loggedIn(5)) {
            assertThat(gateway.sessions().sessionOfPlayer(5).rttMillis()).isEqualTo(-1);

            conn.send(SystemPackets.packet(SystemSeq.HEARTBEAT, 2,
                    io.janus.api.Heartbeat.newBuilder().setClientTimeMs(1).setLastRttMs(37).build()));

            Packet answer = conn.poll(Duration.ofSeconds(5));
            assertThat(io.janus.api.Heartbeat.parseFrom(answer.getBody()).getServerTimeMs()).isPositive();
            assertThat(gateway.sessions().sessionOfPlayer(5).rttMillis()).isEqualTo(37);
        }
    }

    @Test
    void noticesReachTheClientAsSystemPushes() {
        start();
        ClientSession session = login(8);
        List<String> notices = new CopyOnWriteArrayList<>();
        session.onPush(p -> {
            if (SystemPackets.is(p, SystemSeq.NOTICE)) {
                notices.add(SystemPackets.parse(io.janus.api.Notice.parser(), p.getBody()).getText());
            }
        });

        assertThat(gateway.sessions().sessionOfPlayer(8).notice("maintenance at 03:00")).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> notices.contains("maintenance at 03:00"));
    }

    @Test
    void slowReaderIsDisconnectedAtItsOutboundLimit() throws Exception {
        int maxOutbound = 256 * 1024;
        start(SessionOptions.builder().maxFrameLength(MAX_FRAME).outboundWaterMarks(16 * 1024, 32 * 1024)
                .maxOutboundBytes(maxOutbound).build());
        ClientSession bystander = login(2);
        try (RawConnection conn = loggedIn(1)) {
            conn.channel().config().setAutoRead(false);

            conn.send(Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.FLOOD).setIndex(2)
                    .setBody(TestGame.intBody(1024)).build());

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> gateway.stats().sessionsClosed(Reason.SLOW_CONSUMER) == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().sessionOfPlayer(1) == null);
        }
        assertThat(bystander.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("ok")).join())
                .isEqualTo(ByteString.copyFromUtf8("ok"));
    }

    @Test
    void stopKicksEverySessionWithServerShutdown() {
        start();
        ClientSession session = login(6);

        gateway.stop().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(session.closeFuture().orTimeout(5, TimeUnit.SECONDS).join().reason())
                .isEqualTo(Reason.SERVER_SHUTDOWN);
    }

    /**
     * Finds the reason in a failure.
     *
     * @param t the failure
     * @return its reason, or {@code null}
     */
    protected static Reason reasonOf(Throwable t) {
        JanusException e = JanusException.find(t);
        return e == null ? null : e.reason();
    }
}
