package io.janus.core.internal;

import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.Session;
import io.janus.core.session.SessionRegistry;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;

/** The gateway's {@link SessionRegistry}: two concurrent hash maps, by session id and by player id. */
public final class DefaultSessionRegistry implements SessionRegistry {

    /** The outcome of binding a player to a session. */
    public static final class Binding {
        static final Binding BOUND = new Binding(null, false);
        static final Binding REJECTED = new Binding(null, true);

        private final DefaultSession displaced;
        private final boolean rejected;

        private Binding(DefaultSession displaced, boolean rejected) {
            this.displaced = displaced;
            this.rejected = rejected;
        }

        /** The older session of the player, to be kicked, or {@code null}. */
        public DefaultSession displaced() {
            return displaced;
        }

        /** Whether the new login was refused because the player already has a session. */
        public boolean rejected() {
            return rejected;
        }
    }

    private final ConcurrentHashMap<Long, DefaultSession> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, DefaultSession> byPlayer = new ConcurrentHashMap<>();

    /**
     * Sessions between two gateways (docs/protocol.md, section 14.6): on the gateway that handed a session
     * over, until its last answers are forwarded; on the gateway taking one over, until the directory
     * entry is its own. Found by id and by player, so that targeted pushes reach them (and are forwarded,
     * or buffered), but not in {@link #all}: a broadcast reaches them on the gateway that holds them.
     * Bounded by the sessions the gateway held or resumes, and by time (a few seconds each).
     */
    private final ConcurrentHashMap<Long, DefaultSession> inTransit = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, DefaultSession> inTransitByPlayer = new ConcurrentHashMap<>();

    void add(DefaultSession session) {
        byId.put(session.id(), session);
    }

    /** A session taken over from another gateway, until its directory entry is this gateway's. */
    void addInTransit(DefaultSession session) {
        inTransit.put(session.id(), session);
        inTransitByPlayer.put(session.identity().playerId(), session);
    }

    /**
     * A session taken over from another gateway holds its directory entry now: it becomes an ordinary
     * session of this gateway.
     *
     * @return the player's older session on this gateway that it displaces, or {@code null}
     */
    DefaultSession promote(DefaultSession session) {
        long playerId = session.identity().playerId();
        inTransit.remove(session.id(), session);
        inTransitByPlayer.remove(playerId, session);
        byId.put(session.id(), session);
        DefaultSession displaced = byPlayer.put(playerId, session);
        return displaced == session ? null : displaced;
    }

    /** A session handed over to another gateway: it leaves the sessions of this one, but is still found. */
    void moved(DefaultSession session) {
        long playerId = session.identity().playerId();
        byId.remove(session.id(), session);
        byPlayer.remove(playerId, session);
        inTransit.put(session.id(), session);
        inTransitByPlayer.putIfAbsent(playerId, session);
    }

    /**
     * Makes {@code session} the player's session, atomically with respect to other logins of the same
     * player.
     *
     * @param session a logged-in session
     * @param playerId its player
     * @param policy what to do with an older session of the player
     * @return the outcome
     */
    Binding bindPlayer(DefaultSession session, long playerId, DuplicateLoginPolicy policy) {
        DefaultSession[] displaced = {null};
        boolean[] rejected = {false};
        byPlayer.compute(playerId, (id, existing) -> {
            if (existing == null || existing == session || !existing.isActive()) {
                return session;
            }
            if (policy == DuplicateLoginPolicy.REJECT_NEW) {
                rejected[0] = true;
                return existing;
            }
            displaced[0] = existing;
            return session;
        });
        if (rejected[0]) {
            return Binding.REJECTED;
        }
        return displaced[0] == null ? Binding.BOUND : new Binding(displaced[0], false);
    }

    void remove(DefaultSession session) {
        byId.remove(session.id(), session);
        inTransit.remove(session.id(), session);
        if (session.identity() != null) {
            // Conditional: a newer session of the same player must stay.
            byPlayer.remove(session.identity().playerId(), session);
            inTransitByPlayer.remove(session.identity().playerId(), session);
        }
    }

    @Override
    public Session session(long sessionId) {
        DefaultSession session = byId.get(sessionId);
        return session != null ? session : inTransit.get(sessionId);
    }

    @Override
    public DefaultSession sessionOfPlayer(long playerId) {
        DefaultSession session = byPlayer.get(playerId);
        return session != null ? session : inTransitByPlayer.get(playerId);
    }

    DefaultSession get(long sessionId) {
        return byId.get(sessionId);
    }

    /** The session with this id, among this gateway's sessions or those in transit. */
    DefaultSession find(long sessionId) {
        DefaultSession session = byId.get(sessionId);
        return session != null ? session : inTransit.get(sessionId);
    }

    @Override
    public int size() {
        return byId.size();
    }

    @Override
    public int playerCount() {
        return byPlayer.size();
    }

    /** The open sessions, weakly consistent, as the gateway's own type. */
    Collection<DefaultSession> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    @Override
    public Collection<Session> sessions() {
        return Collections.unmodifiableCollection(byId.values());
    }
}
