package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Topology changes of a three-master cluster. One master killed and restarted: its keys fail fast while
 * the others keep working, the cache serves recent answers, a subscription moves to a live node, and
 * claims, scripts and subscriptions work after the restart. A slot moved to another master: the client follows the redirection and
 * refreshes its slot map. Runs on a cluster of its own, since it stops nodes and moves slots.
 */
final class ClusterTopologyTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Duration TTL = Duration.ofSeconds(1);
    private static final Duration MAX_STALE = Duration.ofSeconds(10);
    private static final AtomicInteger IDS = new AtomicInteger();

    private static RedisCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static RouteKey gatewayKeyOn(int node) {
        return RouteKey.gateway(playerOn(node));
    }

    /** A fresh player id whose keys live on master {@code node}. */
    private static String playerOn(int node) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            String player = "topology-" + IDS.incrementAndGet();
            if (cluster.nodeOfKey(RouteKey.gateway(player).redisKey()) == node) {
                return player;
            }
        }
        throw new IllegalStateException("no player on node " + node);
    }

    private static ByteString tokenOn(int node) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            ByteString id = ByteString.copyFrom("failure-token-" + IDS.incrementAndGet(), StandardCharsets.UTF_8);
            if (cluster.nodeOfKey(RedisTokenReplayCache.key(id)) == node) {
                return id;
            }
        }
        throw new IllegalStateException("no token on node " + node);
    }

    private static long inSeconds(int seconds) {
        return System.currentTimeMillis() + seconds * 1000L;
    }

    @Test
    void whileAMasterIsDownItsKeysFailFastTheOthersWorkAndClaimsResumeAfterItsRestart() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        try (RedisRouteClient client = get(RedisRouteClient.connect(cluster.options()))) {
            RouteTable table = new RouteTable(client);
            CachedRouteTable cache = new CachedRouteTable(table, TTL, MAX_STALE, 100, now::get);
            RedisTokenReplayCache tokens = new RedisTokenReplayCache(client);
            RouteKey onDead = gatewayKeyOn(0);
            RouteKey onLive = gatewayKeyOn(1);
            assertThat(get(cache.claim(onDead, "gw-a", LONG))).isTrue();
            assertThat(get(cache.claim(onLive, "gw-a", LONG))).isTrue();

            cluster.stop(0);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> table.owner(onDead).toCompletableFuture().handle((v, e) -> e != null)
                            .get(10, TimeUnit.SECONDS));

            // Keys of the dead master fail within the command timeout, without waiting for it to return.
            long started = System.nanoTime();
            assertThatThrownBy(() -> get(table.claim(gatewayKeyOn(0), "gw-a", LONG)))
                    .isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> get(table.renew(onDead, "gw-a", LONG))).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> get(tokens.firstUse(tokenOn(0), inSeconds(60))))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AuthenticationException.class)
                    .satisfies(e -> assertThat(((AuthenticationException) e).reason()).isEqualTo(Reason.AUTH_UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(cluster.options().commandTimeout().multipliedBy(3));

            // The other masters keep serving their slots.
            for (int node = 1; node < cluster.size(); node++) {
                assertThat(get(table.claim(gatewayKeyOn(node), "gw-b", LONG))).isTrue();
                assertThat(get(tokens.firstUse(tokenOn(node), inSeconds(60)))).isTrue();
            }
            assertThat(get(table.renew(onLive, "gw-a", LONG))).isTrue();

            // The cache keeps a known route through the outage, up to maxStale; an unknown one fails.
            now.addAndGet(TTL.plusMillis(1).toNanos());
            assertThat(get(cache.owner(onDead))).contains("gw-a");
            assertThatThrownBy(() -> get(cache.owner(gatewayKeyOn(0)))).isInstanceOf(ExecutionException.class);

            cluster.restart(0);
            // The master is back without its data (no persistence) and without the scripts: claims resume.
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(() -> get(table.claim(onDead, "gw-b", LONG)));
            assertThat(get(table.renew(onDead, "gw-b", LONG))).isTrue();
            assertThat(get(table.reclaim(onDead, "gw-b", "gw-c", LONG))).isTrue();
            assertThat(get(table.release(onDead, "gw-c"))).isTrue();
            assertThat(get(tokens.firstUse(tokenOn(0), inSeconds(60)))).isTrue();
            // The data of the masters that stayed up is intact.
            assertThat(get(table.owner(onLive))).contains("gw-a");
        }
    }

    @Test
    void aSlotMovedToAnotherMasterIsFollowedAndTheSlotMapRefreshed() throws Exception {
        // No periodic refresh during the test: only the redirection can tell the client.
        RedisRouteOptions options = cluster.options().toBuilder().topologyRefreshPeriod(Duration.ofHours(1)).build();
        try (RedisRouteClient client = get(RedisRouteClient.connect(options))) {
            RouteTable table = new RouteTable(client);
            String player = playerOn(0);
            RouteKey first = RouteKey.gateway(player);
            int slot = SlotHash.getSlot(first.redisKey());
            // Keys of the same player (hash tag) stay in the slot; the client still maps it to master 0.
            cluster.moveSlot(slot, 1);
            cluster.resetStats();
            // Master 0 answers MOVED; Lettuce retries on master 1 and refreshes its map.
            assertThat(get(table.claim(first, "gw-a", LONG))).isTrue();
            String stored = cluster.onNode(1, c -> c.get(first.redisKey()));
            assertThat(stored).isEqualTo("gw-a");
            assertThat(movedAnswers(0)).isPositive();
            // Once the map is refreshed, commands for the slot go straight to master 1.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        long before = movedAnswers(0);
                        get(table.owner(first));
                        return movedAnswers(0) == before;
                    });
            long settled = movedAnswers(0);
            for (int i = 0; i < 20; i++) {
                assertThat(get(table.renew(first, "gw-a", LONG))).isTrue();
                assertThat(get(table.claim(RouteKey.service(player, "s" + i), "inst", LONG))).isTrue();
            }
            assertThat(movedAnswers(0)).isEqualTo(settled);
            assertThat(get(table.release(first, "gw-a"))).isTrue();
        }
    }

    private static long movedAnswers(int node) {
        String errors = cluster.onNode(node, c -> c.info("errorstats"));
        for (String line : errors.split("\\r?\\n")) {
            if (line.startsWith("errorstat_MOVED:count=")) {
                return Long.parseLong(line.substring("errorstat_MOVED:count=".length()).trim());
            }
        }
        return 0;
    }

    @Test
    void aSubscriberMovesToAnotherNodeWhileItsNodeIsDownAndKeepsReceivingAfterTheRestart() throws Exception {
        String channel = "janus:gw:moves-" + System.nanoTime();
        BlockingQueue<String> received = new LinkedBlockingQueue<>(1000);
        try (RedisRouteClient client = get(RedisRouteClient.connect(cluster.options()))) {
            StatefulRedisPubSubConnection<String, String> subscriber = get(client.connectPubSub());
            int subscribedOn = -1;
            try {
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String ch, String message) {
                        received.offer(message);
                    }
                });
                get(subscriber.async().subscribe(channel));
                subscribedOn = subscribedNode(channel);
                assertThat(subscribedOn).isNotNegative();
                int publisher = (subscribedOn + 1) % cluster.size();

                cluster.stop(subscribedOn);
                // Lettuce reconnects the subscription to another node of the topology and subscribes
                // again there: messages published through a live master arrive again.
                awaitDelivery(channel, publisher, received);
                int movedTo = subscribedNode(channel);
                assertThat(movedTo).isNotNegative().isNotEqualTo(subscribedOn);

                cluster.restart(subscribedOn);
                subscribedOn = -1;
                awaitDelivery(channel, publisher, received);
            } finally {
                subscriber.close();
                if (subscribedOn >= 0) {
                    cluster.restart(subscribedOn);
                }
            }
        }
    }

    /** The running node that holds a subscription to {@code channel} (PUBSUB NUMSUB is per node), or -1. */
    private static int subscribedNode(String channel) {
        for (int node = 0; node < cluster.size(); node++) {
            if (!cluster.isRunning(node)) {
                continue;
            }
            long count = cluster.onNode(node, c -> c.pubsubNumsub(channel).get(channel));
            if (count == 1) {
                return node;
            }
        }
        return -1;
    }

    /** Publishes through {@code publisher} until a message comes back to the subscriber (at most 15 s). */
    private static void awaitDelivery(String channel, int publisher, BlockingQueue<String> received) {
        AtomicInteger sent = new AtomicInteger();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    String message = channel + "-" + sent.incrementAndGet();
                    cluster.onNode(publisher, c -> c.publish(channel, message));
                    String got = received.poll(200, TimeUnit.MILLISECONDS);
                    received.clear();
                    return message.equals(got);
                });
    }

    @Test
    void commandsWaitingForAStalledMasterAreBoundedByTheRequestQueue() throws Exception {
        int queue = 4;
        try (RedisRouteClient client = get(RedisRouteClient.connect(
                cluster.options().toBuilder().requestQueueSize(queue).build()))) {
            RouteTable table = new RouteTable(client);
            // Master 2 holds every client's commands for 1 s: its replies stop, so commands pile up.
            String paused = cluster.onNode(2, c -> c.clientPause(1000));
            assertThat(paused).isEqualTo("OK");
            CompletableFuture<?>[] calls = new CompletableFuture<?>[queue * 3];
            for (int i = 0; i < calls.length; i++) {
                calls[i] = table.claim(gatewayKeyOn(2), "gw-a", LONG).toCompletableFuture();
            }
            int admitted = 0;
            int refusedByTheBound = 0;
            for (CompletableFuture<?> call : calls) {
                try {
                    call.get(10, TimeUnit.SECONDS);
                    admitted++;
                } catch (ExecutionException e) {
                    // Lettuce names the bound: "Request queue size exceeded: 4" while commands wait to be
                    // written, "Internal stack size exceeded: 4" once written and awaiting replies.
                    if (String.valueOf(e.getCause().getMessage()).contains("size exceeded: " + queue)) {
                        refusedByTheBound++;
                    }
                }
            }
            assertThat(admitted).isLessThanOrEqualTo(queue);
            assertThat(refusedByTheBound).isGreaterThanOrEqualTo(calls.length - queue);
            // Another master was never held up.
            assertThat(get(table.claim(gatewayKeyOn(0), "gw-a", LONG))).isTrue();
        }
    }
}
