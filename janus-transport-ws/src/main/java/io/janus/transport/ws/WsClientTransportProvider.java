package io.janus.transport.ws;

import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.ClientTransportProvider;
import java.nio.file.Path;
import java.util.Map;

/**
 * Provides {@link WsClientTransport} under the name {@code ws}. Properties (all optional):
 * {@code path} (default {@code /janus}), {@code tls} ({@code true} for wss with the JDK's trusted
 * authorities), {@code trustCertificate} (a PEM file of trusted certificates; implies TLS),
 * {@code origin} (an Origin header to send), {@code compression} ({@code true} offers
 * permessage-deflate), {@code connectTimeoutMillis} (default 10,000).
 */
public final class WsClientTransportProvider extends ClientTransportProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public WsClientTransportProvider() {
    }

    @Override
    public String name() {
        return WsTransport.NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public ClientTransport newClientTransport(Map<String, String> properties) {
        WsClientTransport.Builder b = WsClientTransport.builder()
                .path(properties.getOrDefault("path", WsTransport.DEFAULT_PATH).trim())
                .tls(WsTransportProvider.bool(properties, "tls"))
                .origin(properties.get("origin"))
                .compression(WsTransportProvider.bool(properties, "compression"));
        String trust = properties.get("trustCertificate");
        if (trust != null && !trust.isBlank()) {
            b.trustCertificate(Path.of(trust.trim()));
        }
        String timeout = properties.getOrDefault("connectTimeoutMillis", "10000");
        try {
            b.connectTimeoutMillis(Integer.parseInt(timeout.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("connectTimeoutMillis: '" + timeout + "' (expected: an integer)", e);
        }
        return b.build();
    }
}
