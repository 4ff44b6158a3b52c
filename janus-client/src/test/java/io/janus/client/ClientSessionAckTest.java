package io.janus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.LoginRequest;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.core.RequestException;
import io.janus.core.protocol.SystemPackets;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session's side of the numbering (docs/protocol.md, section 14) at the handler level, packets in and
 * out of an {@link EmbeddedChannel} with a clock the test moves: what gets acked, when, and how the resend
 * buffer bounds what is in flight. The end-to-end behaviour against a real gateway is ClientResumeTest in
 * janus-transport-tcp.
 */
class ClientSessionAckTest {

    private final EmbeddedChannel ch = new EmbeddedChannel();

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private ClientSession session(int resendPackets) {
        ClientSession.ResumeSettings settings = new ClientSession.ResumeSettings(
                List.of(Endpoint.of("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))),
                (endpoint, session, attempt) -> CompletableFuture.failedFuture(new java.net.ConnectException("refused")),
                new Backoff(100, 5000), 10_000, resendPackets, 1 << 20);
        ClientSession session = new ClientSession(ch.eventLoop(), 15_000, settings);
        ch.pipeline().addLast(session.attach(ch, 0));
        return session;
    }

    /** Logs in; the gateway's answer is its packet number 1. */
    private ClientSession loggedIn(int resendPackets, boolean resumable) throws Exception {
        ClientSession session = session(resendPackets);
        CompletableFuture<ClientSession> login = session.login(LoginRequest.newBuilder().setToken("t").build(),
                new byte[32]);
        Packet request = next();
        assertThat(SystemPackets.is(request, SystemSeq.LOGIN)).isTrue();
        assertThat(LoginRequest.parseFrom(request.getBody()).getResumable()).as("asks for resume").isTrue();
        assertThat(request.getAck()).isZero();
        LoginResponse.Builder response = LoginResponse.newBuilder().setSessionId(7).setPlayerId(8)
                .setMaxFrameLength(65536).setMaxPendingRequests(100);
        if (resumable) {
            response.setResumeTicket(ByteString.copyFromUtf8("ticket")).setResumeWindowMs(5000);
        }
        ch.writeInbound(SystemPackets.packet(SystemSeq.LOGIN, request.getIndex(), response.build()));
        assertThat(login).isCompleted();
        assertThat(session.isResumable()).isEqualTo(resumable);
        return session;
    }

    private Packet next() {
        ch.runPendingTasks();
        return ch.readOutbound();
    }

    private void pushes(int count) {
        for (int i = 0; i < count; i++) {
            ch.writeInbound(Packet.newBuilder().setModule(1).setSeq(100).setObj(i).build());
        }
    }

    private static boolean isOneWayHeartbeat(Packet p) {
        return SystemPackets.is(p, SystemSeq.HEARTBEAT) && p.getIndex() == 0;
    }

    @Test
    void thirtyTwoUnackedGatewayPacketsSendAOneWayHeartbeatWithTheAck() throws Exception {
        loggedIn(1024, true);

        pushes(30); // 31 packets with the LoginResponse
        assertThat(next()).isNull();
        pushes(1);

        Packet ack = next();
        assertThat(isOneWayHeartbeat(ack)).isTrue();
        assertThat(ack.getAck()).isEqualTo(32);
        pushes(31);
        assertThat(next()).isNull();
        pushes(1);
        assertThat(next().getAck()).isEqualTo(64);
    }

    @Test
    void requestsCarryTheAckOnlyWhenItAdvanced() throws Exception {
        ClientSession session = loggedIn(1024, true);

        session.request(1, 1, ByteString.EMPTY);
        assertThat(next().getAck()).as("the LoginResponse").isEqualTo(1);
        session.request(1, 1, ByteString.EMPTY);
        assertThat(next().getAck()).as("no news").isZero();
        pushes(2);
        session.send(1, 2, 0, ByteString.EMPTY);
        assertThat(next().getAck()).isEqualTo(3);
    }

    @Test
    void anAckGoesOutOneSecondAfterTheOldestUnackedPacketWhenNothingElseIsSent() throws Exception {
        ClientSession session = loggedIn(1024, true);
        session.request(1, 1, ByteString.EMPTY);
        assertThat(next().getAck()).isEqualTo(1);

        pushes(1);
        ch.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        pushes(1); // a later packet does not push the deadline back
        ch.advanceTimeBy(399, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(next()).isNull();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        Packet ack = next();
        assertThat(isOneWayHeartbeat(ack)).isTrue();
        assertThat(ack.getAck()).isEqualTo(3);
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(next()).as("nothing new to ack").isNull();
    }

    @Test
    void aSessionTheGatewayDidNotMakeResumableNeverAcks() throws Exception {
        ClientSession session = loggedIn(1024, false);

        pushes(40);
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(next()).isNull();
        session.request(1, 1, ByteString.EMPTY);
        assertThat(next().getAck()).isZero();
    }

    @Test
    void aHalfFullResendBufferAsksForAConfirmationAndAnAnswerFreesIt() throws Exception {
        ClientSession session = loggedIn(4, true);
        List<Packet> sent = new ArrayList<>();
        List<CompletableFuture<ByteString>> futures = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            futures.add(session.request(1, 1, ByteString.EMPTY));
            sent.add(next());
        }
        // Half full after two: the session asks for a confirmation with a heartbeat request, after the
        // packet that filled it, so that numbers follow the wire order.
        Packet probe = next();
        assertThat(SystemPackets.is(probe, SystemSeq.HEARTBEAT)).isTrue();
        assertThat(probe.getIndex()).isNotZero();
        for (int i = 0; i < 3; i++) {
            futures.add(session.request(1, 1, ByteString.EMPTY));
            sent.add(next());
        }
        assertThat(next()).as("one probe at a time").isNull();
        assertThat(futures).as("past the bound, requests still go out").noneMatch(CompletableFuture::isDone);

        // The answer to the probe proves the gateway processed everything sent before it.
        ch.writeInbound(probe);
        ch.writeInbound(sent.get(4).toBuilder().setBody(ByteString.copyFromUtf8("done")).build());
        assertThat(futures.get(4).join()).isEqualTo(ByteString.copyFromUtf8("done"));
        assertThat(session.rttMillis()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aLostConnectionReconnectsWithinTheWindowAndThenFailsWhatIsPending() throws Exception {
        List<String> events = new ArrayList<>();
        ClientSession session = loggedIn(4, true);
        session.addListener(new SessionListener() {
            @Override
            public void reconnecting(int attempt, Throwable cause) {
                events.add("reconnecting " + attempt);
            }

            @Override
            public void closed(CloseReason reason) {
                events.add("closed " + reason.reason());
            }
        });

        // Through the unsafe: EmbeddedChannel.close() would also cancel the tasks the session schedules.
        ch.unsafe().close(ch.voidPromise());
        ch.runPendingTasks();
        assertThat(session.isReconnecting()).isTrue();
        assertThat(events).containsExactly("reconnecting 1");
        // While reconnecting requests wait in the resend buffer, as far as it goes.
        List<CompletableFuture<ByteString>> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(session.request(1, 1, ByteString.EMPTY));
        }
        ch.runPendingTasks();
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        CompletableFuture<ByteString> refused = session.request(1, 1, ByteString.EMPTY);
        assertThatThrownBy(refused::join).cause().isInstanceOfSatisfying(RequestException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PENDING_REQUESTS));

        // Every attempt fails (the connector cannot connect): the 5 s window bounds them.
        for (int i = 0; i < 60 && !session.closeFuture().isDone(); i++) {
            ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            ch.runPendingTasks();
            ch.checkException();
        }

        assertThat(session.closeFuture()).as("events %s", events).isCompleted();
        assertThat(session.closeFuture().join().reason()).isEqualTo(Reason.RESUME_WINDOW_EXPIRED);
        assertThat(waiting).allSatisfy(f -> assertThatThrownBy(f::join).cause()
                .isInstanceOfSatisfying(SessionClosedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.RESUME_WINDOW_EXPIRED)));
        assertThat(events).last().isEqualTo("closed RESUME_WINDOW_EXPIRED");
        // Backoff from 100 ms doubling to 5 s: a handful of attempts in 5 s, not hundreds.
        assertThat(events.size() - 1).isBetween(4, 8);
    }
}
