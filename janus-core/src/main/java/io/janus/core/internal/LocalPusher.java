package io.janus.core.internal;

import io.janus.api.Reason;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.session.Session;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The {@link Pusher} of an embedded game: delivers to the sessions of this gateway. */
final class LocalPusher implements Pusher {

    private final DefaultSessionRegistry registry;

    LocalPusher(DefaultSessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletionStage<Boolean> pushToPlayer(long playerId, Push push) {
        Session session = registry.sessionOfPlayer(playerId);
        return CompletableFuture.completedFuture(session != null && session.push(push));
    }

    @Override
    public CompletionStage<Boolean> pushToSession(long sessionId, Push push) {
        Session session = registry.session(sessionId);
        return CompletableFuture.completedFuture(session != null && session.push(push));
    }

    @Override
    public CompletionStage<Boolean> kick(long playerId, Reason reason, String message) {
        Session session = registry.sessionOfPlayer(playerId);
        if (session == null) {
            return CompletableFuture.completedFuture(false);
        }
        session.close(reason, message);
        return CompletableFuture.completedFuture(true);
    }
}
