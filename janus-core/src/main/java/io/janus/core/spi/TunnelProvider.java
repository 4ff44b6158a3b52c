package io.janus.core.spi;

/** Provides a {@link Tunnel}; listed in {@code META-INF/services/io.janus.core.spi.TunnelProvider}. */
public abstract class TunnelProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected TunnelProvider() {
    }

    /**
     * Builds a tunnel.
     *
     * @param context the gateway's pusher, embedded services, executor and tunnel properties
     * @return the tunnel
     */
    public abstract Tunnel newTunnel(TunnelContext context);
}
