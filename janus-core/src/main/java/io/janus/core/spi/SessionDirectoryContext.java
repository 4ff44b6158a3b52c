package io.janus.core.spi;

import io.janus.core.game.Pusher;
import io.janus.core.session.SessionRegistry;
import io.netty.channel.EventLoopGroup;
import java.util.Map;

/** What a {@link SessionDirectoryProvider} gets from the gateway to build its directory. */
public interface SessionDirectoryContext {

    /**
     * The gateway's id, unique in the cluster: the channel and entry names of this gateway.
     *
     * @return the id
     */
    String gatewayId();

    /**
     * Delivers to this gateway's own sessions: what arrives from other gateways ends here.
     *
     * @return the local pusher
     */
    Pusher localPusher();

    /**
     * This gateway's sessions.
     *
     * @return the registry
     */
    SessionRegistry sessions();

    /**
     * The gateway's event loops, for timers and clients that can share them.
     *
     * @return the worker group; not to be closed
     */
    EventLoopGroup workerGroup();

    /**
     * The directory's properties from the configuration ({@code directory:} in config.yaml).
     *
     * @return an immutable map
     */
    Map<String, String> properties();

    /**
     * The gateway's side of session handovers, for resumes across gateways (docs/protocol.md, section
     * 14.6). Gateways answer their own; the default refuses every handover.
     *
     * @return the handovers
     */
    default SessionHandovers handovers() {
        return SessionHandovers.NONE;
    }
}
