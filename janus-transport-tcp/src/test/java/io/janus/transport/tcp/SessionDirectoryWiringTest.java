package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.janus.api.ErrorDetail;
import io.janus.api.Kick;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.client.conformance.RawConnection;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.AuthenticationException;
import io.janus.core.Gateway;
import io.janus.core.game.Pusher;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.SessionDirectory;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the gateway uses its {@link SessionDirectory}, over real loopback TCP: every login is registered
 * after the authenticator accepted it and before the session serves anything; the directory's refusal
 * reaches the client with its reason; a failing directory refuses with DIRECTORY_UNAVAILABLE; the entry
 * is released when the session closes, also when it closed while the directory was deciding; the
 * gateway's pusher is the directory's.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionDirectoryWiringTest {

    private static EventLoopGroup clientGroup;

    private final RecordingDirectory directory = new RecordingDirectory();
    private Gateway gateway;
    private RawConnection conn;

    @BeforeAll
    static void startClientLoops() {
        clientGroup = EventLoops.newGroup(1, "directory-client");
    }

    @AfterAll
    static void stopClientLoops() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void stop() {
        directory.verdict.get().complete(null);
        if (conn != null) {
            conn.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start() {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .directory(directory)
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        conn = RawConnection.connectSecure(new TcpClientTransport(5000), gateway.address("tcp"), clientGroup);
    }

    private static Packet echo(int index) {
        return Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.ECHO).setIndex(index)
                .setBody(TestGame.intBody(index)).build();
    }

    @Test
    void aLoginIsRegisteredBeforeItIsServedAndReleasedOnClose() throws Exception {
        directory.verdict.set(new CompletableFuture<>());
        start();
        assertThat(directory.started).isTrue();

        conn.login("player-7");
        conn.send(echo(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> directory.registered.size() == 1);
        SessionInfo registered = directory.registered.get(0);
        assertThat(registered.playerId()).isEqualTo(7);
        assertThat(registered.gatewayId()).isEqualTo(gateway.id());
        assertThat(directory.policies).containsExactly(DuplicateLoginPolicy.KICK_OLD);
        // Absence of an answer can only be observed over a bounded window.
        assertThat(conn.poll(Duration.ofMillis(300))).as("an answer before the directory decided").isNull();
        assertThat(gateway.sessions().sessionOfPlayer(7)).isNull();

        directory.verdict.get().complete(null);

        Packet answer = conn.poll(Duration.ofSeconds(5));
        assertThat(SystemPackets.is(answer, SystemSeq.LOGIN)).isTrue();
        assertThat(LoginResponse.parseFrom(answer.getBody()).getPlayerId()).isEqualTo(7);
        Packet echoed = conn.poll(Duration.ofSeconds(5));
        assertThat(echoed.getIndex()).isEqualTo(2);
        assertThat(directory.unregistered).isEmpty();

        conn.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> directory.unregistered.size() == 1);
        assertThat(directory.unregistered.get(0)).isSameAs(registered);
    }

    @Test
    void theDirectorysRefusalReachesTheClientWithItsReason() throws Exception {
        directory.verdict.set(CompletableFuture.failedFuture(
                new AuthenticationException(Reason.DUPLICATE_LOGIN, "player 8 is playing on gw-other")));
        start();

        conn.login("player-8");

        assertRefused(Reason.DUPLICATE_LOGIN);
        assertThat(gateway.stats().logins()).isZero();
        assertThat(directory.unregistered).as("nothing was registered").isEmpty();
    }

    @Test
    void aFailingDirectoryRefusesWithDirectoryUnavailable() throws Exception {
        directory.verdict.set(CompletableFuture.failedFuture(new IllegalStateException("redis is down")));
        start();

        conn.login("player-9");

        assertRefused(Reason.DIRECTORY_UNAVAILABLE);
        assertThat(gateway.stats().sessionsClosed(Reason.DIRECTORY_UNAVAILABLE)).isEqualTo(1);
    }

    @Test
    void anEntryGrantedAfterTheSessionClosedIsReleased() throws Exception {
        directory.verdict.set(new CompletableFuture<>());
        start();
        conn.login("player-10");
        await().atMost(Duration.ofSeconds(5)).until(() -> directory.registered.size() == 1);

        conn.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        directory.verdict.get().complete(null);

        await().atMost(Duration.ofSeconds(5)).until(() -> directory.unregistered.size() == 1);
        assertThat(directory.unregistered.get(0).playerId()).isEqualTo(10);
    }

    @Test
    void theGatewaysPusherIsTheDirectorysAndAGivenDirectoryIsNotClosed() {
        start();

        assertThat(gateway.pusher()).isSameAs(directory.pusher);
        assertThat(gateway.directory()).isSameAs(directory);
        gateway.close();
        assertThat(directory.closed).isFalse();
    }

    @Test
    void aDirectoryBuiltFromTheContextSeesThisGatewayAndIsClosedWithIt() {
        AtomicReference<io.janus.core.spi.SessionDirectoryContext> seen = new AtomicReference<>();
        gateway = Gateway.builder()
                .id("gw-factory")
                .identity(TestKeys.GATEWAY)
                .listen("tcp", 0)
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .directory(context -> {
                    seen.set(context);
                    return directory;
                })
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(seen.get().gatewayId()).isEqualTo("gw-factory");
        assertThat(seen.get().sessions()).isSameAs(gateway.sessions());
        assertThat(directory.started).isTrue();
        gateway.close();
        assertThat(directory.closed).as("built for the gateway, so closed by it").isTrue();
    }

    @Test
    void anUnknownDirectoryNamesTheArtifactToAdd() {
        assertThatThrownBy(() -> Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .listen("tcp", 0)
                .authenticator(TestGame.authenticator())
                .directory("redis", Map.of())
                .build())
                .hasMessageContaining("janus-route-redis");
    }

    private void assertRefused(Reason reason) throws Exception {
        Packet answer = conn.poll(Duration.ofSeconds(5));
        assertThat(answer).as("the login's answer").isNotNull();
        assertThat(answer.getStatus()).isEqualTo(reason.getNumber());
        assertThat(ErrorDetail.parseFrom(answer.getBody()).getReason()).isEqualTo(reason);
        Packet kick = conn.poll(Duration.ofSeconds(5));
        assertThat(kick).as("the kick").isNotNull();
        assertThat(Kick.parseFrom(kick.getBody()).getReason()).isEqualTo(reason);
        assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
    }

    /** Records calls; answers register() with {@link #verdict}. */
    private static final class RecordingDirectory implements SessionDirectory {
        final AtomicReference<CompletableFuture<Void>> verdict =
                new AtomicReference<>(CompletableFuture.completedFuture(null));
        final List<SessionInfo> registered = new CopyOnWriteArrayList<>();
        final List<DuplicateLoginPolicy> policies = new CopyOnWriteArrayList<>();
        final List<SessionInfo> unregistered = new CopyOnWriteArrayList<>();
        final Pusher pusher = new io.janus.core.game.Pusher() {
            @Override
            public CompletionStage<Boolean> pushToPlayer(long playerId, io.janus.core.game.Push push) {
                return CompletableFuture.completedFuture(false);
            }

            @Override
            public CompletionStage<Boolean> pushToSession(long sessionId, io.janus.core.game.Push push) {
                return CompletableFuture.completedFuture(false);
            }

            @Override
            public CompletionStage<Boolean> kick(long playerId, Reason reason, String message) {
                return CompletableFuture.completedFuture(false);
            }

            @Override
            public CompletionStage<Integer> broadcast(io.janus.core.game.Push push,
                    io.janus.core.game.Audience audience) {
                return CompletableFuture.completedFuture(0);
            }

            @Override
            public CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message) {
                return CompletableFuture.completedFuture(false);
            }
        };
        volatile boolean started;
        volatile boolean closed;

        @Override
        public CompletionStage<Void> start() {
            started = true;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> register(SessionInfo session, DuplicateLoginPolicy policy) {
            registered.add(session);
            policies.add(policy);
            return verdict.get();
        }

        @Override
        public void unregister(SessionInfo session) {
            unregistered.add(session);
        }

        @Override
        public Pusher pusher() {
            return pusher;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
