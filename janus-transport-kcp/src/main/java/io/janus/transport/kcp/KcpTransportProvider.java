package io.janus.transport.kcp;

import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportConfig;
import io.janus.core.spi.TransportProvider;

/** Provides {@link KcpTransport} under the name {@code kcp}; properties are listed in {@link KcpSettings}. */
public final class KcpTransportProvider extends TransportProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public KcpTransportProvider() {
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
    public Transport newTransport(TransportConfig config) {
        return KcpTransport.builder()
                .address(config.address())
                .settings(KcpSettings.fromProperties(config.properties(), true))
                .build();
    }
}
