package io.janus.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.spi.DiscoveryRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider's registration and its property checks (no etcd needed: every case fails before connecting). */
class EtcdDiscoveryProviderTest {

    private final EtcdDiscoveryProvider provider = new EtcdDiscoveryProvider();

    @Test
    void isFoundByTheDefaultRegistryUnderItsName() {
        assertThat(DiscoveryRegistry.getDefaultRegistry().getProvider("etcd")).isInstanceOf(EtcdDiscoveryProvider.class);
        assertThat(provider.isAvailable()).isTrue();
    }

    @Test
    void requiresEndpoints() {
        assertThatThrownBy(() -> provider.newDiscovery(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'endpoints' is required");
    }

    @Test
    void refusesUnknownProperties() {
        assertThatThrownBy(() -> provider.newDiscovery(Map.of("endpoints", "http://127.0.0.1:2379", "tll", "5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown property 'tll'");
    }

    @Test
    void refusesMalformedValues() {
        assertThatThrownBy(() -> provider.newDiscovery(Map.of("endpoints", "127.0.0.1:2379")))
                .hasMessageContaining("expected: http://host:port");
        assertThatThrownBy(() -> provider.newDiscovery(Map.of("endpoints", "http://127.0.0.1:2379", "ttl", "soon")))
                .hasMessageContaining("'ttl' is 'soon'");
        assertThatThrownBy(() -> provider.newDiscovery(Map.of("endpoints", "http://127.0.0.1:2379", "ttl", "1")))
                .hasMessageContaining(">= 2");
        assertThatThrownBy(() -> provider.newDiscovery(Map.of("endpoints", "http://127.0.0.1:2379",
                "maxWatchedServices", "-3"))).hasMessageContaining("positive integer");
    }

    @Test
    void builderChecksItsArguments() {
        assertThatThrownBy(() -> EtcdDiscovery.builder().ttl(Duration.ofMillis(2500))).hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> EtcdDiscovery.builder().requestTimeout(Duration.ZERO)).hasMessageContaining("> 0");
        assertThatThrownBy(() -> EtcdDiscovery.builder().prefix("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> EtcdDiscovery.builder().build()).hasMessageContaining("no etcd endpoint");
    }
}
