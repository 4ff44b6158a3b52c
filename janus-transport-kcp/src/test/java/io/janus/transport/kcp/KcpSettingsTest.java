package io.janus.transport.kcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.spi.ClientTransportProvider;
import io.janus.core.spi.TransportConfig;
import io.janus.core.spi.TransportProvider;
import io.janus.transport.kcp.protocol.Kcp;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Transport properties map to kcptun's settings, bad values are refused by name, providers are found. */
class KcpSettingsTest {

    @Test
    void defaultsAreKcptunsForEachSide() {
        KcpSettings server = KcpSettings.fromProperties(Map.of(), true);
        KcpSettings client = KcpSettings.fromProperties(Map.of(), false);

        assertThat(server.mode()).isEqualTo(KcpSettings.Mode.FAST);
        assertThat(server.mtu()).isEqualTo(1350);
        assertThat(server.sndwnd()).isEqualTo(1024);
        assertThat(server.rcvwnd()).isEqualTo(1024);
        assertThat(client.sndwnd()).isEqualTo(128);
        assertThat(client.rcvwnd()).isEqualTo(512);
        assertThat(server.packetConfig()).isNull();
        assertThat(server.smux()).isEqualTo(KcpSettings.SMUX_OFF);
        assertThat(server.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(server.amplificationFactor()).isEqualTo(1);
    }

    @Test
    void kcptunFlagsCarryOver() {
        KcpSettings s = KcpSettings.fromProperties(Map.of("mode", "fast3", "mtu", "1200", "sndwnd", "64",
                "rcvwnd", "256", "crypt", "none", "dataShards", "10", "parityShards", "3", "smux", "auto",
                "idleTimeout", "5000"), true);

        assertThat(s.mode()).isEqualTo(KcpSettings.Mode.FAST3);
        assertThat(s.packetConfig().packetHeader()).isTrue();
        assertThat(s.packetConfig().dataShards()).isEqualTo(10);
        assertThat(s.packetConfig().parityShards()).isEqualTo(3);
        assertThat(s.smux()).isEqualTo(KcpSettings.SMUX_AUTO);
        // The bound holds with kcp-go's layers too: see KcpSession's held-back acknowledgements.
        assertThat(s.amplificationFactor()).isEqualTo(1);
        Kcp kcp = s.apply(new Kcp(1, (d, k) -> d.release(), UnpooledByteBufAllocator.DEFAULT));
        // The datagram stays within the MTU: kcp-go's header and the FEC header come out of it.
        assertThat(kcp.mtu()).isEqualTo(1200 - s.packetConfig().overhead());
        assertThat(kcp.interval()).isEqualTo(10);
        assertThat(kcp.sndWnd()).isEqualTo(64);
        assertThat(kcp.rcvWnd()).isEqualTo(256);
        kcp.close();
    }

    @Test
    void badValuesAreRefusedByName() {
        assertThatThrownBy(() -> KcpSettings.fromProperties(Map.of("mode", "turbo"), true))
                .hasMessageContaining("mode: 'turbo'");
        assertThatThrownBy(() -> KcpSettings.fromProperties(Map.of("crypt", "aes"), true))
                .hasMessageContaining("crypt: 'aes'");
        assertThatThrownBy(() -> KcpSettings.fromProperties(Map.of("smux", "3"), true))
                .hasMessageContaining("smux: '3'");
        assertThatThrownBy(() -> KcpSettings.fromProperties(Map.of("smux", "auto"), false))
                .hasMessageContaining("on a client");
        assertThatThrownBy(() -> KcpSettings.fromProperties(Map.of("mtu", "x"), true))
                .hasMessageContaining("mtu: 'x'");
        assertThatThrownBy(() -> KcpSettings.fromProperties(Map.of("sndwnd", "0"), true))
                .hasMessageContaining("sndwnd: 0");
    }

    @Test
    void providersAreRegisteredUnderKcp() {
        assertThat(ServiceLoader.load(TransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("kcp")).findFirst()).get()
                .satisfies(p -> assertThat(p.newTransport(TransportConfig.of(new InetSocketAddress(0),
                        Map.of("smux", "auto")))).isInstanceOf(KcpTransport.class));
        assertThat(ServiceLoader.load(ClientTransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("kcp")).findFirst()).get()
                .satisfies(p -> assertThat(p.newClientTransport(Map.of())).isInstanceOf(KcpClientTransport.class));
    }
}
