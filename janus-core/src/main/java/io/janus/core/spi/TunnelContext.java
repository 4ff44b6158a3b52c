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

    /**
     * Returns an integer tunnel property.
     *
     * @param key the property name
     * @param defaultValue the value when the property is absent
     * @return the value
     * @throws IllegalArgumentException naming the key when the value is not an integer
     */
    default int intProperty(String key, int defaultValue) {
        return ProviderProperties.intProperty(properties(), "tunnel", key, defaultValue);
    }

    /**
     * Where the gateway's sessions are served; a network tunnel runs its connections on these event
     * loops rather than on threads of its own.
     *
     * @return the worker group; owned by the gateway or its user, never to be shut down by a tunnel
     */
    default io.netty.channel.EventLoopGroup workerGroup() {
        throw new UnsupportedOperationException("this gateway gives tunnels no event loops");
    }

    /**
     * How long the gateway waits for the answer to a request (the tunnel tells the game service).
     *
     * @return the request deadline
     */
    default java.time.Duration requestTimeout() {
        return io.janus.core.SessionOptions.defaults().requestTimeout();
    }

    /**
     * Where game-service instances are found, for tunnels that follow {@code move} instructions.
     *
     * @return the gateway's discovery
     */
    default Discovery discovery() {
        throw new UnsupportedOperationException("this gateway gives tunnels no discovery");
    }

    /**
     * Failures to report (and successes), so the router avoids failing instances.
     *
     * @return the gateway's health table, shared with its router
     */
    default io.janus.core.routing.InstanceHealth health() {
        return new io.janus.core.routing.InstanceHealth();
    }
}
