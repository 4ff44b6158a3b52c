package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis token replay cache shared by two "gateways" (two cluster clients) on a three-master cluster. */
final class ClusterTokenReplayCacheTest {

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String RUN = "tok" + System.nanoTime();

    private static RedisCluster cluster;
    private static RedisRouteClient gatewayA;
    private static RedisRouteClient gatewayB;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.shared();
        gatewayA = get(RedisRouteClient.connect(cluster.options()));
        gatewayB = get(RedisRouteClient.connect(cluster.options()));
    }

    @AfterAll
    static void stop() {
        for (RedisRouteClient client : new RedisRouteClient[] {gatewayA, gatewayB}) {
            if (client != null) {
                client.close();
            }
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ByteString tokenId() {
        return ByteString.copyFrom(RUN + "-" + IDS.incrementAndGet(), StandardCharsets.UTF_8);
    }

    private static long inSeconds(int seconds) {
        return System.currentTimeMillis() + seconds * 1000L;
    }

    @Test
    void aTokenUsedOnOneGatewayIsRefusedOnAnother() throws Exception {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        RedisTokenReplayCache b = new RedisTokenReplayCache(gatewayB);
        for (int i = 0; i < 30; i++) {
            ByteString id = tokenId();
            assertThat(get(a.firstUse(id, inSeconds(60)))).isTrue();
            assertThat(get(b.firstUse(id, inSeconds(60)))).isFalse();
            assertThat(get(a.firstUse(id, inSeconds(60)))).isFalse();
        }
    }

    @Test
    void twoGatewaysRacingWithOneTokenAdmitItOnce() throws Exception {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        RedisTokenReplayCache b = new RedisTokenReplayCache(gatewayB);
        for (int round = 0; round < 50; round++) {
            ByteString id = tokenId();
            CompletableFuture<Boolean> onA = a.firstUse(id, inSeconds(60)).toCompletableFuture();
            CompletableFuture<Boolean> onB = b.firstUse(id, inSeconds(60)).toCompletableFuture();
            assertThat(onA.get(10, TimeUnit.SECONDS) ^ onB.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theIdIsKeptOnItsMasterExactlyUntilTheTokenExpires() throws Exception {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        ByteString id = tokenId();
        long expiresAt = System.currentTimeMillis() + 300;
        assertThat(get(a.firstUse(id, expiresAt))).isTrue();
        String key = RedisTokenReplayCache.key(id);
        long storedUntil = cluster.onNode(cluster.nodeOfKey(key), c -> c.pexpiretime(key));
        assertThat(storedUntil).isEqualTo(expiresAt);
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> get(gatewayB.async().exists(key)) == 0L);
    }

    @Test
    void tokenKeysSpreadOverAllThreeMasters() throws Exception {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        String prefix = RUN + "-spread-";
        for (int i = 0; i < 90; i++) {
            assertThat(get(a.firstUse(ByteString.copyFrom(prefix + i, StandardCharsets.UTF_8), inSeconds(60)))).isTrue();
        }
        String pattern = "janus:tok:{" + HexFormat.of().formatHex(prefix.getBytes(StandardCharsets.UTF_8)) + "*";
        long total = 0;
        for (int node = 0; node < cluster.size(); node++) {
            long onNode = cluster.keysOnNode(node, pattern);
            assertThat(onNode).as("token keys on master %s", node).isGreaterThan(10);
            total += onNode;
        }
        assertThat(total).isEqualTo(90);
    }
}
