package io.janus.core.internal;

import io.janus.api.Reason;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
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

    @Override
    public CompletionStage<Integer> broadcast(Push push, Audience audience) {
        int taken = 0;
        for (DefaultSession session : registry.all()) {
            SessionInfo info = session.info();
            if (info != null && audience.test(info) && session.push(push)) {
                taken++;
            }
        }
        return CompletableFuture.completedFuture(taken);
    }

    @Override
    public CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message) {
        Session session = registry.session(sessionId);
        if (session == null) {
            return CompletableFuture.completedFuture(false);
        }
        session.close(reason, message);
        return CompletableFuture.completedFuture(true);
    }
}
