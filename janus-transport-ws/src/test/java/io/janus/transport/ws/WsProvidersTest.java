package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.spi.ClientTransportRegistry;
import io.janus.core.spi.TransportConfig;
import io.janus.core.spi.TransportRegistry;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ws} providers are found by name and read their properties, refusing bad values by name. */
class WsProvidersTest {

    private static TransportConfig config(Map<String, String> properties) {
        return TransportConfig.of(new InetSocketAddress(0), properties);
    }

    @Test
    void bothProvidersAreRegisteredUnderWs() {
        assertThat(TransportRegistry.getDefaultRegistry().getProvider("ws")).isInstanceOf(WsTransportProvider.class);
        assertThat(ClientTransportRegistry.getDefaultRegistry().getProvider("ws"))
                .isInstanceOf(WsClientTransportProvider.class);
    }

    @Test
    void serverPropertiesAreRead() {
        WsTransport t = (WsTransport) new WsTransportProvider().newTransport(config(Map.of(
                "path", "/play", "allowedOrigins", "https://*.example.com", "pingInterval", "5",
                "idleTimeout", "20", "compression", "true")));
        assertThat(t.name()).isEqualTo("ws");
        assertThat(t.path()).isEqualTo("/play");
        assertThat(t.isTls()).isFalse();
        assertThat(((WsTransport) new WsTransportProvider().newTransport(config(Map.of()))).path())
                .isEqualTo("/janus");
    }

    @Test
    void badServerPropertiesNameThemselves() {
        WsTransportProvider p = new WsTransportProvider();
        assertThatThrownBy(() -> p.newTransport(config(Map.of("path", "janus")))).hasMessageContaining("path");
        assertThatThrownBy(() -> p.newTransport(config(Map.of("allowedOrigins", "*"))))
                .hasMessageContaining("allowedOrigins");
        assertThatThrownBy(() -> p.newTransport(config(Map.of("compression", "yes"))))
                .hasMessageContaining("compression");
        assertThatThrownBy(() -> p.newTransport(config(Map.of("pingInterval", "0"))))
                .hasMessageContaining("pingInterval");
        assertThatThrownBy(() -> p.newTransport(config(Map.of("tlsCertificate", "/x.pem"))))
                .hasMessageContaining("tlsPrivateKey");
    }

    @Test
    void clientPropertiesAreRead() {
        WsClientTransport c = (WsClientTransport) new WsClientTransportProvider().newClientTransport(
                Map.of("path", "/play", "origin", "https://game.example.com"));
        assertThat(c.name()).isEqualTo("ws");
        assertThat(c.uri(new InetSocketAddress("127.0.0.1", 7001)).toString()).isEqualTo("ws://127.0.0.1:7001/play");
        WsClientTransport tls = (WsClientTransport) new WsClientTransportProvider().newClientTransport(
                Map.of("tls", "true"));
        assertThat(tls.uri(new InetSocketAddress("127.0.0.1", 443)).toString()).isEqualTo("wss://127.0.0.1:443/janus");
        assertThatThrownBy(() -> new WsClientTransportProvider().newClientTransport(Map.of("connectTimeoutMillis", "x")))
                .hasMessageContaining("connectTimeoutMillis");
    }
}
