package io.janus.core.tunnel;

import io.janus.core.spi.Tunnel;
import io.janus.core.spi.TunnelContext;
import io.janus.core.spi.TunnelProvider;

/**
 * Provides the {@link InProcessTunnel} under the name {@code inprocess}. Property
 * {@code maxQueuedPerSession} (default {@value #DEFAULT_MAX_QUEUED}) bounds the requests of one session
 * waiting for a blocking handler.
 */
public final class InProcessTunnelProvider extends TunnelProvider {

    /** The provider name. */
    public static final String NAME = "inprocess";

    /** The default of {@code maxQueuedPerSession}. */
    public static final int DEFAULT_MAX_QUEUED = 256;

    /** Called by {@link java.util.ServiceLoader}. */
    public InProcessTunnelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Tunnel newTunnel(TunnelContext context) {
        int maxQueued = context.intProperty("maxQueuedPerSession", DEFAULT_MAX_QUEUED);
        return new InProcessTunnel(context.localServices(), context.pusher(), context.blockingExecutor(), maxQueued);
    }
}
