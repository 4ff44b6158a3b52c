package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.testing.FreePorts;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisRouteClient} in cluster mode against three real masters: connecting, slot routing of
 * plain commands and scripts, key spread over the masters, and pub/sub across nodes.
 */
final class ClusterRouteClientTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static RedisCluster cluster;
    private static RedisRouteClient redis;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.shared();
        redis = get(RedisRouteClient.connect(cluster.options()));
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A prefix no other test uses, so that per-node counts see only this test's keys. */
    private static String run(String name) {
        return name + "-" + RUNS.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    void connectsToTheClusterAndPings() throws Exception {
        assertThat(redis.isCluster()).isTrue();
        assertThat(redis.isConnected()).isTrue();
        assertThat(get(redis.async().ping())).isEqualTo("PONG");
        assertThat(get(redis.async().clusterInfo())).contains("cluster_state:ok");
        assertThat(redis.toString()).contains("cluster");
    }

    @Test
    void oneReachableSeedIsEnough() throws Exception {
        RedisRouteOptions options = RedisRouteOptions.builder()
                .cluster(List.of(InetSocketAddress.createUnresolved("127.0.0.1", FreePorts.tcp()),
                        InetSocketAddress.createUnresolved("127.0.0.1", cluster.port(2))))
                .connectTimeout(Duration.ofSeconds(1)).build();
        try (RedisRouteClient client = get(RedisRouteClient.connect(options))) {
            // The topology read from node 2 names all three masters: keys of every node are reachable.
            for (int i = 0; i < 30; i++) {
                String key = "seed:{" + run("k") + "}";
                assertThat(get(client.async().set(key, "v"))).isEqualTo("OK");
                assertThat(get(client.async().get(key))).isEqualTo("v");
            }
        }
    }

    @Test
    void closesOnceAndRefusesCommandsAfterwards() throws Exception {
        RedisRouteClient client = get(RedisRouteClient.connect(cluster.options()));
        assertThat(get(client.async().set("close:{" + run("k") + "}", "v"))).isEqualTo("OK");
        client.closeAsync().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(client.isConnected()).isFalse();
        client.closeAsync().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> get(client.async().get("close:{x}"))).isInstanceOf(Exception.class);
    }

    @Test
    void connectingWithoutAnyReachableSeedFails() {
        RedisRouteOptions options = RedisRouteOptions.builder()
                .cluster(List.of(InetSocketAddress.createUnresolved("127.0.0.1", FreePorts.tcp())))
                .connectTimeout(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> get(RedisRouteClient.connect(options))).isInstanceOf(ExecutionException.class);
    }

    @Test
    void playersGatewayKeysSpreadOverAllThreeMasters() throws Exception {
        // A fixed prefix: key slots are CRC16 of the key, which is linear, so for some prefixes (about 1 in
        // 25 of run()'s time-stamped ones) 300 consecutive suffixes collide in 20 or more slots. With this
        // one they take 300 slots, 98 to 103 per master. Only this test of the class uses it.
        String prefix = "spread";
        RouteTable table = new RouteTable(redis);
        List<CompletableFuture<Boolean>> claims = new ArrayList<>();
        Set<Long> slots = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            RouteKey key = RouteKey.gateway(prefix + "-" + i);
            claims.add(table.claim(key, "gw-a", LONG).toCompletableFuture());
            slots.add(get(redis.async().clusterKeyslot(key.redisKey())));
        }
        for (CompletableFuture<Boolean> claim : claims) {
            assertThat(claim.get(10, TimeUnit.SECONDS)).isTrue();
        }
        // 300 players hash to (nearly) 300 different slots, not to one slot as with a shared hash tag.
        assertThat(slots).hasSizeGreaterThan(280);
        long total = 0;
        for (int node = 0; node < cluster.size(); node++) {
            long onNode = cluster.keysOnNode(node, "janus:r:{p:" + prefix + "-*}:gw");
            // Evenly spread, each master holds about 100; far fewer would mean a skewed layout.
            assertThat(onNode).as("keys on master %s", node).isGreaterThan(50);
            total += onNode;
        }
        assertThat(total).isEqualTo(300);
    }

    @Test
    void onePlayersKeysShareOneSlotAndOneMaster() throws Exception {
        String player = run("player");
        RouteTable table = new RouteTable(redis);
        List<RouteKey> keys = List.of(RouteKey.gateway(player), RouteKey.service(player, "battle"),
                RouteKey.service(player, "chat"), RouteKey.service(player, "mail"));
        Set<Long> slots = new HashSet<>();
        for (RouteKey key : keys) {
            assertThat(get(table.claim(key, "owner", LONG))).isTrue();
            slots.add(get(redis.async().clusterKeyslot(key.redisKey())));
        }
        assertThat(slots).hasSize(1);
        int node = cluster.nodeOfSlot(slots.iterator().next().intValue());
        // Stored on that master itself, read without the cluster client's routing.
        long there = cluster.onNode(node, c -> c.exists(keys.stream().map(RouteKey::redisKey).toArray(String[]::new)));
        assertThat(there).isEqualTo(keys.size());
        // A multi-key command of one player is legal in a cluster because the keys share the slot.
        assertThat(get(redis.async().exists(keys.stream().map(RouteKey::redisKey).toArray(String[]::new))))
                .isEqualTo(keys.size());
        // Objects of one service, on the other hand, spread.
        Set<Long> objectSlots = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            objectSlots.add(get(redis.async().clusterKeyslot(RouteKey.object("battle", player + "-room-" + i).redisKey())));
        }
        assertThat(objectSlots).hasSizeGreaterThan(25);
    }

    @Test
    void scriptsRunOnEachKeysOwnMasterWithoutRedirection() throws Exception {
        cluster.resetStats();
        String prefix = run("script");
        RouteTable table = new RouteTable(redis);
        for (int i = 0; i < 60; i++) {
            RouteKey key = RouteKey.service(prefix + "-" + i, "battle");
            assertThat(get(table.claim(key, "inst-1", LONG))).isTrue();
            assertThat(get(table.renew(key, "inst-1", LONG))).isTrue();
            assertThat(get(table.reclaim(key, "inst-1", "inst-2", LONG))).isTrue();
            assertThat(get(table.release(key, "inst-2"))).isTrue();
        }
        long scripts = 0;
        for (int node = 0; node < cluster.size(); node++) {
            long onNode = cluster.calls(node, "evalsha") + cluster.calls(node, "eval");
            assertThat(onNode).as("scripts on master %s", node).isPositive();
            scripts += onNode;
            String errors = cluster.onNode(node, c -> c.info("errorstats"));
            // Lettuce sent every EVALSHA straight to the key's master: no MOVED or ASK answers.
            assertThat(errors).doesNotContain("errorstat_MOVED").doesNotContain("errorstat_ASK");
        }
        // 180 scripts, plus at most one EVAL per master the first time it sees each script.
        assertThat(scripts).isBetween(180L, 180L + 3L * cluster.size());
    }

    @Test
    void aMessagePublishedThroughAnyMasterReachesASubscriberOnAnother() throws Exception {
        String channel = run("janus:gw");
        BlockingQueue<String> received = new LinkedBlockingQueue<>(100);
        StatefulRedisPubSubConnection<String, String> subscriber = get(redis.connectPubSub());
        try {
            assertThat(subscriber).isInstanceOf(StatefulRedisClusterPubSubConnection.class);
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    if (ch.equals(channel)) {
                        received.offer(message);
                    }
                }
            });
            get(subscriber.async().subscribe(channel));
            // PUBSUB NUMSUB is local to a node: exactly one master holds the subscription.
            int subscribedOn = -1;
            for (int node = 0; node < cluster.size(); node++) {
                long count = cluster.onNode(node, c -> c.pubsubNumsub(channel).get(channel));
                if (count == 1) {
                    assertThat(subscribedOn).isEqualTo(-1);
                    subscribedOn = node;
                } else {
                    assertThat(count).isZero();
                }
            }
            assertThat(subscribedOn).isNotEqualTo(-1);
            for (int node = 0; node < cluster.size(); node++) {
                String message = "via-" + node;
                cluster.onNode(node, c -> c.publish(channel, message));
                assertThat(received.poll(5, TimeUnit.SECONDS)).as("published on master %s", node).isEqualTo(message);
            }
            // And through the cluster client itself.
            get(redis.async().publish(channel, "via-client"));
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("via-client");
        } finally {
            subscriber.close();
        }
    }
}
