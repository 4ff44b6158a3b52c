package io.janus.examples.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The example login-service token format. */
class HmacTokensTest {

    private final HmacTokens tokens = new HmacTokens(new byte[32]);

    @Test
    void anIssuedTokenVerifiesWithItsClaims() {
        String token = tokens.issue(42, 3, Instant.ofEpochSecond(1_900_000_000L));

        assertThat(token).startsWith("v1.42.3.1900000000.");
        HmacTokens.Claims claims = tokens.verify(token);
        assertThat(claims.playerId()).isEqualTo(42);
        assertThat(claims.zone()).isEqualTo(3);
        assertThat(claims.expiresAt()).isEqualTo(1_900_000_000L);
    }

    @Test
    void malformedForgedAndOverlongTokensAreRefused() {
        String token = tokens.issue(42, 3, Instant.ofEpochSecond(1_900_000_000L));

        assertThat(tokens.verify("")).isNull();
        assertThat(tokens.verify("no-dots-at-all")).isNull();
        assertThat(tokens.verify(token.substring(0, token.length() - 2))).isNull();
        assertThat(tokens.verify(token.replace("v1.42.", "v1.43."))).isNull();
        assertThat(tokens.verify(token + "%")).isNull();
        assertThat(tokens.verify("x".repeat(HmacTokens.MAX_TOKEN_LENGTH + 1))).isNull();
        byte[] otherKey = new byte[32];
        otherKey[31] = 1;
        assertThat(new HmacTokens(otherKey).verify(token)).as("another key").isNull();
    }

    @Test
    void shortKeysAreRefusedWithoutQuotingThem() {
        assertThatThrownBy(() -> new HmacTokens(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: 31 bytes (expected: at least 32)");
    }
}
