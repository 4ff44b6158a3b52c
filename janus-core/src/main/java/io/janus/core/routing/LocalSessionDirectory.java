package io.janus.core.routing;

import static java.util.Objects.requireNonNull;

import io.janus.core.game.Pusher;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.SessionDirectory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The session directory of a gateway that shares nothing: the gateway's own session registry is the
 * whole directory (it settles duplicate logins), and pushes reach this gateway's sessions only. The
 * default; a fleet of gateways uses janus-route-redis' {@code redis} directory.
 */
public final class LocalSessionDirectory implements SessionDirectory {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Pusher localPusher;

    /**
     * Creates the directory.
     *
     * @param localPusher the gateway's own pusher
     */
    public LocalSessionDirectory(Pusher localPusher) {
        this.localPusher = requireNonNull(localPusher, "localPusher");
    }

    @Override
    public CompletionStage<Void> start() {
        return DONE;
    }

    @Override
    public CompletionStage<Void> register(SessionInfo session, DuplicateLoginPolicy policy) {
        return DONE;
    }

    @Override
    public void unregister(SessionInfo session) {
    }

    @Override
    public Pusher pusher() {
        return localPusher;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "LocalSessionDirectory";
    }
}
