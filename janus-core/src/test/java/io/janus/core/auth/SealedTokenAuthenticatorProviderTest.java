package io.janus.core.auth;

import static io.janus.core.auth.Tokens.refusal;
import static io.janus.core.auth.Tokens.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.janus.api.Reason;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.AuthenticatorProvider;
import io.janus.core.spi.AuthenticatorRegistry;
import io.janus.core.spi.Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SealedTokenAuthenticatorProvider}: found by the registry as {@code sealed}, configured by properties. */
class SealedTokenAuthenticatorProviderTest {

    private static final byte[] KEY_1 = TokenKeys.generateKey();
    private static final byte[] KEY_2 = TokenKeys.generateKey();
    private static final String SPEC = "k1:" + Base64.getEncoder().encodeToString(KEY_1)
            + ",k2:" + Base64.getEncoder().encodeToString(KEY_2);
    private static final Duration TTL = Duration.ofMinutes(5);

    private final AuthenticatorProvider provider = AuthenticatorRegistry.getDefaultRegistry().getProvider("sealed");

    private static Identity accepted(Authenticator authenticator, String token) {
        return authenticator.authenticate(request(token)).toCompletableFuture().join();
    }

    private static Reason reason(Authenticator authenticator, String token) {
        return refusal(authenticator.authenticate(request(token))).reason();
    }

    @Test
    void isRegisteredAsSealedWithTheDefaultPriorityAndAvailable() {
        assertThat(provider).isInstanceOf(SealedTokenAuthenticatorProvider.class);
        assertThat(provider.name()).isEqualTo("sealed");
        assertThat(provider.priority()).isEqualTo(5);
        assertThat(provider.isAvailable()).isTrue();
    }

    @Test
    void buildsAnAuthenticatorThatOpensTokensOfEveryConfiguredKey() {
        Authenticator authenticator = provider.newAuthenticator(Map.of("keys", SPEC, "issueWith", "k2"));
        TokenIssuer issuer1 = new TokenIssuer(TokenKeys.parse(SPEC, "k1"));
        TokenIssuer issuer2 = new TokenIssuer(TokenKeys.parse(SPEC, "k2"));

        assertThat(authenticator).isInstanceOf(SealedTokenAuthenticator.class);
        assertThat(((SealedTokenAuthenticator) authenticator).keys().issueWith()).isEqualTo("k2");
        assertThat(accepted(authenticator, issuer1.issue(1, 2, "red", TTL))).isEqualTo(Identity.of(1, 2, "red"));
        assertThat(accepted(authenticator, issuer2.issue(3, TTL))).isEqualTo(Identity.of(3));
        String token = issuer2.issue(4, TTL);
        accepted(authenticator, token);
        assertThat(reason(authenticator, token)).isEqualTo(Reason.TOKEN_REPLAYED);
    }

    @Test
    void appliesTheReplayCacheSize() {
        Authenticator authenticator = provider.newAuthenticator(Map.of("keys", SPEC, "replayCacheSize", "1"));
        TokenIssuer issuer = new TokenIssuer(TokenKeys.parse(SPEC, null));

        accepted(authenticator, issuer.issue(1, TTL));

        assertThat(reason(authenticator, issuer.issue(2, TTL))).isEqualTo(Reason.AUTH_UNAVAILABLE);
    }

    @Test
    void namesItsReplayCacheProviderAndPassesItsPrefixedProperties() {
        Authenticator authenticator = provider.newAuthenticator(
                Map.of("keys", SPEC, "replayCache", "memory", "replayCache.size", "1"));
        TokenIssuer issuer = new TokenIssuer(TokenKeys.parse(SPEC, null));

        assertThat(((SealedTokenAuthenticator) authenticator).replayCache()).isInstanceOf(InMemoryTokenReplayCache.class);
        accepted(authenticator, issuer.issue(1, TTL));
        assertThat(reason(authenticator, issuer.issue(2, TTL))).as("a cache of one id, full").isEqualTo(Reason.AUTH_UNAVAILABLE);

        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", SPEC, "replayCache", "redis")))
                .hasMessageContaining("io.janus:janus-route-redis");
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", SPEC, "replayCache.sise", "5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sise: unknown");
    }

    @Test
    void closesTheReplayCacheItBuiltButNotOneItWasGiven() {
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        class Closing implements TokenReplayCache, AutoCloseable {
            @Override
            public java.util.concurrent.CompletionStage<Boolean> firstUse(com.google.protobuf.ByteString id, long exp) {
                return java.util.concurrent.CompletableFuture.completedFuture(true);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }
        SealedTokenAuthenticator given = SealedTokenAuthenticator.builder().keys(TokenKeys.parse(SPEC, null))
                .replayCache(new Closing()).build();
        given.close();
        assertThat(closed).as("a cache given by the caller").hasValue(0);

        SealedTokenAuthenticator owned = SealedTokenAuthenticator.builder().keys(TokenKeys.parse(SPEC, null))
                .ownedReplayCache(new Closing()).build();
        owned.close();
        assertThat(closed).as("a cache built from properties").hasValue(1);
    }

    @Test
    void appliesTheMaxClockSkew() {
        Authenticator strict = provider.newAuthenticator(Map.of("keys", SPEC, "maxClockSkewSeconds", "10"));
        Authenticator lenient = provider.newAuthenticator(Map.of("keys", SPEC));
        // Thirty seconds ahead: inside the default 60 s, outside 10 s.
        TokenIssuer ahead = new TokenIssuer(TokenKeys.parse(SPEC, null),
                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(30)));

        assertThat(reason(strict, ahead.issue(1, TTL))).isEqualTo(Reason.TOKEN_NOT_YET_VALID);
        assertThat(accepted(lenient, ahead.issue(1, TTL))).isEqualTo(Identity.of(1));
        assertThat(((SealedTokenAuthenticator) strict).maxClockSkew()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void refusesMissingMalformedAndUnknownProperties() {
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keys").hasMessageContaining("missing");
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys");
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", SPEC, "replayCacheSize", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealed authenticator property replayCacheSize: 'many' (expected: an integer from 1 "
                        + "to 2147483647)");
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", SPEC, "replayCacheSize", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replayCacheSize");
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", SPEC, "maxClockSkewSeconds", "3601")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxClockSkewSeconds");
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", SPEC, "issueWith", "k9")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("issueWith: 'k9'");
        assertThatThrownBy(() -> provider.newAuthenticator(Map.of("keys", SPEC, "replaycachesize", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replaycachesize: unknown");
        String badKey = "A".repeat(42) + "!=";
        Throwable t = catchThrowable(() -> provider.newAuthenticator(Map.of("keys", "k1:" + badKey)));
        assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys entry 1 ('k1')")
                .hasMessageNotContaining(badKey);
    }
}
