package io.janus.core.spi;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.game.Pusher;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.SessionInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where each logged-in player's session lives across the gateways of a cluster (the gateway table,
 * docs/routing.md), and how messages reach sessions on other gateways. The gateway calls it on login
 * and close; game code reaches it through {@code Gateway.pusher()}.
 *
 * <p>Implementations: {@code local} (janus-core: one gateway, nothing shared), {@code redis}
 * (janus-route-redis: a TTL claim per player in Redis, renewed while the session lives, and one pub/sub
 * channel per gateway plus a broadcast channel).
 *
 * <p>Every method is called from event loops and must not block.
 */
public interface SessionDirectory extends AutoCloseable {

    /**
     * Starts: connects, subscribes to this gateway's deliveries. Called once by {@code Gateway.start()},
     * before the transports bind.
     *
     * @return a stage completed when the directory is ready
     */
    CompletionStage<Void> start();

    /**
     * Records that a player logged in on this gateway, before the session is admitted. The gateway's own
     * registry already settles duplicates within the gateway; the directory settles them across gateways:
     * with {@link DuplicateLoginPolicy#KICK_OLD} a live session of the player on another gateway is
     * closed with {@link io.janus.api.Reason#DUPLICATE_LOGIN} and the entry taken over; with
     * {@link DuplicateLoginPolicy#REJECT_NEW} the login fails.
     *
     * @param session the new session's login
     * @param policy what to do with an older session of the player
     * @return a stage completed when the session may go ahead, or exceptionally with an
     *         {@link io.janus.core.AuthenticationException} of {@link io.janus.api.Reason#DUPLICATE_LOGIN}
     *         or {@link io.janus.api.Reason#DIRECTORY_UNAVAILABLE}
     */
    CompletionStage<Void> register(SessionInfo session, DuplicateLoginPolicy policy);

    /**
     * The session ended: its entry is removed if it still names this session (a newer login elsewhere
     * keeps its own). Fire and forget; failures are logged and the entry then expires by itself.
     *
     * @param session the login of the closed session
     */
    void unregister(SessionInfo session);

    /**
     * A pusher that reaches each player's session on whichever gateway holds it, and broadcasts to every
     * gateway.
     *
     * @return the cluster-wide pusher
     */
    Pusher pusher();

    /**
     * Asks the gateway that holds a session for it (docs/protocol.md, section 14.6): a client resumes
     * here a session this gateway does not hold. The directory checks that its entry for the player names
     * this session on another live gateway, asks that gateway for the session
     * ({@link SessionHandovers#export} there), and answers what it sent. Bounded in time: a holder that
     * does not answer within a few seconds fails the takeover.
     *
     * <p>The default refuses: a directory that is not shared by several gateways has nowhere to look.
     *
     * @param sessionId the session, from the resume ticket
     * @param playerId its player, from the resume ticket
     * @return the takeover, or failed with a {@link JanusException} of {@link Reason#RESUME_SESSION_GONE}
     *     (no such session in the directory, its gateway is gone or refused) or
     *     {@link Reason#DIRECTORY_UNAVAILABLE}
     */
    default CompletionStage<SessionTakeover> takeOver(long sessionId, long playerId) {
        return CompletableFuture.failedFuture(new JanusException(Reason.RESUME_SESSION_GONE,
                "session " + sessionId + " is not on this gateway, and the session directory does not reach others"));
    }

    /**
     * Sends packets to a session this gateway handed over to another ({@link SessionHandovers#deliver}
     * there). At most once, like every pub/sub delivery; fire and forget.
     *
     * @param gatewayId the gateway that took the session
     * @param sessionId the session
     * @param packets encoded packets, oldest first
     */
    default void forward(String gatewayId, long sessionId, List<byte[]> packets) {
    }

    /** Stops renewing and listening, releases this gateway's entries where it can, and closes connections. */
    @Override
    void close();
}
