package io.janus.core.game;

import io.janus.api.Reason;
import java.util.concurrent.CompletionStage;

/**
 * Sends messages to players outside the request/response flow. Game handlers get it from
 * {@link GameRequest#pusher()}; embedded games also from {@code Gateway.pusher()}. May be called from any
 * thread, at any time; it never blocks.
 *
 * <p>Each method completes with {@code true} when a live session took the message for delivery, and
 * {@code false} when the player or session is not connected. A session whose outbound queue is full is
 * disconnected with {@link Reason#SLOW_CONSUMER} rather than buffered without bound.
 */
public interface Pusher {

    /**
     * Pushes to the player's current session.
     *
     * @param playerId the player
     * @param push the message
     * @return whether a session took it
     */
    CompletionStage<Boolean> pushToPlayer(long playerId, Push push);

    /**
     * Pushes to one session.
     *
     * @param sessionId the session
     * @param push the message
     * @return whether the session took it
     */
    CompletionStage<Boolean> pushToSession(long sessionId, Push push);

    /**
     * Closes the player's session with a reason the client receives.
     *
     * @param playerId the player
     * @param reason why, for example {@link Reason#KICKED} or {@link Reason#BANNED}
     * @param message detail for the client and the log
     * @return whether a session was found
     */
    CompletionStage<Boolean> kick(long playerId, Reason reason, String message);
}
