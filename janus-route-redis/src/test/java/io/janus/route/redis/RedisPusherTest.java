package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.GatewayMessage;
import io.janus.api.Packet;
import io.janus.api.PlayerPush;
import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.SessionInfo;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster pusher against a real redis-server: three gateways' directories subscribed, a game
 * service's pusher publishing, and a subscriber of its own counting the PUBLISHes per channel.
 */
final class RedisPusherTest {

    private static final AtomicLong PLAYERS = new AtomicLong(1_000_000);
    private static final Push HELLO = Push.of(7, 1, ByteString.copyFromUtf8("hello"));

    private static RedisServer server;
    private static RedisRouteClient redis;
    private static StatefulRedisPubSubConnection<String, String> spy;
    private static final Map<String, AtomicInteger> published = new ConcurrentHashMap<>();
    private static final List<AutoCloseable> open = new ArrayList<>();
    private static TestGateway a;
    private static TestGateway b;
    private static TestGateway c;
    private static RedisSessionDirectory dirA;
    private static RedisSessionDirectory dirB;
    private static RedisSessionDirectory dirC;
    private static RedisPusher sdk;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        redis = get(RedisRouteClient.connect(server.options()));
        spy = get(redis.connectPubSub());
        spy.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                published.computeIfAbsent(channel, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void message(String channel, String message) {
                published.computeIfAbsent(channel, k -> new AtomicInteger()).incrementAndGet();
            }
        });
        get(spy.async().psubscribe("janus:gw:push-*"));
        get(spy.async().subscribe(GatewayChannels.BROADCAST));
        a = new TestGateway("push-a");
        b = new TestGateway("push-b");
        c = new TestGateway("push-c");
        dirA = directory(a);
        dirB = directory(b);
        dirC = directory(c);
        sdk = RedisPusher.builder(redis).senderId("battle-1").build();
    }

    private static RedisSessionDirectory directory(TestGateway g) throws Exception {
        RedisSessionDirectory d = RedisSessionDirectory.builder(g).redis(redis).build();
        get(d.start());
        open.add(g);
        open.add(d);
        return d;
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (spy != null) {
            spy.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static int publishes(String channel) {
        AtomicInteger n = published.get(channel);
        return n == null ? 0 : n.get();
    }

    private static List<Long> login(TestGateway g, RedisSessionDirectory d, int count) throws Exception {
        List<Long> players = new ArrayList<>();
        List<CompletableFuture<Void>> registered = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long p = PLAYERS.incrementAndGet();
            players.add(p);
            registered.add(d.register(g.login(p), DuplicateLoginPolicy.KICK_OLD).toCompletableFuture());
        }
        CompletableFuture.allOf(registered.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        return players;
    }

    @Test
    void aMulticastIsOnePublishPerGatewayAndReachesEachGatewaysPlayers() throws Exception {
        List<Long> onA = login(a, dirA, 500);
        List<Long> onB = login(b, dirB, 300);
        List<Long> onC = login(c, dirC, 200);
        List<Long> all = new ArrayList<>(onA);
        all.addAll(onB);
        all.addAll(onC);
        all.add(PLAYERS.incrementAndGet()); // not logged in anywhere
        all.add(onA.get(0)); // a duplicate, delivered once
        int beforeA = publishes("janus:gw:push-a");
        int beforeB = publishes("janus:gw:push-b");
        int beforeC = publishes("janus:gw:push-c");
        int deliveredA = a.deliveries("multicast").size();

        assertThat(get(sdk.multicast(all, HELLO))).isEqualTo(1000);

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> publishes("janus:gw:push-a") == beforeA + 1
                && publishes("janus:gw:push-b") == beforeB + 1 && publishes("janus:gw:push-c") == beforeC + 1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> a.deliveries("multicast").size() > deliveredA);
        TestGateway.Delivery toA = a.deliveries("multicast").get(a.deliveries("multicast").size() - 1);
        assertThat(toA.ids).containsExactlyInAnyOrderElementsOf(onA);
        assertThat(toA.push.body().toStringUtf8()).isEqualTo("hello");
        assertThat(toA.push.module()).isEqualTo(7);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> b.deliveries("multicast").stream()
                .anyMatch(d -> new HashSet<>(d.ids).equals(new HashSet<>(onB))));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> c.deliveries("multicast").stream()
                .anyMatch(d -> new HashSet<>(d.ids).equals(new HashSet<>(onC))));
        // Nothing else was published for it: three gateways, three PUBLISHes, none on the broadcast channel.
        assertThat(publishes("janus:gw:push-a") + publishes("janus:gw:push-b") + publishes("janus:gw:push-c"))
                .isEqualTo(beforeA + beforeB + beforeC + 3);
    }

    @Test
    void theGatewaysPusherDeliversItsOwnPlayersLocallyAndPublishesOnlyForOthers() throws Exception {
        List<Long> onA = login(a, dirA, 3);
        List<Long> onB = login(b, dirB, 2);
        List<Long> all = new ArrayList<>(onA);
        all.addAll(onB);
        int beforeA = publishes("janus:gw:push-a");
        int beforeB = publishes("janus:gw:push-b");
        assertThat(get(dirA.pusher().multicast(all, HELLO))).isEqualTo(5);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> publishes("janus:gw:push-b") == beforeB + 1);
        assertThat(publishes("janus:gw:push-a")).isEqualTo(beforeA);
        assertThat(a.deliveries("multicast")).anyMatch(d -> d.ids.equals(onA));
    }

    @Test
    void pushToPlayerReachesTheGatewayHoldingThePlayer() throws Exception {
        long p = login(b, dirB, 1).get(0);
        assertThat(get(sdk.pushToPlayer(p, HELLO))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> b.deliveries("multicast").stream().anyMatch(d -> d.ids.equals(List.of(p))));
        assertThat(get(sdk.pushToPlayer(PLAYERS.incrementAndGet(), HELLO))).isFalse();
        // An entry left by a gateway that died: nobody listens on its channel.
        long orphan = PLAYERS.incrementAndGet();
        get(redis.async().set(RouteKey.gateway(Long.toString(orphan)).redisKey(), "ghost/5"));
        assertThat(get(sdk.pushToPlayer(orphan, HELLO))).isFalse();
        // From gateway A's pusher: not local, so published to B.
        assertThat(get(dirA.pusher().pushToPlayer(p, HELLO))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> b.deliveries("multicast").stream().filter(d -> d.ids.equals(List.of(p))).count() == 2);
    }

    @Test
    void aBroadcastIsOnePublishThatEveryGatewayDeliversWithItsAudience() throws Exception {
        int before = publishes(GatewayChannels.BROADCAST);
        int seenA = a.deliveries("broadcast").size();
        int seenB = b.deliveries("broadcast").size();
        int seenC = c.deliveries("broadcast").size();
        // PUBLISH counts every subscriber: three gateways and this test's pattern subscriber.
        assertThat(get(sdk.broadcast(HELLO, Audience.zoneAndColor(3, "red")))).isEqualTo(3 + 1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> a.deliveries("broadcast").size() == seenA + 1
                && b.deliveries("broadcast").size() == seenB + 1 && c.deliveries("broadcast").size() == seenC + 1);
        assertThat(publishes(GatewayChannels.BROADCAST)).isEqualTo(before + 1);
        TestGateway.Delivery d = a.deliveries("broadcast").get(seenA);
        assertThat(d.audience).isEqualTo(Audience.zoneAndColor(3, "red"));
        assertThat(get(sdk.broadcast(HELLO, Audience.all()))).isEqualTo(3 + 1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> c.deliveries("broadcast").size() == seenC + 2);
        assertThat(c.deliveries("broadcast").get(seenC + 1).audience).isEqualTo(Audience.all());
    }

    @Test
    void kicksCloseTheSessionOnItsGateway() throws Exception {
        long p = PLAYERS.incrementAndGet();
        SessionInfo s = c.login(p);
        get(dirC.register(s, DuplicateLoginPolicy.KICK_OLD));
        assertThat(get(sdk.kick(p, Reason.BANNED, "cheating"))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !c.isOpen(s));
        assertThat(c.closeReason(s)).isEqualTo(Reason.BANNED);

        long q = PLAYERS.incrementAndGet();
        SessionInfo t = b.login(q);
        get(dirB.register(t, DuplicateLoginPolicy.KICK_OLD));
        // By session id: through the broadcast channel, only the gateway holding it acts.
        assertThat(get(sdk.kickSession(t.sessionId(), Reason.KICKED, "operator"))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !b.isOpen(t));
        assertThat(c.deliveries("kickSession")).anyMatch(d -> d.ids.equals(List.of(t.sessionId())));
        assertThat(get(sdk.kick(PLAYERS.incrementAndGet(), Reason.KICKED, "nobody"))).isFalse();
    }

    @Test
    void pushToSessionReachesOnlyTheLocalGateway() throws Exception {
        long p = PLAYERS.incrementAndGet();
        SessionInfo s = a.login(p);
        get(dirA.register(s, DuplicateLoginPolicy.KICK_OLD));
        assertThat(get(dirA.pusher().pushToSession(s.sessionId(), HELLO))).isTrue();
        assertThatThrownBy(() -> get(sdk.pushToSession(s.sessionId(), HELLO))).isInstanceOf(ExecutionException.class)
                .cause().satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.PUSH_UNAVAILABLE));
    }

    @Test
    void malformedMessagesAreCountedAndDroppedAndLaterOnesStillDelivered() throws Exception {
        long before = dirA.malformedMessages();
        String channel = GatewayChannels.channel("push-a");
        get(redis.async().publish(channel, "%%% not base64 %%%"));
        get(redis.async().publish(channel, java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 1})));
        get(redis.async().publish(channel, GatewayChannels.encode(GatewayMessage.newBuilder().setFrom("x").build())));
        get(redis.async().publish(channel, GatewayChannels.encode(GatewayMessage.newBuilder().setPlayers(
                PlayerPush.newBuilder().setPacket(Packet.newBuilder().setModule(0)).addPlayerIds(1)).build())));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> dirA.malformedMessages() == before + 4);
        long p = login(a, dirA, 1).get(0);
        assertThat(get(sdk.pushToPlayer(p, HELLO))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> a.deliveries("multicast").stream().anyMatch(d -> d.ids.equals(List.of(p))));
    }

    @Test
    void callsOverTheInFlightBoundFailFastWithBacklogFull() throws Exception {
        RedisPusher narrow = RedisPusher.builder(redis).maxInFlight(1).build();
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(narrow.pushToPlayer(PLAYERS.incrementAndGet(), HELLO).toCompletableFuture());
        }
        int overloaded = 0;
        for (CompletableFuture<Boolean> call : calls) {
            try {
                assertThat(call.get(10, TimeUnit.SECONDS)).isFalse();
            } catch (ExecutionException e) {
                assertThat(((JanusException) e.getCause()).reason()).isEqualTo(Reason.PUSH_BACKLOG_FULL);
                overloaded++;
            }
        }
        assertThat(overloaded).isPositive();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> narrow.inFlight() == 0);
    }

    @Test
    void aMulticastOverTheCapIsRefusedAndAnEmptyOneIsZero() throws Exception {
        Set<Long> many = new HashSet<>();
        for (long i = 1; i <= RedisPusher.MAX_PLAYERS_PER_MULTICAST + 1; i++) {
            many.add(i);
        }
        assertThatThrownBy(() -> get(sdk.multicast(many, HELLO))).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("10000").cause()
                .satisfies(e -> assertThat(((JanusException) e).reason()).isEqualTo(Reason.PUSH_TOO_MANY_TARGETS));
        assertThat(get(sdk.multicast(List.of(), HELLO))).isZero();
    }

    @Test
    void whenRedisIsDownPushesFailWithPushUnavailable() throws Exception {
        RedisServer own = RedisServer.start();
        try (RedisRouteClient client = get(RedisRouteClient.connect(own.options()))) {
            RedisPusher pusher = RedisPusher.builder(client).build();
            own.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.isConnected());
            assertThatThrownBy(() -> get(pusher.pushToPlayer(1, HELLO))).isInstanceOf(ExecutionException.class)
                    .cause().satisfies(e -> assertThat(((JanusException) e).reason())
                            .isEqualTo(Reason.PUSH_UNAVAILABLE));
            assertThatThrownBy(() -> get(pusher.broadcast(HELLO, Audience.all())))
                    .cause().satisfies(e -> assertThat(((JanusException) e).reason())
                            .isEqualTo(Reason.PUSH_UNAVAILABLE));
            assertThat(pusher.inFlight()).isZero();
        } finally {
            own.stop();
        }
    }
}
