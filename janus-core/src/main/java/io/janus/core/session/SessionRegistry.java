package io.janus.core.session;

import java.util.Collection;

/**
 * The sessions of one gateway, indexed by session id and by player id; both lookups are O(1). A session
 * leaves both indexes when it closes. Thread-safe; reads never block.
 */
public interface SessionRegistry {

    /**
     * Finds a session by id.
     *
     * @param sessionId the id
     * @return the session, or {@code null}
     */
    Session session(long sessionId);

    /**
     * Finds the logged-in session of a player.
     *
     * @param playerId the player
     * @return the session, or {@code null}
     */
    Session sessionOfPlayer(long playerId);

    /** The number of open connections, logged in or not. */
    int size();

    /** The number of logged-in players. */
    int playerCount();

    /** A weakly consistent view of the open sessions. */
    Collection<Session> sessions();
}
