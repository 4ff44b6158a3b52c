package io.janus.transport.ws;

import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportConfig;
import io.janus.core.spi.TransportProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Provides {@link WsTransport} under the name {@code ws}. Properties (all optional):
 * <ul>
 *   <li>{@code path}: the WebSocket path (default {@code /janus});</li>
 *   <li>{@code allowedOrigins}: comma-separated origins and wildcard origins
 *       ({@code https://game.example.com,https://*.example.com}); absent or empty allows any origin;</li>
 *   <li>{@code requireOrigin}: {@code true} refuses requests without an Origin when an allowlist is set
 *       (default {@code false});</li>
 *   <li>{@code pingInterval}, {@code idleTimeout}, {@code upgradeTimeout}: seconds (defaults 15, 45, 10);</li>
 *   <li>{@code maxPendingUpgrades}: connections waiting for their upgrade at once (default 1024);</li>
 *   <li>{@code tlsCertificate} and {@code tlsPrivateKey}: PEM file paths; both turn wss on;</li>
 *   <li>{@code compression}: {@code true} accepts permessage-deflate (default {@code false});</li>
 *   <li>{@code staticResources}: a class path prefix served to GET and HEAD on other paths, such as
 *       {@code janus-demo/web}; {@code staticMaxBytes}: the largest file served (default 1 MiB);</li>
 *   <li>{@code backlog}: the accept backlog (default 1024).</li>
 * </ul>
 */
public final class WsTransportProvider extends TransportProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public WsTransportProvider() {
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
    public Transport newTransport(TransportConfig config) {
        Map<String, String> p = config.properties();
        WsTransport.Builder b = WsTransport.builder()
                .address(config.address())
                .backlog(config.intProperty("backlog", 1024))
                .path(p.getOrDefault("path", WsTransport.DEFAULT_PATH).trim())
                .allowedOrigins(p.get("allowedOrigins"))
                .requireOrigin(bool(p, "requireOrigin"))
                .pingInterval(Duration.ofSeconds(config.intProperty("pingInterval", 15)))
                .idleTimeout(Duration.ofSeconds(config.intProperty("idleTimeout", 45)))
                .upgradeTimeout(Duration.ofSeconds(config.intProperty("upgradeTimeout", 10)))
                .maxPendingUpgrades(config.intProperty("maxPendingUpgrades", 1024))
                .compression(bool(p, "compression"))
                .staticMaxBytes(config.intProperty("staticMaxBytes", 1024 * 1024));
        String staticResources = p.get("staticResources");
        if (staticResources != null && !staticResources.isBlank()) {
            b.staticResources(staticResources.trim());
        }
        String certificate = p.get("tlsCertificate");
        String key = p.get("tlsPrivateKey");
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("transport properties tlsCertificate and tlsPrivateKey: "
                    + "only one is set (expected: both PEM file paths, or neither)");
        }
        if (certificate != null) {
            b.tls(Path.of(certificate.trim()), Path.of(key.trim()));
        }
        return b.build();
    }

    static boolean bool(Map<String, String> properties, String key) {
        String value = properties.get(key);
        if (value == null || value.isBlank()) {
            return false;
        }
        String v = value.trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("transport property " + key + ": '" + value + "' (expected: true or false)");
    }
}
