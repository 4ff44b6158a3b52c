package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.janus.api.Kick;
import io.janus.api.LoginRequest;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.client.conformance.RawConnection;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.AuthenticationException;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.Identity;
import io.janus.core.transport.EventLoops;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests pipelined behind the LOGIN record (docs/protocol.md, section 9, AUTHENTICATING) over real
 * loopback TCP: sent without waiting for the login's answer, they are held while the authenticator
 * decides and served, in order, once it accepts; more than {@code maxPendingRequests} of them behind an
 * unfinished login close the session with KICK(TOO_MANY_PENDING_REQUESTS).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipelinedLoginTest {

    private static final int PLAYER = 5;

    private static EventLoopGroup clientGroup;

    private Gateway gateway;
    private RawConnection conn;
    /** The verdict the latched authenticator returns; completed by the test. */
    private final CompletableFuture<Identity> verdict = new CompletableFuture<>();
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startClientLoops() {
        clientGroup = EventLoops.newGroup(1, "pipelined-client");
    }

    @AfterAll
    static void stopClientLoops() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void stop() {
        verdict.completeExceptionally(new AuthenticationException(Reason.AUTH_FAILED, "test over"));
        if (conn != null) {
            conn.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Accepts every token as {@link #PLAYER}, but only once the test completes {@link #verdict}. */
    private Authenticator latched() {
        return request -> {
            tokensSeen.add(request.token());
            return verdict;
        };
    }

    private void start(Authenticator authenticator, SessionOptions options) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(authenticator)
                .game(TestGame.handlers())
                .sessionOptions(options)
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        conn = RawConnection.connectSecure(new TcpClientTransport(5000), gateway.address("tcp"), clientGroup);
    }

    private static Packet login(String token) {
        return SystemPackets.packet(SystemSeq.LOGIN, 1, LoginRequest.newBuilder().setToken(token).build());
    }

    private static Packet echo(int index) {
        return Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.ECHO).setIndex(index)
                .setBody(TestGame.intBody(index)).build();
    }

    /** Seals every packet, then flushes once: the records leave in one write, the gateway reads them at once. */
    private void sendBackToBack(List<Packet> packets) {
        List<ChannelFuture> writes = new ArrayList<>();
        for (Packet packet : packets) {
            writes.add(conn.channel().write(packet));
        }
        conn.channel().flush();
        for (ChannelFuture write : writes) {
            assertThat(write.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
            assertThat(write.cause()).isNull();
        }
    }

    private static List<Packet> loginAndEchoes(String token, int echoes) {
        List<Packet> packets = new ArrayList<>();
        packets.add(login(token));
        for (int i = 2; i < 2 + echoes; i++) {
            packets.add(echo(i));
        }
        return packets;
    }

    /** Expects the login's answer, then one echo per index from 2 up, in order of index. */
    private void assertAnsweredInOrder(int echoes) throws Exception {
        Packet answer = conn.poll(Duration.ofSeconds(5));
        assertThat(answer).as("the login's answer").isNotNull();
        assertThat(SystemPackets.is(answer, SystemSeq.LOGIN)).isTrue();
        assertThat(answer.getIndex()).isEqualTo(1);
        assertThat(answer.getStatus()).isZero();
        assertThat(LoginResponse.parseFrom(answer.getBody()).getPlayerId()).isEqualTo(PLAYER);
        for (int i = 2; i < 2 + echoes; i++) {
            Packet echoed = conn.poll(Duration.ofSeconds(5));
            assertThat(echoed).as("the answer to request %s", i).isNotNull();
            assertThat(echoed.getModule()).isEqualTo(TestGame.MODULE);
            assertThat(echoed.getSeq()).isEqualTo(TestGame.ECHO);
            assertThat(echoed.getIndex()).isEqualTo(i);
            assertThat(echoed.getStatus()).isZero();
            assertThat(echoed.getBody()).isEqualTo(TestGame.intBody(i));
        }
        assertThat(gateway.stats().requests()).isEqualTo(echoes);
    }

    /** Proves the login is still undecided and nothing behind it was served or answered. */
    private void assertHeldBehindTheLogin() throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> tokensSeen.size() == 1);
        // Absence of an answer can only be observed over a bounded window.
        assertThat(conn.poll(Duration.ofMillis(300))).as("an answer before the login was decided").isNull();
        assertThat(gateway.stats().requests()).isZero();
        assertThat(gateway.stats().logins()).isZero();
        assertThat(gateway.sessions().sessionOfPlayer(PLAYER)).isNull();
        assertThat(conn.channel().isActive()).isTrue();
    }

    @Test
    void requestsSentRightBehindTheLoginAreAnsweredAfterItInOrder() throws Exception {
        start(TestGame.authenticator(), SessionOptions.defaults());

        sendBackToBack(loginAndEchoes("player-" + PLAYER, 3));

        assertAnsweredInOrder(3);
        assertThat(gateway.sessions().sessionOfPlayer(PLAYER)).isNotNull();
    }

    @Test
    void requestsInTheLoginsReadWaitForASlowAuthenticator() throws Exception {
        start(latched(), SessionOptions.defaults());

        sendBackToBack(loginAndEchoes("slow", 3));
        assertHeldBehindTheLogin();

        verdict.complete(Identity.of(PLAYER));

        assertAnsweredInOrder(3);
        assertThat(tokensSeen).containsExactly("slow");
    }

    @Test
    void requestsSentSeparatelyWaitForASlowAuthenticator() throws Exception {
        start(latched(), SessionOptions.defaults());

        // Each written and flushed on its own: some may reach the gateway after it stopped reading.
        conn.send(login("slow"));
        for (int i = 2; i < 5; i++) {
            conn.send(echo(i));
        }
        assertHeldBehindTheLogin();

        verdict.complete(Identity.of(PLAYER));

        assertAnsweredInOrder(3);
    }

    @Test
    void exactlyMaxPendingRequestsBehindTheLoginAreHeldAndServed() throws Exception {
        start(latched(), SessionOptions.builder().maxPendingRequests(4).build());

        sendBackToBack(loginAndEchoes("slow", 4));
        assertHeldBehindTheLogin();

        verdict.complete(Identity.of(PLAYER));

        assertAnsweredInOrder(4);
        assertThat(gateway.stats().sessionsClosed(Reason.TOO_MANY_PENDING_REQUESTS)).isZero();
    }

    @Test
    void morePacketsThanMaxPendingRequestsBehindAnUnfinishedLoginCloseTheSession() throws Exception {
        start(latched(), SessionOptions.builder().maxPendingRequests(4).build());

        sendBackToBack(loginAndEchoes("slow", 5));

        Packet first = conn.poll(Duration.ofSeconds(5));
        assertThat(first).as("a kick").isNotNull();
        assertThat(first.getModule()).isEqualTo(SystemPackets.MODULE);
        assertThat(first.getSeq()).isEqualTo(SystemSeq.KICK_VALUE);
        assertThat(first.getIndex()).isZero();
        Kick kick = Kick.parseFrom(first.getBody());
        assertThat(kick.getReason()).isEqualTo(Reason.TOO_MANY_PENDING_REQUESTS);
        assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(conn.poll(Duration.ZERO)).as("anything after the kick").isNull();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.TOO_MANY_PENDING_REQUESTS) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        assertThat(tokensSeen).containsExactly("slow");
        assertThat(gateway.stats().requests()).isZero();
        assertThat(gateway.stats().logins()).isZero();

        // A verdict after the close changes nothing.
        verdict.complete(Identity.of(PLAYER));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> gateway.stats().logins() == 0 && gateway.sessions().sessionOfPlayer(PLAYER) == null);
    }
}
