package io.janus.core.spi;

import io.janus.core.session.SessionInfo;
import java.util.concurrent.CompletionStage;

/**
 * Chooses the game-service instance that serves a packet. Called on the session's event loop for every
 * packet, so it must not block: answer from memory, or return a stage that a non-blocking client
 * completes later.
 *
 * <p>Implementations: in-memory (janus-core, consistent hashing over {@link Discovery}), Redis
 * (janus-route-redis).
 */
public interface Router extends AutoCloseable {

    /**
     * Routes one packet.
     *
     * @param session the sending session
     * @param module the packet's module
     * @param obj the packet's target object id (0 when unused)
     * @return a stage completed with the chosen instance, or exceptionally with a
     *         {@link io.janus.core.RequestException} of {@link io.janus.api.Reason#NO_ROUTE} (no
     *         service for the module) or {@link io.janus.api.Reason#SERVICE_UNAVAILABLE} (no live
     *         instance)
     */
    CompletionStage<ServiceInstance> route(SessionInfo session, int module, long obj);

    /**
     * A session ended: routes claimed for it may be released. Called once per logged-in session, on its
     * event loop; must not block. The default does nothing.
     *
     * @param session the closed session's login
     */
    default void sessionClosed(SessionInfo session) {
    }

    /**
     * The session moved to another gateway in a resume there (docs/protocol.md, section 14.6): forget
     * what this router tracks for it locally, but keep what it shares with the fleet (sticky routes in
     * Redis), which the other gateway's router goes on using. Nothing by default.
     *
     * @param session the session as this gateway held it
     */
    default void sessionMoved(SessionInfo session) {
    }

    /** Releases what the router holds (watches, caches). */
    @Override
    void close();
}
