package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.Endpoint;
import io.janus.client.JanusClient;
import io.janus.client.SessionClosedException;
import io.janus.client.SessionListener;
import io.janus.client.conformance.CuttableProxy;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Push;
import io.janus.transport.ws.WsTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session resume end to end, the client's view (docs/protocol.md, section 14): a real gateway, the Java
 * client, and between them a loopback TCP proxy the test cuts to lose the connection the way a network
 * does. A resumed session delivers every push once and in order, completes the requests in flight and
 * those made while reconnecting, and reports reconnecting then resumed; a gateway that refuses the resume
 * or a window that passes ends the session with the reason, failing what is pending.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientResumeTest {

    private static final byte[] TICKET_KEY = new byte[32];
    /** A blocking handler that waits for the test's gate. */
    private static final int GATED = 20;
    /** An async handler that never answers. */
    private static final int NEVER = 21;
    /** Body: 4-byte start, 4-byte count; pushes obj = start .. start+count-1, then answers. */
    private static final int PUSH_RANGE = 22;
    /** Records the body (sent one-way) in {@link #recorded}. */
    private static final int RECORD = 23;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Semaphore started = new Semaphore(0);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<CloseReason> closed = new CopyOnWriteArrayList<>();
    private final List<String> recorded = new CopyOnWriteArrayList<>();

    static {
        for (int i = 0; i < TICKET_KEY.length; i++) {
            TICKET_KEY[i] = (byte) (i * 7 + 1);
        }
    }

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private GameHandlers handlers() {
        return GameHandlers.builder()
                .onNonBlocking(TestGame.MODULE, TestGame.ECHO, request -> request.body())
                .onNonBlocking(TestGame.MODULE, TestGame.PUSH_ME, request -> {
                    int count = request.body().asReadOnlyByteBuffer().getInt();
                    for (int i = 0; i < count; i++) {
                        request.pusher().pushToSession(request.session().sessionId(),
                                Push.of(TestGame.MODULE, TestGame.PUSH_SEQ, i, ByteString.EMPTY));
                    }
                    return ByteString.EMPTY;
                })
                .onNonBlocking(TestGame.MODULE, PUSH_RANGE, TestGame.pushRange())
                .onNonBlocking(TestGame.MODULE, RECORD, request -> {
                    recorded.add(request.body().toStringUtf8());
                    return ByteString.EMPTY;
                })
                .on(TestGame.MODULE, GATED, TestGame.gated(started, gate))
                .onAsync(TestGame.MODULE, NEVER, request -> {
                    started.release();
                    return new CompletableFuture<>();
                })
                .build();
    }

    private Gateway gateway(SessionOptions options) {
        Gateway gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(handlers())
                .sessionOptions(options)
                .resumeTicketKey(TICKET_KEY)
                .shutdownTimeout(Duration.ofSeconds(2))
                .workerThreads(2)
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        resources.add(gateway);
        return gateway;
    }

    private static SessionOptions options(Duration window) {
        return SessionOptions.builder().resumeWindow(window).replayBuffer(8192, 8 * 1024 * 1024)
                .requestTimeout(Duration.ofSeconds(30)).build();
    }

    private static InetSocketAddress address(Gateway gateway) {
        return gateway.address(TcpTransport.NAME);
    }

    private CuttableProxy proxy(InetSocketAddress target) {
        try {
            CuttableProxy proxy = new CuttableProxy(target);
            resources.add(proxy);
            return proxy;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private JanusClient client(Endpoint... extra) {
        return client(1024, extra);
    }

    private JanusClient client(int resendPackets, Endpoint... extra) {
        JanusClient.Builder builder = TestKeys.client().requestTimeout(Duration.ofSeconds(30))
                .resendBuffer(resendPackets, 1024 * 1024)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .reconnectAttemptTimeout(Duration.ofSeconds(10));
        for (Endpoint e : extra) {
            builder.reconnectEndpoint(e);
        }
        JanusClient client = builder.build();
        resources.add(client);
        return client;
    }

    private ClientSession login(JanusClient client, CuttableProxy proxy, long player) {
        ClientSession session = client.connect(proxy.address(), "player-" + player).orTimeout(10, TimeUnit.SECONDS)
                .join();
        session.addListener(new SessionListener() {
            @Override
            public void reconnecting(int attempt, Throwable cause) {
                events.add("reconnecting " + attempt);
            }

            @Override
            public void resumed() {
                events.add("resumed");
            }

            @Override
            public void closed(CloseReason reason) {
                events.add("closed");
                closed.add(reason);
            }
        });
        assertThat(session.isResumable()).isTrue();
        return session;
    }

    @Test
    void aBurstOfPushesSurvivesALostConnectionOnceAndInOrder() throws Exception {
        Gateway gateway = gateway(options(Duration.ofSeconds(20)));
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(), proxy, 1);
        List<Long> pushes = new CopyOnWriteArrayList<>();
        int count = 1000;
        session.onPush(push -> {
            pushes.add(push.getObj());
            if (pushes.size() == 100) {
                CompletableFuture.runAsync(proxy::cut); // off the event loop: the proxy closes sockets
            }
        });

        CompletableFuture<ByteString> burst = session.request(TestGame.MODULE, TestGame.PUSH_ME,
                TestGame.intBody(count));

        assertThat(burst.get(20, TimeUnit.SECONDS)).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> pushes.size() >= count);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            expected.add(i);
        }
        assertThat(pushes).as("every push once, in order").isEqualTo(expected);
        assertThat(proxy.cuts()).isEqualTo(1);
        assertThat(events).first().isEqualTo("reconnecting 1");
        assertThat(events).last().isEqualTo("resumed");
        assertThat(events).filteredOn("resumed"::equals).hasSize(1);
        assertThat(gateway.stats().sessionsResumed()).isEqualTo(1);
        assertThat(session.isActive()).isTrue();
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("after")).join())
                .isEqualTo(ByteString.copyFromUtf8("after"));
    }

    @Test
    void requestsInFlightAndMadeWhileReconnectingCompleteAfterTheResume() throws Exception {
        Gateway gateway = gateway(options(Duration.ofSeconds(20)));
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(), proxy, 2);
        CompletableFuture<ByteString> inFlight = session.request(TestGame.MODULE, GATED,
                ByteString.copyFromUtf8("in flight"));
        assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

        proxy.refuse(true);
        proxy.cut();
        await().atMost(Duration.ofSeconds(10)).until(session::isReconnecting);
        CompletableFuture<ByteString> whileAway = session.request(TestGame.MODULE, TestGame.ECHO,
                ByteString.copyFromUtf8("while away"));
        session.send(TestGame.MODULE, RECORD, 0, ByteString.copyFromUtf8("one-way while away"));
        gate.countDown(); // the answer is made while the session is detached: the gateway keeps it
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.stats().sessionsDetached() == 1);
        proxy.refuse(false);

        assertThat(inFlight.get(20, TimeUnit.SECONDS)).isEqualTo(ByteString.copyFromUtf8("in flight"));
        assertThat(whileAway.get(20, TimeUnit.SECONDS)).isEqualTo(ByteString.copyFromUtf8("while away"));
        // Sent after the echo it follows: processed by then, and exactly once.
        assertThat(recorded).containsExactly("one-way while away");
        assertThat(events).first().isEqualTo("reconnecting 1");
        assertThat(events).last().isEqualTo("resumed");
        assertThat(closed).isEmpty();
    }

    @Test
    void aSessionResumesAgainWithTheTicketOfItsLastResume() throws Exception {
        // The second RESUME must be proved with the resume secret of the first resume's handshake.
        Gateway gateway = gateway(options(Duration.ofSeconds(20)));
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(), proxy, 8);
        List<Long> pushes = new CopyOnWriteArrayList<>();
        session.onPush(push -> pushes.add(push.getObj()));

        for (int round = 0; round < 3; round++) {
            int before = events.size();
            proxy.cut();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.size() > before && "resumed".equals(
                    events.get(events.size() - 1)));
            ByteString body = TestGame.rangeBody(round * 10, 10);
            session.request(TestGame.MODULE, PUSH_RANGE, body).get(10, TimeUnit.SECONDS);
            session.send(TestGame.MODULE, RECORD, 0, ByteString.copyFromUtf8("round " + round));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> pushes.size() == 30 && recorded.size() == 3);
        assertThat(pushes).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        assertThat(recorded).containsExactly("round 0", "round 1", "round 2");
        assertThat(events).filteredOn("resumed"::equals).hasSize(3);
        assertThat(closed).isEmpty();
        assertThat(gateway.stats().sessionsResumed()).isEqualTo(3);
    }

    @Test
    void acksKeepTheGatewaysReplayBufferWithinASmallBound() {
        // 64 packets of replay buffer; 40 rounds of 20 pushes = 800 packets: only the client's acks keep
        // the session from REPLAY_OVERFLOW.
        Gateway gateway = gateway(SessionOptions.builder().resumeWindow(Duration.ofSeconds(20))
                .replayBuffer(64, 1024 * 1024).build());
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(), proxy, 3);
        List<Long> pushes = new CopyOnWriteArrayList<>();
        session.onPush(push -> pushes.add(push.getObj()));

        for (int round = 0; round < 40; round++) {
            ByteString body = TestGame.rangeBody(round * 20, 20);
            session.request(TestGame.MODULE, PUSH_RANGE, body).orTimeout(10, TimeUnit.SECONDS).join();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> pushes.size() == 800);
        assertThat(session.isActive()).isTrue();
        assertThat(gateway.stats().sessionsClosed(Reason.REPLAY_OVERFLOW)).isZero();
    }

    @Test
    void aGatewayThatRefusesTheResumeClosesTheSessionWithItsReasonAndFailsPendingRequests() throws Exception {
        Gateway first = gateway(options(Duration.ofSeconds(20)));
        Gateway second = gateway(options(Duration.ofSeconds(20))); // same ticket key, but not this session
        CuttableProxy proxy = proxy(address(first));
        ClientSession session = login(client(), proxy, 4);
        CompletableFuture<ByteString> pending = session.request(TestGame.MODULE, NEVER, ByteString.EMPTY);
        assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

        proxy.retarget(address(second));
        proxy.cut();

        CloseReason reason = session.closeFuture().get(20, TimeUnit.SECONDS);
        assertThat(reason.reason()).isEqualTo(Reason.RESUME_SESSION_GONE);
        assertThat(reason.byServer()).isTrue();
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(SessionClosedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.RESUME_SESSION_GONE));
        assertThat(events).first().isEqualTo("reconnecting 1");
        assertThat(events).last().isEqualTo("closed");
        assertThat(events).doesNotContain("resumed");
        assertThat(closed).containsExactly(reason);
        assertThatThrownBy(() -> session.request(TestGame.MODULE, TestGame.ECHO, ByteString.EMPTY).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(SessionClosedException.class);
    }

    @Test
    void aWindowThatPassesWithoutAResumeClosesTheSessionWithResumeWindowExpired() throws Exception {
        Gateway gateway = gateway(options(Duration.ofMillis(800)));
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(), proxy, 5);
        assertThat(session.loginResponse().getResumeWindowMs()).isEqualTo(800);
        CompletableFuture<ByteString> pending = session.request(TestGame.MODULE, NEVER, ByteString.EMPTY);
        assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

        proxy.refuse(true);
        proxy.cut();

        CloseReason reason = session.closeFuture().get(20, TimeUnit.SECONDS);
        assertThat(reason.reason()).isEqualTo(Reason.RESUME_WINDOW_EXPIRED);
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOf(SessionClosedException.class);
        assertThat(events.get(0)).isEqualTo("reconnecting 1");
        assertThat(events).filteredOn(e -> e.startsWith("reconnecting")).hasSizeGreaterThan(1);
        assertThat(events).last().isEqualTo("closed");
        // The gateway gave up too, on its own clock.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> gateway.stats().sessionsClosed(Reason.RESUME_WINDOW_EXPIRED) == 1);
    }

    @Test
    void aLostSessionResumesThroughAnotherEndpoint() throws Exception {
        Gateway gateway = gateway(options(Duration.ofSeconds(20)));
        CuttableProxy first = proxy(address(gateway));
        CuttableProxy second = proxy(address(gateway));
        ClientSession session = login(client(Endpoint.of(TcpTransport.NAME, second.address())), first, 6);

        first.refuse(true);
        first.cut();

        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("resumed"));
        assertThat(events).startsWith("reconnecting 1", "reconnecting 2").endsWith("resumed");
        assertThat(second.accepted()).isEqualTo(1);
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("via second")).join())
                .isEqualTo(ByteString.copyFromUtf8("via second"));
    }

    @Test
    void aLostTcpSessionResumesOverWebSocket() throws Exception {
        Gateway gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .transport(WsTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(handlers())
                .sessionOptions(options(Duration.ofSeconds(20)))
                .resumeTicketKey(TICKET_KEY)
                .shutdownTimeout(Duration.ofSeconds(2))
                .workerThreads(2)
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        resources.add(gateway);
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(Endpoint.of(WsTransport.NAME, gateway.address(WsTransport.NAME))),
                proxy, 9);
        CompletableFuture<ByteString> inFlight = session.request(TestGame.MODULE, GATED,
                ByteString.copyFromUtf8("crossed over"));
        assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

        proxy.refuse(true); // the TCP path stays down: only the WebSocket endpoint works
        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("resumed"));
        gate.countDown();

        assertThat(inFlight.get(20, TimeUnit.SECONDS)).isEqualTo(ByteString.copyFromUtf8("crossed over"));
        assertThat(events).startsWith("reconnecting 1", "reconnecting 2").endsWith("resumed");
        assertThat(gateway.sessionsByTransport()).containsEntry(WsTransport.NAME, 1);
    }

    @Test
    void closingAResumableSessionEndsItAtTheGatewayAtOnce() {
        Gateway gateway = gateway(options(Duration.ofSeconds(20)));
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(), proxy, 7);

        session.close();

        assertThat(session.closeFuture().orTimeout(5, TimeUnit.SECONDS).join().reason()).isEqualTo(Reason.OK);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        assertThat(gateway.stats().sessionsDetached()).isZero();
        assertThat(events).containsExactly("closed");
    }

    @Test
    void aLossBeforeTheGatewaySawPacketsSentPastTheResendBoundEndsTheSessionWithReplayOverflow() throws Exception {
        Gateway gateway = gateway(options(Duration.ofSeconds(20)));
        CuttableProxy proxy = proxy(address(gateway));
        ClientSession session = login(client(2), proxy, 11);
        proxy.holdUpstream(); // what the client sends now never reaches the gateway

        List<CompletableFuture<ByteString>> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8("r" + i)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.heldBytes() > 0);
        proxy.cut();

        CloseReason reason = session.closeFuture().get(20, TimeUnit.SECONDS);
        assertThat(reason.reason()).isEqualTo(Reason.REPLAY_OVERFLOW);
        assertThat(requests).allSatisfy(f -> assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(SessionClosedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.REPLAY_OVERFLOW)));
        assertThat(events).containsExactly("reconnecting 1", "closed");
        // The client logged the session out on the resumed connection: the gateway does not keep it.
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        assertThat(gateway.stats().sessionsClosed(Reason.RESUME_WINDOW_EXPIRED)).isZero();
    }

    @Test
    void closingTheClientEndsItsResumableSessionsWithoutReconnecting() {
        Gateway gateway = gateway(options(Duration.ofSeconds(20)));
        CuttableProxy proxy = proxy(address(gateway));
        JanusClient client = client();
        ClientSession session = login(client, proxy, 10);

        client.close();

        CloseReason reason = session.closeFuture().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(reason.reason()).isEqualTo(Reason.OK);
        assertThat(events).containsExactly("closed");
        assertThat(proxy.accepted()).isEqualTo(1);
    }
}
