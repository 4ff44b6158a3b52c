package io.janus.transport.tcp;

import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportConfig;
import io.janus.core.spi.TransportProvider;

/**
 * Provides {@link TcpTransport} under the name {@code tcp}. Property {@code backlog} sets the accept
 * backlog (default 1024).
 */
public final class TcpTransportProvider extends TransportProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public TcpTransportProvider() {
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
    public Transport newTransport(TransportConfig config) {
        return TcpTransport.builder()
                .address(config.address())
                .backlog(config.intProperty("backlog", 1024))
                .build();
    }
}
