package io.janus.core.tunnel.grpc;

import io.janus.core.spi.Tunnel;
import io.janus.core.spi.TunnelContext;
import io.janus.core.spi.TunnelProvider;
import io.janus.core.tunnel.InProcessTunnel;
import io.janus.core.tunnel.InProcessTunnelProvider;

/**
 * Provides the {@link GrpcTunnel} under the name {@value #NAME}. Services embedded in the gateway
 * ({@code inproc:} addresses) keep working through an in-process tunnel inside it. Properties:
 * <ul>
 * <li>{@code maxQueuedPerStream} (default {@value #DEFAULT_MAX_QUEUED}): calls that may wait while a
 *     game service's stream is not ready; more fail with OVERLOADED.</li>
 * <li>{@code maxInboundMessageBytes} (default {@value #DEFAULT_MAX_INBOUND}): the largest message a
 *     game service may send.</li>
 * <li>{@code maxQueuedPerSession} (default 256): as for the {@code inprocess} tunnel.</li>
 * </ul>
 */
public final class GrpcTunnelProvider extends TunnelProvider {

    /** The provider name. */
    public static final String NAME = "grpc";

    static final int DEFAULT_MAX_QUEUED = 64;
    static final int DEFAULT_MAX_INBOUND = 4 << 20;

    /** Called by {@link java.util.ServiceLoader}. */
    public GrpcTunnelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    /** Below the in-process tunnel's: a gateway uses gRPC only when configured to. */
    @Override
    public int priority() {
        return DEFAULT_PRIORITY - 1;
    }

    @Override
    public Tunnel newTunnel(TunnelContext context) {
        InProcessTunnel local = context.localServices().isEmpty() ? null
                : new InProcessTunnel(context.localServices(), context.pusher(), context.blockingExecutor(),
                        context.intProperty("maxQueuedPerSession", InProcessTunnelProvider.DEFAULT_MAX_QUEUED));
        return new GrpcTunnel(context.pusher(), local, context.workerGroup(), context.discovery(), context.health(),
                (int) Math.min(Integer.MAX_VALUE, context.requestTimeout().toMillis()),
                context.intProperty("maxQueuedPerStream", DEFAULT_MAX_QUEUED),
                context.intProperty("maxInboundMessageBytes", DEFAULT_MAX_INBOUND));
    }
}
