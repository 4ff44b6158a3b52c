package io.janus.core.spi;

import java.util.Map;

/**
 * Provides a {@link ClientTransport}; listed in
 * {@code META-INF/services/io.janus.core.spi.ClientTransportProvider}. A transport module ships both this
 * and its {@link TransportProvider} under the same name.
 */
public abstract class ClientTransportProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected ClientTransportProvider() {
    }

    /**
     * Builds a client transport.
     *
     * @param properties transport-specific properties (for example the WebSocket path)
     * @return the client transport
     */
    public abstract ClientTransport newClientTransport(Map<String, String> properties);
}
