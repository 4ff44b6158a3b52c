package io.janus.route.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.auth.SealedTokenAuthenticator;
import io.janus.core.auth.TokenIssuer;
import io.janus.core.auth.TokenKeys;
import io.janus.core.spi.AuthRequest;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.AuthenticatorRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code replayCache: redis} of the sealed authenticator, built from properties as config.yaml does:
 * two gateways' authenticators share the cache, so a token used on one is refused as replayed on the
 * other; while the cache cannot reach Redis, logins fail closed; closing the authenticator closes its
 * connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RedisTokenReplayCacheProviderTest {

    private static final String SPEC = "k1:" + Base64.getEncoder().encodeToString(TokenKeys.generateKey());
    private static final TokenIssuer ISSUER = new TokenIssuer(TokenKeys.parse(SPEC, null));

    private static RedisServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private static SealedTokenAuthenticator sealed(int port) {
        return (SealedTokenAuthenticator) AuthenticatorRegistry.getDefaultRegistry().getProvider("sealed")
                .newAuthenticator(Map.of("keys", SPEC, "replayCache", "redis",
                        "replayCache.redis.addresses", "127.0.0.1:" + port));
    }

    private static AuthRequest request(String token) {
        return new AuthRequest(token, new InetSocketAddress("127.0.0.1", 40000), "tcp");
    }

    private static Reason refusal(Authenticator authenticator, String token) {
        try {
            authenticator.authenticate(request(token)).toCompletableFuture().join();
        } catch (CompletionException e) {
            return ((AuthenticationException) e.getCause()).reason();
        }
        throw new AssertionError("the token was accepted");
    }

    private static void awaitConnected(SealedTokenAuthenticator authenticator) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                ((RedisTokenReplayCacheProvider.Connecting) authenticator.replayCache()).isConnected());
    }

    @Test
    void aTokenUsedOnOneGatewayIsReplayedOnAnother() {
        try (SealedTokenAuthenticator gatewayA = sealed(server.port());
                SealedTokenAuthenticator gatewayB = sealed(server.port())) {
            awaitConnected(gatewayA);
            awaitConnected(gatewayB);
            String token = ISSUER.issue(7, Duration.ofMinutes(5));

            assertThat(gatewayA.authenticate(request(token)).toCompletableFuture().join().playerId()).isEqualTo(7);
            assertThat(refusal(gatewayB, token)).isEqualTo(Reason.TOKEN_REPLAYED);
            assertThat(refusal(gatewayA, token)).isEqualTo(Reason.TOKEN_REPLAYED);
        }
    }

    @Test
    void failsClosedWhileRedisCannotBeReached() throws Exception {
        int port = io.janus.testing.FreePorts.tcp();
        try (SealedTokenAuthenticator authenticator = sealed(port)) {
            assertThat(refusal(authenticator, ISSUER.issue(8, Duration.ofMinutes(5)))).isEqualTo(Reason.AUTH_UNAVAILABLE);
        }
    }

    @Test
    void closingTheAuthenticatorClosesItsConnection() {
        SealedTokenAuthenticator authenticator = sealed(server.port());
        awaitConnected(authenticator);

        authenticator.close();

        assertThat(refusal(authenticator, ISSUER.issue(9, Duration.ofMinutes(5)))).isEqualTo(Reason.AUTH_UNAVAILABLE);
    }

    @Test
    void refusesPropertiesOtherThanRedisOnes() {
        assertThatThrownBy(() -> AuthenticatorRegistry.getDefaultRegistry().getProvider("sealed")
                .newAuthenticator(Map.of("keys", SPEC, "replayCache", "redis", "replayCache.size", "5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size: unknown");
    }
}
