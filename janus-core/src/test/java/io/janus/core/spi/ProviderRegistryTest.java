package io.janus.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.discovery.StaticDiscoveryProvider;
import io.janus.core.routing.InMemoryRouterProvider;
import io.janus.core.spi.FakeTransportProviders.Alpha;
import io.janus.core.spi.FakeTransportProviders.AlphaPreferred;
import io.janus.core.spi.FakeTransportProviders.Bravo;
import io.janus.core.spi.FakeTransportProviders.High;
import io.janus.core.spi.FakeTransportProviders.Low;
import io.janus.core.tunnel.InProcessTunnelProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The provider registries: discovery from {@code META-INF/services} (fake files on a test class loader,
 * model grpc-java {@code ServiceProvidersTest}), deterministic ordering, skipping of providers that cannot
 * work, selection by name and priority, registration by hand and the messages given when a provider is
 * missing.
 */
class ProviderRegistryTest {

    private static final String FAKE_TRANSPORTS =
            "fake-services/META-INF/services/io.janus.core.spi.TransportProvider";

    private static TransportRegistry fakeRegistry() {
        return TransportRegistry.loadFrom(FakeServicesClassLoader.with(TransportProvider.class, FAKE_TRANSPORTS));
    }

    private static List<Class<?>> classes(ProviderRegistry<?> registry) {
        return registry.providers().stream().<Class<?>>map(Object::getClass).toList();
    }

    @Test
    void loadsProvidersListedInServiceFilesOrderedByPriorityThenClassName() {
        TransportRegistry registry = fakeRegistry();

        // Listed out of order in the file; Alpha and Bravo tie on priority and sort by class name.
        assertThat(classes(registry))
                .containsExactly(High.class, AlphaPreferred.class, Alpha.class, Bravo.class, Low.class);
    }

    @Test
    void orderIsTheSameOnEveryLoad() {
        assertThat(classes(fakeRegistry())).isEqualTo(classes(fakeRegistry()));
    }

    @Test
    void skipsUnavailableThrowingAndUninstantiableProviders() {
        TransportRegistry registry = fakeRegistry();

        assertThat(registry.providers()).extracting(JanusProvider::name)
                .doesNotContain("unavailable", "throwing", "broken");
        assertThatThrownBy(() -> registry.getProvider("unavailable"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> registry.getProvider("throwing"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void seesOnlyTheServiceFilesOfTheGivenClassLoader() {
        TransportRegistry registry = TransportRegistry.loadFrom(FakeServicesClassLoader.withoutServices());

        assertThat(registry.providers()).isEmpty();
    }

    @Test
    void selectWithoutNamePicksHighestPriority() {
        TransportRegistry registry = fakeRegistry();

        assertThat(registry.select(null)).isInstanceOf(High.class);
        assertThat(registry.getDefaultProvider()).isInstanceOf(High.class);
    }

    @Test
    void explicitNameBeatsPriority() {
        TransportRegistry registry = fakeRegistry();

        assertThat(registry.select("low")).isInstanceOf(Low.class);
        assertThat(registry.getProvider("bravo")).isInstanceOf(Bravo.class);
    }

    @Test
    void amongProvidersOfOneNameTheHighestPriorityWins() {
        assertThat(fakeRegistry().getProvider("alpha")).isInstanceOf(AlphaPreferred.class);
    }

    @Test
    void missingWellKnownProviderNamesTheArtifactToAdd() {
        TransportRegistry registry = fakeRegistry();

        assertThatThrownBy(() -> registry.getProvider("kcp"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No transport provider named 'kcp'")
                .hasMessageContaining("io.janus:janus-transport-kcp")
                .hasMessageContaining("alpha")
                .hasMessageContaining("high");
    }

    @Test
    void missingUnknownProviderNamesTheServiceFileToList() {
        TransportRegistry registry = fakeRegistry();

        assertThatThrownBy(() -> registry.select("quic"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'quic'")
                .hasMessageContaining("META-INF/services/io.janus.core.spi.TransportProvider");
    }

    @Test
    void emptyRegistryHasNoDefaultAndSaysWhichArtifactProvidesOne() {
        TransportRegistry registry = TransportRegistry.loadFrom(FakeServicesClassLoader.withoutServices());

        assertThatThrownBy(registry::getDefaultProvider)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No transport provider is available")
                .hasMessageContaining("io.janus:janus-transport-kcp");
        assertThatThrownBy(() -> registry.select(null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void registerAddsHandBuiltProviderInPriorityOrderAndDeregisterRemovesIt() {
        TransportRegistry registry = fakeRegistry();
        TransportProvider top = new FakeTransportProviders.Fake("custom", 10) { };
        TransportProvider bottom = new FakeTransportProviders.Fake("custom-low", 0) { };

        registry.register(top);
        registry.register(bottom);

        assertThat(registry.providers()).first().isSameAs(top);
        assertThat(registry.providers()).last().isSameAs(bottom);
        assertThat(registry.select(null)).isSameAs(top);
        assertThat(registry.getProvider("custom-low")).isSameAs(bottom);

        registry.deregister(top);
        registry.deregister(bottom);

        assertThat(registry.providers()).doesNotContain(top, bottom);
        assertThat(registry.select(null)).isInstanceOf(High.class);
        assertThatThrownBy(() -> registry.getProvider("custom")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void registeringTheSameProviderTwiceKeepsOneEntry() {
        TransportRegistry registry = TransportRegistry.loadFrom(FakeServicesClassLoader.withoutServices());
        TransportProvider provider = new Alpha();

        registry.register(provider);
        registry.register(provider);

        assertThat(registry.providers()).containsExactly(provider);
    }

    @Test
    void deregisteringAnUnknownProviderIsIgnored() {
        TransportRegistry registry = fakeRegistry();
        List<TransportProvider> before = registry.providers();

        registry.deregister(new Alpha());

        assertThat(registry.providers()).isEqualTo(before);
    }

    @Test
    void registerRefusesAnUnavailableProvider() {
        TransportRegistry registry = fakeRegistry();

        assertThatThrownBy(() -> registry.register(new FakeTransportProviders.Unavailable()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not available");
        assertThatThrownBy(() -> registry.register(new FakeTransportProviders.Throwing()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.providers()).extracting(JanusProvider::name)
                .doesNotContain("unavailable", "throwing");
    }

    @Test
    void providersIsAnImmutableSnapshotUnchangedByLaterRegistrations() {
        TransportRegistry registry = fakeRegistry();
        List<TransportProvider> snapshot = registry.providers();

        registry.register(new FakeTransportProviders.Fake("late", 10) { });

        assertThat(snapshot).hasSize(5).extracting(JanusProvider::name).doesNotContain("late");
        assertThatThrownBy(() -> snapshot.add(new Alpha())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void registriesLoadedFromALoaderAreIndependentOfEachOther() {
        TransportRegistry one = fakeRegistry();
        TransportRegistry two = fakeRegistry();

        one.register(new FakeTransportProviders.Fake("only-in-one", 10) { });

        assertThat(two.providers()).extracting(JanusProvider::name).doesNotContain("only-in-one");
    }

    @Test
    void defaultRegistriesFindTheCoreDefaultsFromTheRealServiceFiles() {
        assertThat(RouterRegistry.getDefaultRegistry().getProvider("memory"))
                .isInstanceOf(InMemoryRouterProvider.class);
        assertThat(TunnelRegistry.getDefaultRegistry().getProvider("inprocess"))
                .isInstanceOf(InProcessTunnelProvider.class);
        assertThat(DiscoveryRegistry.getDefaultRegistry().getProvider("static"))
                .isInstanceOf(StaticDiscoveryProvider.class);
    }

    @Test
    void defaultRegistryIsLoadedOnceAndShared() {
        assertThat(RouterRegistry.getDefaultRegistry()).isSameAs(RouterRegistry.getDefaultRegistry());
        assertThat(TunnelRegistry.getDefaultRegistry()).isSameAs(TunnelRegistry.getDefaultRegistry());
        assertThat(DiscoveryRegistry.getDefaultRegistry()).isSameAs(DiscoveryRegistry.getDefaultRegistry());
    }

    @Test
    void missingEtcdAndRedisNameTheirModules() {
        assertThatThrownBy(() -> DiscoveryRegistry.getDefaultRegistry().getProvider("etcd"))
                .hasMessageContaining("io.janus:janus-discovery-etcd")
                .hasMessageContaining("static");
        assertThatThrownBy(() -> RouterRegistry.getDefaultRegistry().getProvider("redis"))
                .hasMessageContaining("io.janus:janus-route-redis")
                .hasMessageContaining("memory");
    }
}
