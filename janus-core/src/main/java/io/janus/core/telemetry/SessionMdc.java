package io.janus.core.telemetry;

import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
import org.slf4j.MDC;

/**
 * Puts a session's id and player id into the slf4j {@link MDC} for the duration of a block, so that
 * every log line written meanwhile, by Janus or by game code, names them: the gateway does this around
 * session log lines, the authenticator and router calls, and every game handler and session-closed
 * listener it runs. In a logback pattern: {@code %X{sessionId} %X{playerId}}. The previous values are
 * restored on close, so scopes nest.
 *
 * <pre>{@code
 * try (SessionMdc.Scope ignored = SessionMdc.enter(session)) {
 *     logger.info("player joined room {}", room);
 * }
 * }</pre>
 */
public final class SessionMdc {

    /** The MDC key of the session id. */
    public static final String SESSION_ID = "sessionId";

    /** The MDC key of the player id (absent before login). */
    public static final String PLAYER_ID = "playerId";

    /** Restores the MDC on close; never throws. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NOTHING = () -> { };

    private SessionMdc() {
    }

    /**
     * Enters a logged-in session's scope.
     *
     * @param session the session, or {@code null} for nothing
     * @return the scope to close
     */
    public static Scope enter(SessionInfo session) {
        return session == null ? NOTHING : enter(session.sessionIdText(), session.playerIdText());
    }

    /**
     * Enters a session's scope, logged in or not yet.
     *
     * @param session the session
     * @return the scope to close
     */
    public static Scope enter(Session session) {
        return enter(session.id(), session.identity() == null ? null : Long.toString(session.identity().playerId()));
    }

    /**
     * Enters a session's scope.
     *
     * @param sessionId the session id
     * @param playerId the player id, or {@code null} before login
     * @return the scope to close
     */
    public static Scope enter(long sessionId, String playerId) {
        return enter(Long.toString(sessionId), playerId);
    }

    private static Scope enter(String sessionId, String playerId) {
        String previousSession = MDC.get(SESSION_ID);
        String previousPlayer = MDC.get(PLAYER_ID);
        MDC.put(SESSION_ID, sessionId);
        if (playerId != null) {
            MDC.put(PLAYER_ID, playerId);
        } else {
            MDC.remove(PLAYER_ID);
        }
        return () -> {
            restore(SESSION_ID, previousSession);
            restore(PLAYER_ID, previousPlayer);
        };
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
