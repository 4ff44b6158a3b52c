package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.testing.FreePorts;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Connecting, closing and options of {@link RedisRouteClient}. */
final class RedisRouteClientTest {

    @Test
    void connectingToAPortWithoutRedisFails() {
        RedisRouteOptions options = RedisRouteOptions.builder().port(FreePorts.tcp())
                .connectTimeout(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> RedisRouteClient.connect(options).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void connectsPingsAndClosesOnce() throws Exception {
        RedisServer server = RedisServer.start();
        try {
            RedisRouteClient client = RedisRouteClient.connect(server.options()).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(client.isConnected()).isTrue();
            assertThat(client.async().ping().get(10, TimeUnit.SECONDS)).isEqualTo("PONG");
            client.closeAsync().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(client.isConnected()).isFalse();
            client.closeAsync().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            server.stop();
        }
    }

    @Test
    void optionsKeepTheirValuesAndRefuseBadOnes() {
        RedisRouteOptions options = RedisRouteOptions.builder().host("127.0.0.2").port(7000)
                .commandTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(400))
                .requestQueueSize(7).build();
        RedisRouteOptions copy = options.toBuilder().build();
        assertThat(copy.host()).isEqualTo("127.0.0.2");
        assertThat(copy.port()).isEqualTo(7000);
        assertThat(copy.commandTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(copy.connectTimeout()).isEqualTo(Duration.ofMillis(400));
        assertThat(copy.requestQueueSize()).isEqualTo(7);
        RedisRouteOptions.Builder builder = RedisRouteOptions.builder();
        assertThatThrownBy(() -> builder.port(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.requestQueueSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.commandTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.host(null)).isInstanceOf(NullPointerException.class);
    }
}
