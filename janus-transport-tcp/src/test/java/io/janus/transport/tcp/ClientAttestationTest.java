package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.ErrorDetail;
import io.janus.api.Kick;
import io.janus.api.LoginRequest;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.RawConnection;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.SigningKey;
import io.janus.core.protocol.HandshakeResult;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.ClientTransport;
import io.janus.core.transport.EventLoops;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client app attestation (docs/protocol.md, section 5) over real loopback TCP: a gateway that requires
 * it admits only logins signed by a trusted app key over this very session's transcript, and refuses the
 * rest with ATTESTATION_FAILED, including a genuine signature replayed from another session; a gateway
 * without the policy admits clients with or without attestation.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientAttestationTest {

    private static final SigningKey APP_KEY = SigningKey.generate();

    private static EventLoopGroup clientGroup;

    private Gateway gateway;
    private final List<JanusClient> clients = new ArrayList<>();
    private final List<ClientSession> sessions = new ArrayList<>();

    @BeforeAll
    static void startClientLoops() {
        clientGroup = EventLoops.newGroup(2, "attestation-client");
    }

    @AfterAll
    static void stopClientLoops() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void stopGateway() {
        sessions.forEach(ClientSession::close);
        clients.forEach(JanusClient::close);
        if (gateway != null) {
            gateway.close();
        }
    }

    private void startGateway(ClientAttestation policy) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .clientAttestation(policy)
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private InetSocketAddress address() {
        return gateway.address("tcp");
    }

    /** A client on the shared event loops (it never shuts them down); attested when a key is given. */
    private JanusClient client(SigningKey appKey, ClientTransport transport) {
        JanusClient.Builder builder = TestKeys.client().transport(transport).eventLoopGroup(clientGroup);
        if (appKey != null) {
            builder.attestationKey(appKey);
        }
        JanusClient client = builder.build();
        clients.add(client);
        return client;
    }

    private ClientSession login(JanusClient client, long player) {
        ClientSession session = client.connect(address(), "player-" + player).orTimeout(10, TimeUnit.SECONDS).join();
        sessions.add(session);
        return session;
    }

    private Reason refusal(JanusClient client, long player) {
        Throwable failure = catchThrowable(() -> login(client, player));
        JanusException found = JanusException.find(failure);
        assertThat(found).as("a refused login fails with a RequestException, got %s", failure)
                .isInstanceOf(RequestException.class);
        return found.reason();
    }

    private void assertRefusedOnce(long player) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.ATTESTATION_FAILED) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        assertThat(gateway.sessions().sessionOfPlayer(player)).isNull();
        assertThat(gateway.stats().logins()).isZero();
        assertThat(gateway.stats().sessionsClosed()).containsOnlyKeys(Reason.ATTESTATION_FAILED);
    }

    @Test
    void clientAttestedByATrustedAppKeyLogsIn() {
        startGateway(ClientAttestation.requireOneOf(List.of(APP_KEY.publicKey())));

        ClientSession session = login(client(APP_KEY, new TcpClientTransport(5000)), 1);

        assertThat(session.playerId()).isEqualTo(1);
        assertThat(gateway.sessions().sessionOfPlayer(1).id()).isEqualTo(session.sessionId());
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("hi")).join())
                .isEqualTo(ByteString.copyFromUtf8("hi"));
        assertThat(gateway.stats().sessionsClosed()).isEmpty();
    }

    @Test
    void clientWithoutAttestationIsRefused() {
        startGateway(ClientAttestation.requireOneOf(List.of(APP_KEY.publicKey())));

        assertThat(refusal(client(null, new TcpClientTransport(5000)), 1)).isEqualTo(Reason.ATTESTATION_FAILED);
        assertRefusedOnce(1);
    }

    @Test
    void clientAttestedByAnotherAppKeyIsRefused() {
        startGateway(ClientAttestation.requireOneOf(List.of(APP_KEY.publicKey())));

        assertThat(refusal(client(SigningKey.generate(), new TcpClientTransport(5000)), 1))
                .isEqualTo(Reason.ATTESTATION_FAILED);
        assertRefusedOnce(1);
    }

    @Test
    void gatewayWithoutThePolicyAdmitsClientsWithOrWithoutAttestation() {
        startGateway(ClientAttestation.NONE);

        assertThat(login(client(null, new TcpClientTransport(5000)), 1).playerId()).isEqualTo(1);
        assertThat(login(client(APP_KEY, new TcpClientTransport(5000)), 2).playerId()).isEqualTo(2);
        assertThat(login(client(SigningKey.generate(), new TcpClientTransport(5000)), 3).playerId()).isEqualTo(3);

        assertThat(gateway.stats().logins()).isEqualTo(3);
        assertThat(gateway.sessions().playerCount()).isEqualTo(3);
        assertThat(gateway.stats().sessionsClosed(Reason.ATTESTATION_FAILED)).isZero();
    }

    @Test
    void attestationReplayedFromAnotherSessionIsRefused() throws Exception {
        startGateway(ClientAttestation.requireOneOf(List.of(APP_KEY.publicKey())));
        LoginCapturingTransport capture = new LoginCapturingTransport();
        ClientSession victim = login(client(APP_KEY, capture), 1);
        assertThat(capture.logins).hasSize(1);
        LoginRequest captured = capture.logins.get(0);
        assertThat(captured.getAttestationKey().toByteArray()).isEqualTo(APP_KEY.publicKey());
        assertThat(captured.getAttestationSignature().size()).isEqualTo(SigningKey.SIGNATURE_LENGTH);

        // Control: the same raw path, signing its own transcript, is admitted.
        try (RawConnection honest = RawConnection.connectSecure(new TcpClientTransport(5000), address(), clientGroup)) {
            byte[] transcript = honest.channel().attr(HandshakeResult.KEY).get().transcriptHash();
            honest.send(SystemPackets.packet(SystemSeq.LOGIN, 1, LoginRequest.newBuilder().setToken("player-2")
                    .setAttestationKey(ByteString.copyFrom(APP_KEY.publicKey()))
                    .setAttestationSignature(ByteString.copyFrom(APP_KEY.sign(ClientAttestation.signedMessage(
                            transcript))))
                    .build()));
            Packet answer = honest.poll(Duration.ofSeconds(5));
            assertThat(answer).isNotNull();
            assertThat(answer.getStatus()).isZero();
        }

        try (RawConnection replay = RawConnection.connectSecure(new TcpClientTransport(5000), address(), clientGroup)) {
            byte[] transcript = replay.channel().attr(HandshakeResult.KEY).get().transcriptHash();
            // The captured signature is over the victim's transcript, not this one.
            assertThat(SigningKey.verify(APP_KEY.publicKey(), ClientAttestation.signedMessage(transcript),
                    captured.getAttestationSignature().toByteArray())).isFalse();

            // The whole captured login, token and attestation fields as they were.
            replay.send(SystemPackets.packet(SystemSeq.LOGIN, 1, captured));

            List<Packet> received = receiveUntilKick(replay);
            assertThat(received).hasSize(2);
            Packet error = received.get(0);
            assertThat(SystemPackets.is(error, SystemSeq.LOGIN)).isTrue();
            assertThat(error.getIndex()).isEqualTo(1);
            assertThat(error.getStatus()).isEqualTo(Reason.ATTESTATION_FAILED_VALUE);
            assertThat(ErrorDetail.parseFrom(error.getBody()).getReason()).isEqualTo(Reason.ATTESTATION_FAILED);
            assertThat(Kick.parseFrom(received.get(1).getBody()).getReason()).isEqualTo(Reason.ATTESTATION_FAILED);
            assertThat(replay.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }

        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.ATTESTATION_FAILED) == 1);
        // The victim keeps its session: the replay neither logged in as it nor displaced it.
        assertThat(gateway.stats().sessionsClosed(Reason.DUPLICATE_LOGIN)).isZero();
        assertThat(gateway.sessions().sessionOfPlayer(1).id()).isEqualTo(victim.sessionId());
        assertThat(victim.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("still")).join())
                .isEqualTo(ByteString.copyFromUtf8("still"));
        assertThat(gateway.stats().logins()).isEqualTo(2);
    }

    /** Packets received up to and including the first KICK (at most 10, each waited for 5 s). */
    private static List<Packet> receiveUntilKick(RawConnection conn) throws InterruptedException {
        List<Packet> received = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Packet p = conn.poll(Duration.ofSeconds(5));
            if (p == null) {
                break;
            }
            received.add(p);
            if (SystemPackets.is(p, SystemSeq.KICK)) {
                break;
            }
        }
        return received;
    }

    /** The TCP client transport, recording each LoginRequest the client sends before it is sealed. */
    private static final class LoginCapturingTransport implements ClientTransport {
        private final TcpClientTransport delegate = new TcpClientTransport(5000);
        final List<LoginRequest> logins = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public CompletableFuture<Channel> connect(InetSocketAddress address, EventLoopGroup group, int maxFrameLength,
                Consumer<Channel> initializer) {
            return delegate.connect(address, group, maxFrameLength, ch -> {
                initializer.accept(ch);
                // Right above the packet codec: sees Packets on their way to being encoded and sealed.
                ch.pipeline().addAfter(PacketCodec.NAME, "login-capture", new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                        if (msg instanceof Packet && SystemPackets.is((Packet) msg, SystemSeq.LOGIN)) {
                            logins.add(LoginRequest.parseFrom(((Packet) msg).getBody()));
                        }
                        super.write(ctx, msg, promise);
                    }
                });
            });
        }
    }
}
