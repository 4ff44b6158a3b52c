package io.janus.core.internal;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@link Pusher} of an embedded game: delivers to the sessions of this gateway. Single pushes go
 * through {@link DefaultSession#push}; {@link #multicast} and {@link #broadcast} through the
 * {@link Broadcaster}, which encodes the packet once and hands each event loop one task, and complete
 * once every event loop has written its part (on one of those event loops: chain nothing that blocks).
 */
final class LocalPusher implements Pusher {

    private final DefaultSessionRegistry registry;
    private final Broadcaster broadcaster = new Broadcaster();

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
        return close(registry.sessionOfPlayer(playerId), reason, message);
    }

    @Override
    public CompletionStage<Integer> multicast(Collection<Long> playerIds, Push push) {
        requireNonNull(playerIds, "playerIds");
        requireNonNull(push, "push");
        // A set: a player listed twice is delivered once (bounded by the caller's collection).
        Set<DefaultSession> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Long playerId : playerIds) {
            DefaultSession session = playerId == null ? null : registry.sessionOfPlayer(playerId);
            if (session != null && session.info() != null) {
                targets.add(session);
            }
        }
        return broadcaster.deliver(push.toPacket(), targets);
    }

    @Override
    public CompletionStage<Integer> broadcast(Push push, Audience audience) {
        requireNonNull(push, "push");
        requireNonNull(audience, "audience");
        List<DefaultSession> targets = new ArrayList<>();
        for (DefaultSession session : registry.all()) {
            SessionInfo info = session.info();
            if (info != null && audience.test(info)) {
                targets.add(session);
            }
        }
        return broadcaster.deliver(push.toPacket(), targets);
    }

    @Override
    public CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message) {
        return close(registry.session(sessionId), reason, message);
    }

    private static CompletionStage<Boolean> close(Session session, Reason reason, String message) {
        if (session == null) {
            return CompletableFuture.completedFuture(false);
        }
        session.close(reason, message);
        return CompletableFuture.completedFuture(true);
    }
}
