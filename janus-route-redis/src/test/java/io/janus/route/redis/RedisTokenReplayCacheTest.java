package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis token replay cache against a real redis-server, shared by two "gateways" (two clients). */
final class RedisTokenReplayCacheTest {

    private static final AtomicInteger IDS = new AtomicInteger();

    private static RedisServer server;
    private static RedisRouteClient gatewayA;
    private static RedisRouteClient gatewayB;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        gatewayA = get(RedisRouteClient.connect(server.options()));
        gatewayB = get(RedisRouteClient.connect(server.options()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (RedisRouteClient client : new RedisRouteClient[] {gatewayA, gatewayB}) {
            if (client != null) {
                client.close();
            }
        }
        if (server != null) {
            server.stop();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ByteString tokenId() {
        return ByteString.copyFrom("token-" + IDS.incrementAndGet(), StandardCharsets.UTF_8);
    }

    private static long inSeconds(int seconds) {
        return System.currentTimeMillis() + seconds * 1000L;
    }

    @Test
    void aTokenUsedOnOneGatewayIsRefusedOnAnother() throws Exception {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        RedisTokenReplayCache b = new RedisTokenReplayCache(gatewayB);
        ByteString id = tokenId();
        assertThat(get(a.firstUse(id, inSeconds(60)))).isTrue();
        assertThat(get(b.firstUse(id, inSeconds(60)))).isFalse();
        assertThat(get(a.firstUse(id, inSeconds(60)))).isFalse();
        assertThat(get(b.firstUse(tokenId(), inSeconds(60)))).isTrue();
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
    void theIdIsKeptExactlyUntilTheTokenExpires() throws Exception {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        ByteString id = tokenId();
        long expiresAt = System.currentTimeMillis() + 300;
        assertThat(get(a.firstUse(id, expiresAt))).isTrue();
        long pexpiretime = get(gatewayA.async().pexpiretime(RedisTokenReplayCache.key(id)));
        assertThat(pexpiretime).isEqualTo(expiresAt);
        assertThat(get(a.firstUse(id, expiresAt))).isFalse();
        // Once expired the key is gone (and such a token is refused earlier, by its expiry).
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> get(gatewayA.async().exists(RedisTokenReplayCache.key(id))) == 0L);
    }

    @Test
    void anExpiredTokenIsNotStored() throws Exception {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        ByteString id = tokenId();
        assertThat(get(a.firstUse(id, System.currentTimeMillis() - 1))).isTrue();
        assertThat(get(gatewayA.async().exists(RedisTokenReplayCache.key(id)))).isZero();
    }

    @Test
    void oversizedAndEmptyIdsAreInvalid() {
        RedisTokenReplayCache a = new RedisTokenReplayCache(gatewayA);
        for (ByteString id : new ByteString[] {ByteString.EMPTY,
                ByteString.copyFrom(new byte[RedisTokenReplayCache.MAX_TOKEN_ID_BYTES + 1])}) {
            assertThatThrownBy(() -> get(a.firstUse(id, inSeconds(60))))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AuthenticationException.class)
                    .satisfies(e -> assertThat(((AuthenticationException) e).reason()).isEqualTo(Reason.TOKEN_INVALID));
        }
    }

    @Test
    void whenRedisIsDownLoginsAreRefusedWithAuthUnavailableAndResumeAfterRestart() throws Exception {
        RedisServer own = RedisServer.start();
        try (RedisRouteClient client = get(RedisRouteClient.connect(own.options()))) {
            RedisTokenReplayCache cache = new RedisTokenReplayCache(client);
            ByteString used = tokenId();
            assertThat(get(cache.firstUse(used, inSeconds(60)))).isTrue();

            own.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.isConnected());
            long started = System.nanoTime();
            assertThatThrownBy(() -> get(cache.firstUse(tokenId(), inSeconds(60))))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AuthenticationException.class)
                    .satisfies(e -> assertThat(((AuthenticationException) e).reason())
                            .isEqualTo(Reason.AUTH_UNAVAILABLE));
            // Refused at once while disconnected, not after the command timeout.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

            own.restart();
            // The restarted server has forgotten everything (no persistence): fresh tokens log in again.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    .until(() -> get(cache.firstUse(tokenId(), inSeconds(60))));
            ByteString fresh = tokenId();
            assertThat(get(cache.firstUse(fresh, inSeconds(60)))).isTrue();
            assertThat(get(cache.firstUse(fresh, inSeconds(60)))).isFalse();
        } finally {
            own.stop();
        }
    }

    @Test
    void pendingCommandsAreBoundedByTheRequestQueue() throws Exception {
        int queue = 4;
        try (RedisRouteClient admin = get(RedisRouteClient.connect(server.options()));
                RedisRouteClient client = get(RedisRouteClient.connect(
                        server.options().toBuilder().requestQueueSize(queue).build()))) {
            RedisTokenReplayCache cache = new RedisTokenReplayCache(client);
            // Redis holds every client's commands for 1 s: replies stop coming, so commands pile up.
            assertThat(get(admin.async().clientPause(1000))).isEqualTo("OK");
            CompletableFuture<?>[] calls = new CompletableFuture<?>[queue * 3];
            for (int i = 0; i < calls.length; i++) {
                calls[i] = cache.firstUse(tokenId(), inSeconds(60)).toCompletableFuture();
            }
            int refused = 0;
            int admitted = 0;
            for (CompletableFuture<?> call : calls) {
                try {
                    call.get(10, TimeUnit.SECONDS);
                    admitted++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(AuthenticationException.class);
                    assertThat(((AuthenticationException) e.getCause()).reason()).isEqualTo(Reason.AUTH_UNAVAILABLE);
                    refused++;
                }
            }
            assertThat(admitted).isLessThanOrEqualTo(queue);
            assertThat(refused).isGreaterThanOrEqualTo(calls.length - queue);
        }
    }
}
