package io.janus.core.spi;

/** Provides a server {@link Transport}; listed in {@code META-INF/services/io.janus.core.spi.TransportProvider}. */
public abstract class TransportProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected TransportProvider() {
    }

    /**
     * Builds a transport that is not started yet.
     *
     * @param config where to listen and transport-specific properties
     * @return a new transport
     */
    public abstract Transport newTransport(TransportConfig config);
}
