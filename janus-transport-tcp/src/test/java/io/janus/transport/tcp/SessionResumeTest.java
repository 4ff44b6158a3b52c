package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.ErrorDetail;
import io.janus.api.Kick;
import io.janus.api.LoginRequest;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.ResumeRequest;
import io.janus.api.ResumeResponse;
import io.janus.api.SystemSeq;
import io.janus.client.conformance.RawConnection;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.ResumeTicket;
import io.janus.core.game.Audience;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Push;
import io.janus.core.protocol.HandshakeResult;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.ClientTransport;
import io.janus.core.transport.EventLoops;
import io.janus.transport.ws.WsClientTransport;
import io.janus.transport.ws.WsTransport;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Session resume on one gateway (docs/protocol.md, section 14) over real loopback connections: numbering
 * and acks, a connection dropped during a burst of pushes and resumed on a new connection (TCP, and
 * WebSocket: another transport than the original) with every unacknowledged packet exactly once and in
 * order, a request in flight at the drop answered after the resume, and every refusal with its reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionResumeTest {

    private static final int PLAYER = 77;
    /** Answers once the test completes {@link #slowAnswer}. */
    private static final int SLOW = 60;
    private static final byte[] TICKET_KEY = new byte[32];

    static {
        Arrays.fill(TICKET_KEY, (byte) 0x5A);
    }

    private static EventLoopGroup clientGroup;

    private Gateway gateway;
    private final List<Client> clients = new ArrayList<>();
    private final CompletableFuture<ByteString> slowAnswer = new CompletableFuture<>();
    private final List<SessionInfo> gameSawClosed = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startClientLoops() {
        clientGroup = EventLoops.newGroup(1, "resume-client");
    }

    @AfterAll
    static void stopClientLoops() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void stop() {
        slowAnswer.complete(ByteString.EMPTY);
        for (Client c : clients) {
            c.conn.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private GameHandlers game() {
        return GameHandlers.builder()
                .onNonBlocking(TestGame.MODULE, TestGame.ECHO, req -> req.body())
                .onNonBlocking(TestGame.MODULE, TestGame.PUSH_ME, req -> {
                    int count = req.body().asReadOnlyByteBuffer().getInt();
                    for (int i = 0; i < count; i++) {
                        req.pusher().pushToSession(req.session().sessionId(), push(i));
                    }
                    return ByteString.EMPTY;
                })
                .onAsync(TestGame.MODULE, SLOW, req -> slowAnswer)
                .onSessionClosed(gameSawClosed::add)
                .build();
    }

    private static Push push(int i) {
        return Push.of(TestGame.MODULE, TestGame.PUSH_SEQ, i, ByteString.copyFrom(ByteBuffer.allocate(4).putInt(0, i)));
    }

    private void start(SessionOptions options) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .transport(WsTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(game())
                .sessionOptions(options)
                .resumeTicketKey(TICKET_KEY)
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static SessionOptions resumable(Duration window) {
        return SessionOptions.builder().resumeWindow(window).requestRate(10_000, 10_000,
                SessionOptions.RateLimitPolicy.REJECT).build();
    }

    private static ClientTransport tcp() {
        return new TcpClientTransport(5000);
    }

    private static ClientTransport ws() {
        return WsClientTransport.builder().connectTimeoutMillis(5000).build();
    }

    /**
     * A resuming client over {@link RawConnection}: counts the numbered packets it received (all but the
     * answer to a RESUME) and piggybacks that count as the ack of what it sends.
     */
    private final class Client {
        final RawConnection conn;
        final String transport;
        long received;
        long lastAck;
        byte[] ticket;
        /** The resume secret of the handshake that issued {@link #ticket}. */
        byte[] ticketSecret;
        LoginResponse login;
        ResumeResponse resumed;

        Client(ClientTransport transport) {
            this.transport = transport == null ? "tcp" : "ws";
            this.conn = RawConnection.connectSecure(transport == null ? tcp() : transport,
                    gateway.address(this.transport), clientGroup);
            clients.add(this);
        }

        HandshakeResult handshake() {
            return conn.channel().attr(HandshakeResult.KEY).get();
        }

        Packet next() throws InterruptedException {
            Packet p = conn.poll(Duration.ofSeconds(10));
            assertThat(p).as("a packet from the gateway").isNotNull();
            if (!SystemPackets.is(p, SystemSeq.RESUME)) {
                received++;
            }
            return p;
        }

        void send(Packet p) {
            long ack = received > lastAck ? received : 0;
            lastAck = Math.max(lastAck, received);
            conn.send(p.toBuilder().setAck(ack).build());
        }

        void sendWithAck(Packet p, long ack) {
            conn.send(p.toBuilder().setAck(ack).build());
        }

        void login(boolean resumable) throws Exception {
            loginAs(PLAYER, resumable);
        }

        void loginAs(long player, boolean resumable) throws Exception {
            conn.send(SystemPackets.packet(SystemSeq.LOGIN, 1,
                    LoginRequest.newBuilder().setToken("player-" + player).setResumable(resumable).build()));
            Packet answer = next();
            assertThat(SystemPackets.is(answer, SystemSeq.LOGIN)).isTrue();
            assertThat(answer.getStatus()).isZero();
            login = LoginResponse.parseFrom(answer.getBody());
            ticket = login.getResumeTicket().toByteArray();
            ticketSecret = handshake().resumeSecret();
        }

        /** Sends a RESUME for {@code from}'s session on this connection. */
        void sendResume(Client from, byte[] ticket, byte[] proof) {
            received = from.received;
            lastAck = from.received;
            conn.send(SystemPackets.packet(SystemSeq.RESUME, 1, ResumeRequest.newBuilder()
                    .setTicket(ByteString.copyFrom(ticket)).setReceived(from.received)
                    .setProof(ByteString.copyFrom(proof)).build()));
        }

        /** Resumes {@code from}'s session here and expects the ResumeResponse. */
        void resume(Client from) throws Exception {
            sendResume(from, from.ticket, ResumeTicket.proof(from.ticketSecret, handshake().transcriptHash()));
            Packet answer = next();
            assertThat(SystemPackets.is(answer, SystemSeq.RESUME)).as("the answer to the resume: %s", answer)
                    .isTrue();
            assertThat(answer.getStatus()).isZero();
            assertThat(answer.getIndex()).isEqualTo(1);
            resumed = ResumeResponse.parseFrom(answer.getBody());
            ticket = resumed.getResumeTicket().toByteArray();
            ticketSecret = handshake().resumeSecret();
        }

        /** Expects a refusal: the error answer with the reason, then a KICK with it, then the close. */
        void expectRefusal(Reason reason) throws Exception {
            Packet error = conn.poll(Duration.ofSeconds(5));
            assertThat(error).as("the refusal").isNotNull();
            assertThat(SystemPackets.is(error, SystemSeq.RESUME)).isTrue();
            assertThat(error.getStatus()).isEqualTo(reason.getNumber());
            assertThat(ErrorDetail.parseFrom(error.getBody()).getReason()).isEqualTo(reason);
            expectKick(reason);
        }

        /**
         * One echo round trip: the session reaches the embedded game, which from then on hears of the
         * session's end through its session-closed listener (the tunnel's sessionClosed).
         */
        void touchGame() throws Exception {
            send(echo(1000));
            assertThat(next().getIndex()).isEqualTo(1000);
        }

        void expectKick(Reason reason) throws Exception {
            Packet kick = conn.poll(Duration.ofSeconds(5));
            assertThat(kick).as("a kick").isNotNull();
            assertThat(SystemPackets.is(kick, SystemSeq.KICK)).as("a kick: %s", kick).isTrue();
            assertThat(Kick.parseFrom(kick.getBody()).getReason()).isEqualTo(reason);
            assertThat(conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }

        /** Drops the connection as a network would, then takes in what arrived before. */
        void drop() throws Exception {
            conn.channel().close().syncUninterruptibly();
            Packet p;
            while ((p = conn.poll(Duration.ZERO)) != null) {
                received++;
                dropped.add(p);
            }
        }

        final List<Packet> dropped = new ArrayList<>();
    }

    private static Packet echo(int index) {
        return Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.ECHO).setIndex(index)
                .setBody(TestGame.intBody(index)).build();
    }

    private static Packet request(int seq, int index, int arg) {
        return Packet.newBuilder().setModule(TestGame.MODULE).setSeq(seq).setIndex(index)
                .setBody(TestGame.intBody(arg)).build();
    }

    private static int pushNumber(Packet p) {
        assertThat(p.getModule()).isEqualTo(TestGame.MODULE);
        assertThat(p.getSeq()).as("a push: %s", p).isEqualTo(TestGame.PUSH_SEQ);
        return (int) p.getObj();
    }

    private void awaitDetached(long count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsDetached() == count);
    }

    // ---- Numbering and acks -----------------------------------------------------------------------

    @Test
    void aResumableLoginGetsATicketAndTheWindow() throws Exception {
        start(resumable(Duration.ofSeconds(7)));
        Client c = new Client(null);

        c.login(true);

        assertThat(c.login.getResumeWindowMs()).isEqualTo(7000);
        ResumeTicket ticket = ResumeTicket.open(TICKET_KEY, c.ticket, System.currentTimeMillis());
        assertThat(ticket.sessionId()).isEqualTo(c.login.getSessionId());
        assertThat(ticket.playerId()).isEqualTo(PLAYER);
        assertThat(ticket.gatewayId()).isEqualTo(gateway.id());
        assertThat(ticket.carries(c.handshake().resumeSecret())).isTrue();
        assertThat(ticket.expiresAtMillis() - System.currentTimeMillis()).isBetween(60_000L, 67_000L);
    }

    @Test
    void aLoginThatDoesNotAskIsNotResumableAndEndsWithItsConnection() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client c = new Client(null);
        c.login(false);
        assertThat(c.login.getResumeTicket().isEmpty()).isTrue();
        assertThat(c.login.getResumeWindowMs()).isZero();
        c.touchGame();

        c.drop();

        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);
        assertThat(gateway.stats().sessionsDetached()).isZero();
    }

    @Test
    void aZeroResumeWindowMakesNoSessionResumable() throws Exception {
        start(resumable(Duration.ZERO));
        Client c = new Client(null);
        c.login(true);
        assertThat(c.login.getResumeTicket().isEmpty()).isTrue();
        c.touchGame();
        c.drop();
        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);

        Client again = new Client(null);
        again.sendResume(c, new byte[64], new byte[32]);
        again.expectRefusal(Reason.RESUME_SESSION_GONE);
    }

    @Test
    void acksFreeTheReplayBufferAndWithoutThemItOverflows() throws Exception {
        start(SessionOptions.builder().replayBuffer(8, 1024 * 1024).build());
        Client c = new Client(null);
        c.login(true);

        // 40 round trips with acks: never more than 2 unacknowledged packets.
        for (int i = 2; i < 42; i++) {
            c.send(echo(i));
            assertThat(c.next().getIndex()).isEqualTo(i);
        }
        assertThat(gateway.stats().sessionsClosed(Reason.REPLAY_OVERFLOW)).isZero();

        // Without acks: 41 (the last answer above) and 42..48 fill the bound of 8; the answer to 49 passes it.
        for (int i = 42; i < 49; i++) {
            c.sendWithAck(echo(i), 0);
            assertThat(c.next().getIndex()).isEqualTo(i);
        }
        c.sendWithAck(echo(49), 0);
        c.expectKick(Reason.REPLAY_OVERFLOW);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.REPLAY_OVERFLOW) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);
    }

    @Test
    void aClientThatStopsAcknowledgingIsClosedOnceItsOldestPacketPassesTheMaxAge() throws Exception {
        start(SessionOptions.builder().replayMaxAge(Duration.ofSeconds(1)).build());
        Client c = new Client(null);
        c.login(true);
        c.sendWithAck(echo(2), 0); // the LoginResponse (1) stays unacknowledged from now on
        assertThat(c.next().getIndex()).isEqualTo(2);

        Thread.sleep(1_200); // the LoginResponse is now older than the bound: the next answer passes it
        c.sendWithAck(echo(3), 0);
        c.expectKick(Reason.REPLAY_OVERFLOW);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.REPLAY_OVERFLOW) == 1);
    }

    @Test
    void anAckAboveWhatTheGatewaySentIsAProtocolViolation() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client c = new Client(null);
        c.login(true);
        c.touchGame();

        c.sendWithAck(echo(2), 3); // the LoginResponse (1) and the echo (2) were sent

        c.expectKick(Reason.PROTOCOL_VIOLATION);
        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);
        assertThat(gateway.stats().sessionsDetached()).as("a protocol error ends the session for good").isZero();
    }

    @Test
    void anAckBelowAnEarlierAckIsAProtocolViolation() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client c = new Client(null);
        c.login(true);
        c.sendWithAck(echo(2), 1);
        c.next();
        c.sendWithAck(echo(3), 2);
        c.next();

        c.sendWithAck(echo(4), 1);

        c.expectKick(Reason.PROTOCOL_VIOLATION);
    }

    // ---- Drop and resume -------------------------------------------------------------------------

    @Test
    void aBurstOfPushesSurvivesADropAndAResumeOverTcp() throws Exception {
        dropDuringABurstAndResume(null);
    }

    @Test
    void aBurstOfPushesSurvivesADropAndAResumeOverWebSocket() throws Exception {
        dropDuringABurstAndResume(ws());
    }

    /**
     * Pushes 1,000 packets from a game thread while the client drops its TCP connection after the first
     * 50; resumes on a new connection of {@code resumeTransport}: every push arrives exactly once, in
     * order, across the two connections; then new traffic flows.
     */
    private void dropDuringABurstAndResume(ClientTransport resumeTransport) throws Exception {
        int pushes = 1000;
        start(SessionOptions.builder().replayBuffer(4096, 4 * 1024 * 1024).build());
        Client first = new Client(null);
        first.login(true);
        first.touchGame();
        long sessionId = first.login.getSessionId();

        Thread pusher = new Thread(() -> {
            for (int i = 0; i < pushes; i++) {
                gateway.pusher().pushToSession(sessionId, push(i));
            }
        }, "burst");
        pusher.start();
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            seen.add(pushNumber(first.next()));
        }
        first.drop();
        for (Packet p : first.dropped) {
            seen.add(pushNumber(p));
        }
        pusher.join(10_000);
        assertThat(pusher.isAlive()).isFalse();
        awaitDetached(1);
        assertThat(gameSawClosed).as("the game hears of no close at the drop").isEmpty();

        Client second = new Client(resumeTransport);
        second.resume(first);

        assertThat(second.resumed.getSessionId()).isEqualTo(sessionId);
        assertThat(second.resumed.getPlayerId()).isEqualTo(PLAYER);
        assertThat(second.resumed.getReceived()).as("client packets processed: the echo").isEqualTo(1);
        while (seen.size() < pushes) {
            seen.add(pushNumber(second.next()));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < pushes; i++) {
            expected.add(i);
        }
        assertThat(seen).as("every push exactly once, in order").isEqualTo(expected);

        second.send(echo(9));
        Packet answer = second.next();
        assertThat(answer.getIndex()).isEqualTo(9);
        assertThat(answer.getBody()).isEqualTo(TestGame.intBody(9));
        assertThat(second.received).isEqualTo(2 + pushes + 1);
        assertThat(gateway.stats().sessionsResumed()).isEqualTo(1);
        assertThat(gateway.sessions().size()).isEqualTo(1);
        assertThat(gateway.sessions().session(sessionId).transport())
                .isEqualTo(resumeTransport == null ? "tcp" : "ws");
        assertThat(gateway.sessions().session(sessionId).info().transport()).as("what game code sees")
                .isEqualTo(resumeTransport == null ? "tcp" : "ws");
        assertThat(gameSawClosed).isEmpty();
        assertThat(gateway.stats().sessionsClosed(Reason.OK)).isZero();
    }

    @Test
    void aRequestInFlightAtTheDropIsAnsweredAfterTheResume() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client first = new Client(null);
        first.login(true);
        first.send(echo(2));
        assertThat(first.next().getIndex()).isEqualTo(2);
        first.send(request(SLOW, 3, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().requests() == 2);
        first.drop();
        awaitDetached(1);

        slowAnswer.complete(ByteString.copyFromUtf8("late"));
        Client second = new Client(null);
        second.resume(first);

        assertThat(second.resumed.getReceived()).as("both requests were processed").isEqualTo(2);
        Packet late = second.next();
        assertThat(late.getSeq()).isEqualTo(SLOW);
        assertThat(late.getIndex()).isEqualTo(3);
        assertThat(late.getBody().toStringUtf8()).isEqualTo("late");
        second.send(echo(4));
        assertThat(second.next().getIndex()).isEqualTo(4);
    }

    @Test
    void broadcastsAreNumberedAndReplayedLikeEveryOtherPacket() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client first = new Client(null);
        first.login(true);
        assertThat(gateway.pusher().broadcast(push(0), Audience.all()).toCompletableFuture().join()).isEqualTo(1);
        assertThat(pushNumber(first.next())).isZero();
        first.drop();
        awaitDetached(1);

        for (int i = 1; i <= 3; i++) {
            assertThat(gateway.pusher().broadcast(push(i), Audience.all()).toCompletableFuture().join())
                    .as("a detached session takes broadcasts").isEqualTo(1);
        }
        Client second = new Client(null);
        second.resume(first);

        for (int i = 1; i <= 3; i++) {
            assertThat(pushNumber(second.next())).isEqualTo(i);
        }
        assertThat(gateway.pusher().broadcast(push(4), Audience.all()).toCompletableFuture().join()).isEqualTo(1);
        assertThat(pushNumber(second.next())).isEqualTo(4);
        // The count the client keeps is the gateway's numbering: an ack of it is accepted, one more is not.
        second.sendWithAck(echo(5), second.received);
        assertThat(second.next().getIndex()).isEqualTo(5);
        second.sendWithAck(echo(6), second.received + 1);
        second.expectKick(Reason.PROTOCOL_VIOLATION);
    }

    @Test
    void aResumeTakesTheSessionFromAConnectionNotYetNoticedDead() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client first = new Client(null);
        first.login(true);
        first.send(echo(2));
        first.next();

        Client second = new Client(null);
        second.resume(first);

        assertThat(first.conn.awaitClosed(Duration.ofSeconds(5))).as("the old connection is closed").isTrue();
        assertThat(second.resumed.getReceived()).isEqualTo(1);
        second.send(echo(3));
        assertThat(second.next().getIndex()).isEqualTo(3);
        assertThat(gateway.sessions().size()).isEqualTo(1);
        assertThat(gameSawClosed).isEmpty();
    }

    @Test
    void anIdleConnectionIsDroppedButItsResumableSessionWaitsForAResume() throws Exception {
        start(SessionOptions.builder().idleTimeout(Duration.ofMillis(600)).heartbeatInterval(Duration.ofMillis(200))
                .build());
        Client first = new Client(null);
        first.login(true);
        first.touchGame();

        // Silent for longer than the idle timeout: the gateway drops the connection without a kick.
        assertThat(first.conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(first.conn.poll(Duration.ZERO)).as("no kick: the session is not over").isNull();
        awaitDetached(1);
        assertThat(gateway.stats().sessionsClosed(Reason.IDLE_TIMEOUT)).isZero();
        assertThat(gameSawClosed).isEmpty();

        Client second = new Client(null);
        second.resume(first);
        second.send(echo(3));
        assertThat(second.next().getIndex()).isEqualTo(3);
    }

    @Test
    void aSessionResumesTwiceWithTheFreshTicketAndTheOldTicketStopsWorking() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client first = new Client(null);
        first.login(true);
        first.drop();
        awaitDetached(1);
        Client second = new Client(null);
        second.resume(first);
        second.send(echo(2));
        second.next();
        second.drop();
        awaitDetached(2);

        Client stale = new Client(null);
        stale.sendResume(first, first.ticket, ResumeTicket.proof(first.ticketSecret,
                stale.handshake().transcriptHash()));
        stale.expectRefusal(Reason.RESUME_TICKET_INVALID);

        Client third = new Client(null);
        third.resume(second);
        assertThat(third.resumed.getReceived()).isEqualTo(1);
        third.send(echo(3));
        assertThat(third.next().getIndex()).isEqualTo(3);
        assertThat(gateway.stats().sessionsResumed()).isEqualTo(2);
    }

    // ---- Refusals --------------------------------------------------------------------------------

    private Client detachedSession() throws Exception {
        Client c = new Client(null);
        c.login(true);
        c.touchGame();
        c.drop();
        awaitDetached(1);
        return c;
    }

    private void assertStillResumable(Client old) throws Exception {
        Client good = new Client(null);
        good.resume(old);
        assertThat(good.resumed.getSessionId()).isEqualTo(old.login.getSessionId());
    }

    @Test
    void anExpiredTicketIsRefused() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client old = detachedSession();
        byte[] expired = new ResumeTicket(old.login.getSessionId(), PLAYER, gateway.id(), old.ticketSecret,
                System.currentTimeMillis() - 1).seal(TICKET_KEY);

        Client c = new Client(null);
        c.sendResume(old, expired, ResumeTicket.proof(old.ticketSecret, c.handshake().transcriptHash()));

        c.expectRefusal(Reason.RESUME_TICKET_INVALID);
        assertThat(gateway.stats().sessionsClosed(Reason.RESUME_TICKET_INVALID)).isEqualTo(1);
        assertStillResumable(old);
    }

    @Test
    void aForgedTicketIsRefused() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client old = detachedSession();
        byte[] forged = old.ticket.clone();
        forged[forged.length / 2] ^= 0x01;

        Client c = new Client(null);
        c.sendResume(old, forged, ResumeTicket.proof(old.ticketSecret, c.handshake().transcriptHash()));

        c.expectRefusal(Reason.RESUME_TICKET_INVALID);
        assertStillResumable(old);
    }

    @Test
    void aTicketOfAnotherKeyIsRefused() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client old = detachedSession();
        byte[] otherKey = new byte[32];
        byte[] foreign = new ResumeTicket(old.login.getSessionId(), PLAYER, gateway.id(), old.ticketSecret,
                System.currentTimeMillis() + 60_000).seal(otherKey);

        Client c = new Client(null);
        c.sendResume(old, foreign, ResumeTicket.proof(old.ticketSecret, c.handshake().transcriptHash()));

        c.expectRefusal(Reason.RESUME_TICKET_INVALID);
        assertStillResumable(old);
    }

    @Test
    void theRightTicketWithoutTheSessionKeysIsRefused() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client old = detachedSession();
        byte[] guessed = new byte[32];
        Arrays.fill(guessed, (byte) 1);

        Client c = new Client(null);
        c.sendResume(old, old.ticket, ResumeTicket.proof(guessed, c.handshake().transcriptHash()));

        c.expectRefusal(Reason.RESUME_PROOF_INVALID);
        assertThat(gateway.stats().sessionsClosed(Reason.RESUME_PROOF_INVALID)).isEqualTo(1);
        assertStillResumable(old);
    }

    @Test
    void aProofMadeForAnotherHandshakeIsRefused() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client old = detachedSession();

        Client c = new Client(null);
        // Replays the proof of some other connection's handshake (here: the old one's).
        c.sendResume(old, old.ticket, ResumeTicket.proof(old.ticketSecret, old.handshake().transcriptHash()));

        c.expectRefusal(Reason.RESUME_PROOF_INVALID);
    }

    @Test
    void aSessionIsGoneAfterTheWindowAndTheGameHearsOfItThenNotAtTheDrop() throws Exception {
        start(resumable(Duration.ofMillis(400)));
        Client old = new Client(null);
        old.login(true);
        old.touchGame();
        old.drop();
        awaitDetached(1);
        assertThat(gameSawClosed).as("nothing at the drop").isEmpty();
        assertThat(gateway.sessions().size()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.RESUME_WINDOW_EXPIRED) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);
        assertThat(gameSawClosed.get(0).sessionId()).isEqualTo(old.login.getSessionId());
        assertThat(gateway.sessions().size()).isZero();

        Client c = new Client(null);
        c.sendResume(old, old.ticket, ResumeTicket.proof(old.ticketSecret, c.handshake().transcriptHash()));
        c.expectRefusal(Reason.RESUME_SESSION_GONE);
    }

    @Test
    void aDetachedSessionWhoseBufferOverflowsIsClosed() throws Exception {
        start(SessionOptions.builder().replayBuffer(16, 1024 * 1024).build());
        Client old = detachedSession();

        // 1 unacknowledged already (the echo's answer; its request acked the LoginResponse): the 16th
        // push passes the bound of 16.
        for (int i = 0; i < 16; i++) {
            gateway.pusher().pushToSession(old.login.getSessionId(), push(i)).toCompletableFuture().join();
        }

        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.REPLAY_OVERFLOW) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);
        Client c = new Client(null);
        c.sendResume(old, old.ticket, ResumeTicket.proof(old.ticketSecret, c.handshake().transcriptHash()));
        c.expectRefusal(Reason.RESUME_SESSION_GONE);
    }

    @Test
    void aReceivedCountAboveWhatTheGatewaySentIsAProtocolViolation() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client old = detachedSession();
        old.received = 5; // only the LoginResponse and one echo were sent

        Client c = new Client(null);
        c.sendResume(old, old.ticket, ResumeTicket.proof(old.ticketSecret, c.handshake().transcriptHash()));

        c.expectRefusal(Reason.PROTOCOL_VIOLATION);
        old.received = 2;
        assertStillResumable(old);
    }

    @Test
    void noMoreSessionsDetachThanTheGatewayTakesConnections() throws Exception {
        start(SessionOptions.builder().maxConnections(1).build());
        Client a = detachedSession();

        Client b = new Client(null);
        b.loginAs(PLAYER + 1, true);
        b.touchGame();
        b.drop();

        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);
        assertThat(gameSawClosed.get(0).playerId()).as("the second session ended at once").isEqualTo(PLAYER + 1);
        assertThat(gateway.stats().sessionsDetached()).isEqualTo(1);
        assertThat(gateway.sessions().size()).isEqualTo(1);
        assertStillResumable(a);
    }

    @Test
    void aLogoutEndsAResumableSessionForGood() throws Exception {
        start(resumable(Duration.ofSeconds(30)));
        Client c = new Client(null);
        c.login(true);
        c.touchGame();

        c.send(SystemPackets.packet(SystemSeq.LOGOUT, 2, io.janus.api.Heartbeat.getDefaultInstance()));

        assertThat(c.conn.awaitClosed(Duration.ofSeconds(5))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> gameSawClosed.size() == 1);
        assertThat(gateway.stats().sessionsDetached()).isZero();
        assertThat(gateway.sessions().size()).isZero();
    }
}
