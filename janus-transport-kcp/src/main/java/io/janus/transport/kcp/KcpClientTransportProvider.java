package io.janus.transport.kcp;

import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.ClientTransportProvider;
import java.util.Map;

/**
 * Provides {@link KcpClientTransport} under the name {@code kcp}; properties are those of
 * {@link KcpSettings}, with the client's defaults.
 */
public final class KcpClientTransportProvider extends ClientTransportProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public KcpClientTransportProvider() {
    }

    @Override
    public String name() {
        return KcpTransport.NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public ClientTransport newClientTransport(Map<String, String> properties) {
        return new KcpClientTransport(KcpSettings.fromProperties(properties, false));
    }
}
