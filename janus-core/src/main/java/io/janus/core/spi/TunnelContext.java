package io.janus.core.spi;

import io.janus.core.game.GameHandlers;
import io.janus.core.game.Pusher;
import java.util.Map;
import java.util.concurrent.Executor;

/** What the gateway gives a {@link TunnelProvider}. Implemented by the gateway. */
public interface TunnelContext {

    /**
     * Delivers pushes and kicks to this gateway's sessions.
     *
     * @return the gateway's pusher
     */
    Pusher pusher();

    /**
     * The game services embedded in this JVM, by service name.
     *
     * @return an immutable map
     */
    Map<String, GameHandlers> localServices();

    /**
     * Where handlers that may block run. Owned by the gateway or its user; never shut down by a tunnel.
     *
     * @return the executor
     */
    Executor blockingExecutor();

    /**
     * Tunnel-specific properties.
     *
     * @return properties, possibly empty
     */
    Map<String, String> properties();
}
