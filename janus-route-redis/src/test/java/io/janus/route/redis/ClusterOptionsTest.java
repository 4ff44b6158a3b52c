package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RedisRouteOptions} in cluster mode and read from properties; no server needed. */
final class ClusterOptionsTest {

    private static InetSocketAddress at(String host, int port) {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Test
    void theDefaultIsStandaloneOnLocalhost() {
        RedisRouteOptions options = RedisRouteOptions.builder().build();
        assertThat(options.mode()).isEqualTo(RedisRouteOptions.Mode.STANDALONE);
        assertThat(options.isCluster()).isFalse();
        assertThat(options.addresses()).containsExactly(at("127.0.0.1", 6379));
        assertThat(options.topologyRefreshPeriod()).isEqualTo(RedisRouteOptions.DEFAULT_TOPOLOGY_REFRESH_PERIOD);
    }

    @Test
    void clusterModeKeepsItsSeedsThroughToBuilder() {
        RedisRouteOptions options = RedisRouteOptions.builder()
                .cluster(List.of(at("127.0.0.1", 7000), new InetSocketAddress("127.0.0.1", 7001)))
                .commandTimeout(Duration.ofMillis(300)).requestQueueSize(9)
                .topologyRefreshPeriod(Duration.ofSeconds(3)).build();
        RedisRouteOptions copy = options.toBuilder().build();
        assertThat(copy.isCluster()).isTrue();
        assertThat(copy.addresses()).containsExactly(at("127.0.0.1", 7000), at("127.0.0.1", 7001));
        assertThat(copy.host()).isEqualTo("127.0.0.1");
        assertThat(copy.port()).isEqualTo(7000);
        assertThat(copy.commandTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(copy.requestQueueSize()).isEqualTo(9);
        assertThat(copy.topologyRefreshPeriod()).isEqualTo(Duration.ofSeconds(3));
        assertThat(copy.toString()).contains("cluster 127.0.0.1:7000,127.0.0.1:7001");
        // The last choice wins: host/port switch back to standalone.
        RedisRouteOptions standalone = options.toBuilder().standalone("127.0.0.2", 6380).build();
        assertThat(standalone.isCluster()).isFalse();
        assertThat(standalone.addresses()).containsExactly(at("127.0.0.2", 6380));
    }

    @Test
    void badSeedsAreRefused() {
        RedisRouteOptions.Builder builder = RedisRouteOptions.builder();
        assertThatThrownBy(() -> builder.cluster(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: 1-64");
        assertThatThrownBy(() -> builder.cluster(List.of(at("a", 1), at("a", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a:1 given twice");
        assertThatThrownBy(() -> builder.cluster(List.of(new InetSocketAddress("127.0.0.1", 0))))
                .isInstanceOf(IllegalArgumentException.class);
        List<InetSocketAddress> many = new ArrayList<>();
        for (int i = 0; i <= RedisRouteOptions.MAX_ADDRESSES; i++) {
            many.add(at("127.0.0.1", 7000 + i));
        }
        assertThatThrownBy(() -> builder.cluster(many)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.cluster(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.topologyRefreshPeriod(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.host("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void propertiesDescribeACluster() {
        RedisRouteOptions options = RedisRouteOptions.fromProperties(Map.of(
                "redis.addresses", " 127.0.0.1:7000, [::1]:7001 ,redis-a.example:7002",
                "redis.cluster", "TRUE",
                "redis.commandTimeoutMs", "500",
                "redis.connectTimeoutMs", "700",
                "redis.requestQueueSize", "128",
                "redis.topologyRefreshMs", "5000",
                "metadataKey", "zone"));
        assertThat(options.isCluster()).isTrue();
        assertThat(options.addresses()).containsExactly(at("127.0.0.1", 7000), at("::1", 7001),
                at("redis-a.example", 7002));
        assertThat(options.commandTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofMillis(700));
        assertThat(options.requestQueueSize()).isEqualTo(128);
        assertThat(options.topologyRefreshPeriod()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.toString()).contains("[::1]:7001");
    }

    @Test
    void propertiesDefaultToStandaloneOnLocalhost() {
        RedisRouteOptions none = RedisRouteOptions.fromProperties(Map.of());
        assertThat(none.isCluster()).isFalse();
        assertThat(none.addresses()).containsExactly(at("127.0.0.1", 6379));
        assertThat(none.commandTimeout()).isEqualTo(RedisRouteOptions.DEFAULT_COMMAND_TIMEOUT);
        RedisRouteOptions one = RedisRouteOptions.fromProperties(Map.of("redis.addresses", "10.0.0.5:6380",
                "redis.cluster", "false"));
        assertThat(one.host()).isEqualTo("10.0.0.5");
        assertThat(one.port()).isEqualTo(6380);
    }

    @Test
    void badPropertiesNameTheKey() {
        assertRefused(Map.of("redis.adresses", "127.0.0.1:7000"), "unknown property redis.adresses");
        assertRefused(Map.of("redis.addresses", "127.0.0.1:7000,127.0.0.1:7001"), "exactly 1 unless redis.cluster=true");
        assertRefused(Map.of("redis.addresses", "127.0.0.1"), "redis.addresses: '127.0.0.1'");
        assertRefused(Map.of("redis.addresses", "127.0.0.1:70000"), "port of 1-65535");
        assertRefused(Map.of("redis.addresses", ":7000"), "redis.addresses");
        assertRefused(Map.of("redis.addresses", "::1:7000"), "IPv6 as [::1]:6379");
        assertRefused(Map.of("redis.addresses", "127.0.0.1:7000,,127.0.0.1:7001", "redis.cluster", "true"),
                "empty address");
        assertRefused(Map.of("redis.cluster", "yes"), "redis.cluster: 'yes' (expected: true or false)");
        assertRefused(Map.of("redis.commandTimeoutMs", "0"), "redis.commandTimeoutMs: 0 (expected: > 0)");
        assertRefused(Map.of("redis.connectTimeoutMs", "2s"), "redis.connectTimeoutMs: '2s' (expected: an integer)");
        assertRefused(Map.of("redis.requestQueueSize", "3000000000"), "redis.requestQueueSize");
        assertRefused(Map.of("redis.topologyRefreshMs", "-5"), "redis.topologyRefreshMs");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= RedisRouteOptions.MAX_ADDRESSES; i++) {
            many.append(i == 0 ? "" : ",").append("127.0.0.1:").append(7000 + i);
        }
        assertRefused(Map.of("redis.addresses", many.toString(), "redis.cluster", "true"), "more than 64");
        assertThatThrownBy(() -> RedisRouteOptions.fromProperties(null)).isInstanceOf(NullPointerException.class);
    }

    private static void assertRefused(Map<String, String> properties, String message) {
        assertThatThrownBy(() -> RedisRouteOptions.fromProperties(properties))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
