package io.janus.examples.demo;

import static io.janus.examples.demo.DemoGame.CHAT_MESSAGE;
import static io.janus.examples.demo.DemoGame.CHAT_MODULE;
import static io.janus.examples.demo.DemoGame.ECHO;
import static io.janus.examples.demo.DemoGame.ECHO_MODULE;
import static io.janus.examples.demo.DemoGame.GET_PROFILE;
import static io.janus.examples.demo.DemoGame.JOIN;
import static io.janus.examples.demo.DemoGame.LEAVE;
import static io.janus.examples.demo.DemoGame.PROFILE_MODULE;
import static io.janus.examples.demo.DemoGame.SAY;
import static io.janus.examples.demo.DemoGame.SET_NICKNAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.examples.demo.DemoGame.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Drives {@link DemoGame} through a real gateway on a loopback port, with the Java client. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DemoGameTest {

    private static final long WAIT_SECONDS = 5;
    private static final long ROOM = 7;

    private static final DemoSecrets SECRETS = DemoSecrets.generate();

    private static JanusClient client;

    private Gateway gateway;
    private final List<ClientSession> sessions = new ArrayList<>();

    @BeforeAll
    static void startClient() {
        client = JanusClient.builder().pinnedRootKey(SECRETS.rootPublicKey()).threads(2)
                .requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
    }

    @AfterAll
    static void stopClient() {
        client.close();
    }

    @AfterEach
    void stopGateway() {
        sessions.forEach(ClientSession::close);
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(DemoGame game) {
        gateway = Gateway.builder()
                .listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Map.of())
                .identity(SECRETS.gatewayIdentity())
                .authenticator(SECRETS.authenticator())
                .game(game.handlers())
                .build();
        gateway.start().orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    }

    /** A logged-in player whose chat pushes are collected. */
    private static final class Player {
        final ClientSession session;
        final BlockingQueue<Packet> chat = new LinkedBlockingQueue<>();

        Player(ClientSession session) {
            this.session = session;
            session.onPush(push -> {
                if (push.getModule() == CHAT_MODULE) {
                    chat.add(push);
                }
            });
        }

        String call(int module, int seq, long obj, String body) {
            return get(session.request(module, seq, obj, ByteString.copyFromUtf8(body))).toStringUtf8();
        }

        CompletableFuture<ByteString> send(int module, int seq, long obj, String body) {
            return session.request(module, seq, obj, ByteString.copyFromUtf8(body));
        }

        Packet nextChat() throws InterruptedException {
            Packet push = chat.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(push).as("a chat push within %s s", WAIT_SECONDS).isNotNull();
            return push;
        }
    }

    private Player login(long playerId) {
        ClientSession session = get(client.connect(gateway.address("tcp"), SECRETS.tokenIssuer().issue(playerId, Duration.ofMinutes(5))));
        sessions.add(session);
        return new Player(session);
    }

    private static <T> T get(CompletableFuture<T> future) {
        return future.orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    }

    /** Asserts that a request fails with a game status. */
    private static void assertGameStatus(CompletableFuture<?> future, int status) {
        assertThatThrownBy(() -> get(future))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(RequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.isGameStatus()).isTrue();
                    assertThat(e.getMessage()).isNotEmpty();
                });
    }

    @Test
    void echoAnswersWithTheBody() {
        start(new DemoGame());
        Player alice = login(1);

        assertThat(alice.call(ECHO_MODULE, ECHO, 0, "hello")).isEqualTo("hello");
        assertThat(alice.call(ECHO_MODULE, ECHO, 0, "")).isEmpty();
    }

    @Test
    void loginNeedsATokenFromTheLoginService() {
        start(new DemoGame());

        assertThatThrownBy(() -> get(client.connect(gateway.address("tcp"), "player-1")))
                .satisfies(e -> {
                    JanusException known = JanusException.find(e);
                    assertThat(known).isNotNull();
                    assertThat(known.reason()).isEqualTo(Reason.TOKEN_INVALID);
                });
        assertThat(gateway.stats().logins()).isZero();
    }

    @Test
    void profileStartsWithTheDefaultNicknameAndCountsLoginsBySession() {
        start(new DemoGame());
        Player first = login(42);

        assertThat(first.call(PROFILE_MODULE, GET_PROFILE, 0, ""))
                .isEqualTo("player 42: nickname=player-42, logins=1");
        assertThat(first.call(PROFILE_MODULE, GET_PROFILE, 0, ""))
                .as("a second request of the same session is not a login")
                .isEqualTo("player 42: nickname=player-42, logins=1");
        get(first.session.logout());

        Player second = login(42);
        assertThat(second.call(PROFILE_MODULE, GET_PROFILE, 0, ""))
                .isEqualTo("player 42: nickname=player-42, logins=2");
    }

    @Test
    void setNicknameIsKeptAndStripped() {
        start(new DemoGame());
        Player alice = login(1);

        assertThat(alice.call(PROFILE_MODULE, SET_NICKNAME, 0, "  Alice ")).isEqualTo("player 1: nickname=Alice, logins=1");
        assertThat(alice.call(PROFILE_MODULE, GET_PROFILE, 0, "")).isEqualTo("player 1: nickname=Alice, logins=1");
        assertThat(alice.call(PROFILE_MODULE, SET_NICKNAME, 0, "Ålice✓")).contains("nickname=Ålice✓");
    }

    @Test
    void badNicknamesFailWithTheirStatus() {
        start(new DemoGame());
        Player alice = login(1);

        assertGameStatus(alice.send(PROFILE_MODULE, SET_NICKNAME, 0, "x".repeat(DemoGame.MAX_NICKNAME_LENGTH + 1)),
                Status.NICKNAME_TOO_LONG);
        assertGameStatus(alice.send(PROFILE_MODULE, SET_NICKNAME, 0, "x".repeat(10_000)), Status.NICKNAME_TOO_LONG);
        assertGameStatus(alice.send(PROFILE_MODULE, SET_NICKNAME, 0, "   "), Status.NICKNAME_INVALID);
        assertGameStatus(alice.send(PROFILE_MODULE, SET_NICKNAME, 0, "a\u0000b"), Status.NICKNAME_INVALID);
        assertGameStatus(alice.session.request(PROFILE_MODULE, SET_NICKNAME,
                ByteString.copyFrom(new byte[] {(byte) 0xC3, (byte) 0x28})), Status.NICKNAME_INVALID);
        assertThat(alice.call(PROFILE_MODULE, SET_NICKNAME, 0, "x".repeat(DemoGame.MAX_NICKNAME_LENGTH)))
                .as("exactly the maximum is accepted")
                .contains("x".repeat(DemoGame.MAX_NICKNAME_LENGTH));
    }

    @Test
    void profilesAreBounded() {
        DemoGame game = new DemoGame(2, 10, 10);
        start(game);
        Player one = login(1);
        Player two = login(2);
        Player three = login(3);

        one.call(PROFILE_MODULE, GET_PROFILE, 0, "");
        two.call(PROFILE_MODULE, SET_NICKNAME, 0, "Two");
        assertGameStatus(three.send(PROFILE_MODULE, GET_PROFILE, 0, ""), Status.TOO_MANY_PROFILES);
        assertGameStatus(three.send(PROFILE_MODULE, SET_NICKNAME, 0, "Three"), Status.TOO_MANY_PROFILES);

        assertThat(game.profileCount()).isEqualTo(2);
        assertThat(one.call(PROFILE_MODULE, SET_NICKNAME, 0, "One")).as("known players still work")
                .isEqualTo("player 1: nickname=One, logins=1");
    }

    @Test
    void sayPushesToEveryMemberOfTheRoomOnly() throws InterruptedException {
        start(new DemoGame());
        Player alice = login(1);
        Player bob = login(2);
        Player carol = login(3);
        bob.call(PROFILE_MODULE, SET_NICKNAME, 0, "Bob");

        assertThat(alice.call(CHAT_MODULE, JOIN, ROOM, "")).isEqualTo("joined room 7 (1 member)");
        assertThat(bob.call(CHAT_MODULE, JOIN, ROOM, "")).isEqualTo("joined room 7 (2 members)");
        assertThat(bob.call(CHAT_MODULE, JOIN, ROOM, "")).as("joining twice is harmless")
                .isEqualTo("joined room 7 (2 members)");
        carol.call(CHAT_MODULE, JOIN, 8, "");

        assertThat(bob.call(CHAT_MODULE, SAY, ROOM, "hi")).isEqualTo("delivered to 2 members");

        Packet push = alice.nextChat();
        assertThat(push.getModule()).isEqualTo(CHAT_MODULE);
        assertThat(push.getSeq()).isEqualTo(CHAT_MESSAGE);
        assertThat(push.getObj()).isEqualTo(ROOM);
        assertThat(push.getIndex()).isZero();
        assertThat(push.getBody().toStringUtf8()).isEqualTo("Bob: hi");
        assertThat(bob.nextChat().getBody().toStringUtf8()).as("the speaker hears himself").isEqualTo("Bob: hi");

        // Carol is in room 8: what she says next reaches her, and only her, so no room 7 push reached her.
        assertThat(carol.call(CHAT_MODULE, SAY, 8, "alone")).isEqualTo("delivered to 1 member");
        assertThat(carol.nextChat().getBody().toStringUtf8()).isEqualTo("player-3: alone");
        assertThat(carol.chat).isEmpty();
        assertThat(alice.chat).isEmpty();
    }

    @Test
    void leaveStopsThePushesAndEmptyRoomsAreRemoved() throws InterruptedException {
        DemoGame game = new DemoGame();
        start(game);
        Player alice = login(1);
        Player bob = login(2);
        alice.call(CHAT_MODULE, JOIN, ROOM, "");
        bob.call(CHAT_MODULE, JOIN, ROOM, "");

        assertThat(alice.call(CHAT_MODULE, LEAVE, ROOM, "")).isEqualTo("left room 7");
        assertThat(bob.call(CHAT_MODULE, SAY, ROOM, "still here?")).isEqualTo("delivered to 1 member");
        assertThat(bob.nextChat().getBody().toStringUtf8()).isEqualTo("player-2: still here?");
        assertThat(game.roomMembers(ROOM)).isEqualTo(1);

        bob.call(CHAT_MODULE, LEAVE, ROOM, "");
        assertThat(game.roomCount()).isZero();
        assertThat(game.roomMembers(ROOM)).isZero();
        assertThat(alice.chat).isEmpty();
    }

    @Test
    void chatOutsideTheRoomFailsWithNotInRoom() {
        start(new DemoGame());
        Player alice = login(1);

        assertGameStatus(alice.send(CHAT_MODULE, SAY, ROOM, "hello?"), Status.NOT_IN_ROOM);
        assertGameStatus(alice.send(CHAT_MODULE, LEAVE, ROOM, ""), Status.NOT_IN_ROOM);
        alice.call(CHAT_MODULE, JOIN, ROOM, "");
        alice.call(CHAT_MODULE, LEAVE, ROOM, "");
        assertGameStatus(alice.send(CHAT_MODULE, LEAVE, ROOM, ""), Status.NOT_IN_ROOM);
        assertGameStatus(alice.send(CHAT_MODULE, SAY, ROOM, "hello?"), Status.NOT_IN_ROOM);
    }

    @Test
    void badRoomIdsAndMessagesFailWithTheirStatus() {
        start(new DemoGame());
        Player alice = login(1);

        assertGameStatus(alice.send(CHAT_MODULE, JOIN, 0, ""), Status.INVALID_ROOM);
        assertGameStatus(alice.send(CHAT_MODULE, JOIN, -5, ""), Status.INVALID_ROOM);
        assertGameStatus(alice.send(CHAT_MODULE, SAY, 0, "hi"), Status.INVALID_ROOM);
        alice.call(CHAT_MODULE, JOIN, ROOM, "");
        assertGameStatus(alice.send(CHAT_MODULE, SAY, ROOM, "x".repeat(DemoGame.MAX_MESSAGE_LENGTH + 1)),
                Status.MESSAGE_TOO_LONG);
        assertGameStatus(alice.send(CHAT_MODULE, SAY, ROOM, ""), Status.MESSAGE_INVALID);
        assertGameStatus(alice.send(CHAT_MODULE, SAY, ROOM, "line\nbreak"), Status.MESSAGE_INVALID);
        assertThat(alice.chat).isEmpty();
    }

    @Test
    void roomsAreBoundedInMembers() {
        DemoGame game = new DemoGame(100, 10, 2);
        start(game);
        Player alice = login(1);
        Player bob = login(2);
        Player carol = login(3);
        alice.call(CHAT_MODULE, JOIN, ROOM, "");
        bob.call(CHAT_MODULE, JOIN, ROOM, "");

        assertGameStatus(carol.send(CHAT_MODULE, JOIN, ROOM, ""), Status.ROOM_FULL);
        assertThat(game.roomMembers(ROOM)).isEqualTo(2);

        alice.call(CHAT_MODULE, LEAVE, ROOM, "");
        assertThat(carol.call(CHAT_MODULE, JOIN, ROOM, "")).isEqualTo("joined room 7 (2 members)");
    }

    @Test
    void theNumberOfRoomsIsBounded() {
        DemoGame game = new DemoGame(100, 2, 10);
        start(game);
        Player alice = login(1);
        alice.call(CHAT_MODULE, JOIN, 1, "");
        alice.call(CHAT_MODULE, JOIN, 2, "");

        assertGameStatus(alice.send(CHAT_MODULE, JOIN, 3, ""), Status.TOO_MANY_ROOMS);
        assertThat(alice.call(CHAT_MODULE, JOIN, 2, "")).as("existing rooms can still be joined")
                .isEqualTo("joined room 2 (1 member)");

        alice.call(CHAT_MODULE, LEAVE, 1, "");
        assertThat(alice.call(CHAT_MODULE, JOIN, 3, "")).as("an emptied room frees its slot")
                .isEqualTo("joined room 3 (1 member)");
        assertThat(game.roomCount()).isEqualTo(2);
    }

    @Test
    void concurrentJoinsNeverOvershootTheRoomBound() {
        int players = 20;
        int capacity = 7;
        DemoGame game = new DemoGame(100, 10, capacity);
        start(game);
        List<Player> all = new ArrayList<>();
        for (int id = 1; id <= players; id++) {
            all.add(login(id));
        }

        List<CompletableFuture<ByteString>> joins = new ArrayList<>();
        for (Player p : all) {
            joins.add(p.send(CHAT_MODULE, JOIN, ROOM, ""));
        }
        int joined = 0;
        int full = 0;
        for (CompletableFuture<ByteString> join : joins) {
            try {
                get(join);
                joined++;
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOfSatisfying(RequestException.class,
                        re -> assertThat(re.status()).isEqualTo(Status.ROOM_FULL));
                full++;
            }
        }

        assertThat(joined).isEqualTo(capacity);
        assertThat(full).isEqualTo(players - capacity);
        assertThat(game.roomMembers(ROOM)).isEqualTo(capacity);
    }

    @Test
    void membersWhoDisconnectLeaveTheirRooms() {
        DemoGame game = new DemoGame();
        start(game);
        Player alice = login(1);
        Player bob = login(2);
        alice.call(CHAT_MODULE, JOIN, ROOM, "");
        bob.call(CHAT_MODULE, JOIN, ROOM, "");

        bob.session.close();

        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> game.roomMembers(ROOM) == 1);
        assertThat(alice.call(CHAT_MODULE, SAY, ROOM, "bob?")).isEqualTo("delivered to 1 member");
        Player bobAgain = login(2);
        assertThat(bobAgain.call(CHAT_MODULE, JOIN, ROOM, "")).isEqualTo("joined room 7 (2 members)");
    }

    @Test
    void theCloseOfAnOlderSessionDoesNotRemoveANewerMembership() {
        DemoGame game = new DemoGame();
        start(game);
        Player alice = login(1);
        Player bob = login(2);
        alice.call(CHAT_MODULE, JOIN, ROOM, "");
        bob.call(CHAT_MODULE, JOIN, ROOM, "");

        // A second login kicks the first session; the new session rejoins before or after the old one's
        // close reaches the game: either way the membership is the new session's and stays.
        Player bobAgain = login(2);
        bobAgain.call(CHAT_MODULE, JOIN, ROOM, "");
        get(bob.session.closeFuture());

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(WAIT_SECONDS))
                .until(() -> game.roomMembers(ROOM) == 2);
    }

    @Test
    void boundsMustBePositive() {
        assertThatThrownBy(() -> new DemoGame(0, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxProfiles");
        assertThatThrownBy(() -> new DemoGame(1, 0, 1)).hasMessageContaining("maxRooms");
        assertThatThrownBy(() -> new DemoGame(1, 1, -1)).hasMessageContaining("maxRoomMembers");
    }
}
