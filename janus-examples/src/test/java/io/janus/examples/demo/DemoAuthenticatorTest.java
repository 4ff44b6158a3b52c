package io.janus.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.spi.AuthRequest;
import io.janus.core.spi.Identity;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The demo token format: {@code demo:<playerId>}, anything else refused with TOKEN_INVALID. */
class DemoAuthenticatorTest {

    private final DemoAuthenticator authenticator = new DemoAuthenticator();

    private Identity authenticate(String token) {
        return authenticator.authenticate(new AuthRequest(token, new InetSocketAddress("127.0.0.1", 1), "tcp"))
                .toCompletableFuture().join();
    }

    @Test
    void demoTokenLogsInAsThatPlayer() {
        assertThat(authenticate("demo:42")).isEqualTo(Identity.of(42));
        assertThat(authenticate(DemoAuthenticator.token(123_456_789_012L))).isEqualTo(Identity.of(123_456_789_012L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "demo:", "demo:0", "demo:-1", "demo:+1", "demo:abc", "demo: 1", "player-1",
            "DEMO:1", "demo:1234567890123456789"})
    void anythingElseIsRefusedWithTokenInvalid(String token) {
        assertThatThrownBy(() -> authenticate(token))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TOKEN_INVALID);
                    assertThat(e.getMessage()).isNotEmpty();
                });
    }

    @Test
    void tokenNeedsAPositivePlayerId() {
        assertThatThrownBy(() -> DemoAuthenticator.token(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
