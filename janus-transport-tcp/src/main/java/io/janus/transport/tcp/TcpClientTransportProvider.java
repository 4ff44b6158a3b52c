package io.janus.transport.tcp;

import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.ClientTransportProvider;
import java.util.Map;

/**
 * Provides {@link TcpClientTransport} under the name {@code tcp}. Property {@code connectTimeoutMillis}
 * (default 10,000).
 */
public final class TcpClientTransportProvider extends ClientTransportProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public TcpClientTransportProvider() {
    }

    @Override
    public String name() {
        return TcpTransport.NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public ClientTransport newClientTransport(Map<String, String> properties) {
        String timeout = properties.getOrDefault("connectTimeoutMillis", "10000");
        try {
            return new TcpClientTransport(Integer.parseInt(timeout.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("connectTimeoutMillis: '" + timeout + "' (expected: an integer)", e);
        }
    }
}
