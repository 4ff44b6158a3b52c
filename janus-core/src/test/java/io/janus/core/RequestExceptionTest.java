package io.janus.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.netty.handler.codec.DecoderException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** {@link RequestException} statuses and reasons, and {@link JanusException#find}. */
class RequestExceptionTest {

    @Test
    void gameStatusBelowTheGameRangeIsRefused() {
        assertThatThrownBy(() -> RequestException.game(999, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("game status: 999 (expected: >= 1000)");
        assertThatThrownBy(() -> RequestException.game(0, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gameStatusCarriesTheStatusUnderGameError() {
        RequestException e = RequestException.game(1000, "not enough gold");

        assertThat(e.status()).isEqualTo(1000);
        assertThat(e.reason()).isEqualTo(Reason.GAME_ERROR);
        assertThat(e.isGameStatus()).isTrue();
        assertThat(e.getMessage()).isEqualTo("not enough gold");
    }

    @Test
    void reasonFailureUsesTheReasonCodeAsStatus() {
        RequestException e = RequestException.of(Reason.NO_ROUTE, "no service");

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.reason()).isEqualTo(Reason.NO_ROUTE);
        assertThat(e.isGameStatus()).isFalse();
        assertThat(e).hasToString("RequestException[NO_ROUTE]: no service");
    }

    @Test
    void okAndUnrecognizedAreNotFailureReasons() {
        assertThatThrownBy(() -> RequestException.of(Reason.OK, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: a failure reason");
        assertThatThrownBy(() -> RequestException.of(Reason.UNRECOGNIZED, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromStatusMapsJanusReasonCodes() {
        RequestException e = RequestException.fromStatus(401, "down");

        assertThat(e.reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.isGameStatus()).isFalse();
        assertThat(RequestException.fromStatus(402, "").reason()).isEqualTo(Reason.REQUEST_TIMEOUT);
    }

    @Test
    void fromStatusMapsGameStatuses() {
        RequestException e = RequestException.fromStatus(4242, "game said no");

        assertThat(e.reason()).isEqualTo(Reason.GAME_ERROR);
        assertThat(e.status()).isEqualTo(4242);
        assertThat(e.isGameStatus()).isTrue();
        assertThat(e.getMessage()).isEqualTo("game said no");
    }

    @Test
    void fromStatusKeepsAnUnknownReasonCode() {
        // A newer gateway may send a code this client does not know yet.
        RequestException e = RequestException.fromStatus(777, "");

        assertThat(e.reason()).isEqualTo(Reason.UNRECOGNIZED);
        assertThat(e.status()).isEqualTo(777);
    }

    @Test
    void requestExceptionsAreCheapWithoutStackTrace() {
        assertThat(RequestException.of(Reason.OVERLOADED, "busy").getStackTrace()).isEmpty();
        assertThat(RequestException.game(1001, "x").getStackTrace()).isEmpty();
    }

    @Test
    void findLocatesAJanusExceptionInsideWrappers() {
        RequestException inner = RequestException.of(Reason.OVERLOADED, "busy");

        assertThat(JanusException.find(new CompletionException(new DecoderException(inner)))).isSameAs(inner);
        assertThat(JanusException.find(inner)).isSameAs(inner);
        assertThat(JanusException.find(new IllegalStateException(new RuntimeException()))).isNull();
        assertThat(JanusException.find(null)).isNull();
    }
}
