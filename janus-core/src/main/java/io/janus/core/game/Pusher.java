package io.janus.core.game;

import io.janus.api.Reason;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends messages to players outside the request/response flow. Game handlers get it from
 * {@link GameRequest#pusher()}; embedded games also from {@code Gateway.pusher()}. May be called from any
 * thread, at any time; it never blocks.
 *
 * <p>Each method completes with {@code true} when a live session took the message for delivery, and
 * {@code false} when the player or session is not connected. A session whose outbound queue is full is
 * disconnected with {@link Reason#SLOW_CONSUMER} rather than buffered without bound.
 *
 * <p>A gateway's own pusher reaches the sessions of that gateway; with a cluster-wide session directory
 * (janus-route-redis) {@code Gateway.pusher()} and the game-service SDK's Redis pusher reach every
 * gateway. A cluster-wide pusher completes when the message is handed to the gateways that hold the
 * players, not when the clients have it: the counts it returns are what it knows at that point, as
 * each method says.
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

    /**
     * Pushes one message to several players: serialized once, encrypted per session. The default pushes
     * to each player in turn; gateways and cluster pushers batch.
     *
     * @param playerIds the players; duplicates are delivered once
     * @param push the message
     * @return how many of the players had a session that took the message (a cluster pusher counts the
     *         players it found a gateway for)
     */
    default CompletionStage<Integer> multicast(Collection<Long> playerIds, Push push) {
        CompletableFuture<?>[] each = playerIds.stream().distinct()
                .map(id -> pushToPlayer(id, push).toCompletableFuture())
                .toArray(CompletableFuture<?>[]::new);
        return CompletableFuture.allOf(each).thenApply(ignored -> {
            int taken = 0;
            for (CompletableFuture<?> f : each) {
                if (Boolean.TRUE.equals(f.join())) {
                    taken++;
                }
            }
            return taken;
        });
    }

    /**
     * Pushes one message to every logged-in session of the audience, on every transport. Serialized once
     * and encrypted per session; a slow session never delays the others (it is disconnected with
     * {@link Reason#SLOW_CONSUMER} when its queue is full).
     *
     * @param push the message
     * @param audience which sessions
     * @return how many sessions took it (a cluster pusher: how many gateways received it)
     */
    CompletionStage<Integer> broadcast(Push push, Audience audience);

    /**
     * Closes one session with a reason the client receives, by session id: unlike {@link #kick}, a newer
     * session of the same player is left alone.
     *
     * @param sessionId the session
     * @param reason why
     * @param message detail for the client and the log
     * @return whether the session was found
     */
    CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message);
}
