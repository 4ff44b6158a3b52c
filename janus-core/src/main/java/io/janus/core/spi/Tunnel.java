package io.janus.core.spi;

import io.janus.api.Packet;
import io.janus.core.session.SessionInfo;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Carries a session's packets to a game-service instance and its answers back: in the same JVM
 * (the in-process tunnel of janus-core) or over a gRPC stream per session and service (the remote game
 * services tunnel). Pushes and kicks that the game service sends on its own reach sessions through the
 * {@link io.janus.core.game.Pusher} in the {@link TunnelContext}.
 *
 * <p>Called on the session's event loop: must not block. {@link #request} is called with the request's
 * span current ({@code io.opentelemetry.context.Context.current()}) and the session in the slf4j MDC
 * ({@link io.janus.core.telemetry.SessionMdc}): a tunnel that hands the request to another thread carries
 * both along, and a remote tunnel injects the trace context into its call metadata (W3C trace context).
 */
public interface Tunnel extends AutoCloseable {

    /**
     * Sends a request and completes with its answer.
     *
     * @param session the sending session
     * @param instance the instance chosen by the {@link Router}
     * @param packet the client's packet; module, seq and index are echoed in the answer
     * @return a stage completed with the response packet (status 0, or a game status), or exceptionally
     *         with a {@link io.janus.core.JanusException} whose reason the client receives. The gateway
     *         applies the request deadline on top, so a stage that never completes costs one pending
     *         slot until then, no more.
     */
    CompletionStage<Packet> request(SessionInfo session, ServiceInstance instance, Packet packet);

    /**
     * Tells the tunnel a session ended, so that it releases what it holds for it (streams, queues).
     *
     * @param session the session that closed
     */
    void sessionClosed(SessionInfo session);

    /**
     * The remote game-service instances the session has streams to now, for the gateway that takes the
     * session over in a resume on another gateway (docs/protocol.md, section 14.6) to open its own.
     * Embedded services are not listed: they live in this gateway's JVM.
     *
     * @param session the session being handed over
     * @return the instances; empty by default
     */
    default List<ServiceInstance> openStreams(SessionInfo session) {
        return List.of();
    }

    /**
     * The session moved to another gateway, which took it over in a resume there: release what is held
     * for it without ending the session for remote game services (they keep it, through the other
     * gateway's streams). Embedded services of this gateway lose it: for them it closed here. By default
     * the same as {@link #sessionClosed}.
     *
     * @param session the session as this gateway held it
     */
    default void sessionMoved(SessionInfo session) {
        sessionClosed(session);
    }

    /**
     * This gateway took a session over from another: open streams to the instances the other gateway had
     * them to, so that those game services keep hearing of the session and learn when it ends. Nothing by
     * default.
     *
     * @param session the session as this gateway holds it now
     * @param instances the instances from {@link #openStreams} on the other gateway
     */
    default void sessionAdopted(SessionInfo session, List<ServiceInstance> instances) {
    }

    /** Releases the tunnel's channels and threads. */
    @Override
    void close();
}
