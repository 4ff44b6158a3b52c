package io.janus.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Scopes put the session and player ids into the MDC and restore what was there before. */
class SessionMdcTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void scopesNestAndRestoreThePreviousValues() {
        SessionInfo outer = new SessionInfo(1, "gw", "tcp", "127.0.0.1:1", Identity.of(10));
        try (SessionMdc.Scope a = SessionMdc.enter(outer)) {
            assertThat(MDC.get(SessionMdc.SESSION_ID)).isEqualTo("1");
            assertThat(MDC.get(SessionMdc.PLAYER_ID)).isEqualTo("10");
            try (SessionMdc.Scope b = SessionMdc.enter(2, null)) {
                assertThat(MDC.get(SessionMdc.SESSION_ID)).isEqualTo("2");
                assertThat(MDC.get(SessionMdc.PLAYER_ID)).isNull();
            }
            assertThat(MDC.get(SessionMdc.SESSION_ID)).isEqualTo("1");
            assertThat(MDC.get(SessionMdc.PLAYER_ID)).isEqualTo("10");
        }
        assertThat(MDC.get(SessionMdc.SESSION_ID)).isNull();
        assertThat(MDC.get(SessionMdc.PLAYER_ID)).isNull();
    }

    @Test
    void aMissingSessionLeavesTheMdcAlone() {
        MDC.put(SessionMdc.SESSION_ID, "keep");
        try (SessionMdc.Scope ignored = SessionMdc.enter((SessionInfo) null)) {
            assertThat(MDC.get(SessionMdc.SESSION_ID)).isEqualTo("keep");
        }
        assertThat(MDC.get(SessionMdc.SESSION_ID)).isEqualTo("keep");
    }
}
