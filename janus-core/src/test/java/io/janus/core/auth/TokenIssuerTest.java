package io.janus.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.TokenClaims;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** {@link TokenIssuer}: the byte layout of docs/protocol.md section 10, checked by hand, and its limits. */
class TokenIssuerTest {

    private static final byte[] KEY = TokenKeys.generateKey();
    private static final String KEY_ID = "2025-02";

    private final MutableClock clock = MutableClock.at("2025-03-01T12:00:00Z");
    private final TokenIssuer issuer = new TokenIssuer(TokenKeys.of(KEY_ID, KEY), clock);

    @Test
    void sealsClaimsInTheSpecifiedLayout() throws Exception {
        String token = issuer.issue(123_456_789_012L, 7, "blue", Duration.ofMinutes(5));

        assertThat(token).matches("[A-Za-z0-9_-]+").doesNotContain("=");
        byte[] bytes = Tokens.decode(token);
        int k = KEY_ID.length();
        assertThat(bytes[0]).as("version").isEqualTo((byte) 1);
        assertThat(bytes[1]).as("K").isEqualTo((byte) k);
        assertThat(Arrays.copyOfRange(bytes, 2, 2 + k)).as("key id")
                .isEqualTo(KEY_ID.getBytes(StandardCharsets.US_ASCII));

        // Open it with nothing but the JDK: nonce after the key id, AAD = version || K || key id.
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, bytes, 2 + k, 12));
        cipher.updateAAD(bytes, 0, 2 + k);
        byte[] plaintext = cipher.doFinal(bytes, 2 + k + 12, bytes.length - (2 + k + 12));
        TokenClaims claims = TokenClaims.parseFrom(plaintext);

        assertThat(bytes.length).as("2 + K + 12 + claims + 16").isEqualTo(2 + k + 12 + plaintext.length + 16);
        assertThat(claims.getSerializedSize()).isEqualTo(plaintext.length);
        assertThat(claims.getPlayerId()).isEqualTo(123_456_789_012L);
        assertThat(claims.getZone()).isEqualTo(7);
        assertThat(claims.getColor()).isEqualTo("blue");
        assertThat(claims.getIssuedAtMs()).isEqualTo(clock.millis());
        assertThat(claims.getExpiresAtMs()).isEqualTo(clock.millis() + 300_000);
        assertThat(claims.getTokenId().size()).isEqualTo(16);
    }

    @Test
    void eachTokenHasItsOwnNonce() {
        byte[] a = Tokens.decode(issuer.issue(1, Duration.ofMinutes(1)));
        byte[] b = Tokens.decode(issuer.issue(1, Duration.ofMinutes(1)));
        int nonceAt = 2 + KEY_ID.length();

        assertThat(Arrays.copyOfRange(a, nonceAt, nonceAt + 12))
                .isNotEqualTo(Arrays.copyOfRange(b, nonceAt, nonceAt + 12));
        assertThat(a).hasSameSizeAs(b).isNotEqualTo(b);
    }

    @Test
    void refusesTtlsThatAreNotPositiveOrOverflow() {
        assertThatThrownBy(() -> issuer.issue(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl: PT0S (expected: at least 1 ms)");
        assertThatThrownBy(() -> issuer.issue(1, Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> issuer.issue(1, Duration.ofSeconds(Long.MAX_VALUE / 1000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl:");
        assertThatThrownBy(() -> issuer.issue(1, 0, null, Duration.ofMinutes(1)))
                .isInstanceOf(NullPointerException.class).hasMessage("color");
    }

    @Test
    void neverIssuesATokenTheGatewayWouldRefuseAsTooLong() {
        String longest = null;
        for (int n = 500; n < 800; n++) {
            try {
                longest = issuer.issue(Long.MIN_VALUE, -1, "c".repeat(n), Duration.ofDays(1));
            } catch (IllegalArgumentException e) {
                assertThat(e).hasMessage("color: " + n + " characters (expected: short enough for a token of "
                        + "at most 1024 characters)");
                break;
            }
        }
        assertThat(longest).isNotNull().hasSizeBetween(1021, 1024);
    }

    @Test
    void toStringNeverPrintsTheKey() {
        assertThat(issuer.toString()).contains(KEY_ID).doesNotContain(Base64.getEncoder().encodeToString(KEY));
    }
}
