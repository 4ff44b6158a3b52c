package io.janus.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.spi.Discovery;
import io.janus.core.spi.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link StaticDiscovery} and its provider: registration, watches and the configuration syntax. */
class StaticDiscoveryTest {

    private static ServiceInstance room(String id) {
        return ServiceInstance.of("room", id, "inproc:room", Map.of());
    }

    @Test
    void knowsItsInitialInstancesByService() {
        StaticDiscovery discovery = new StaticDiscovery(List.of(room("r-1"), room("r-2"),
                ServiceInstance.of("player", "p-1", "inproc:player", Map.of())));

        assertThat(discovery.instances("room")).extracting(ServiceInstance::id).containsExactly("r-1", "r-2");
        assertThat(discovery.instances("player")).extracting(ServiceInstance::id).containsExactly("p-1");
        assertThat(discovery.instances("chat")).isEmpty();
    }

    @Test
    void registeringAnExistingIdReplacesIt() {
        StaticDiscovery discovery = new StaticDiscovery(List.of(room("r-1")));
        ServiceInstance moved = ServiceInstance.of("room", "r-1", "10.0.0.9:9000", Map.of());

        discovery.register(moved);

        assertThat(discovery.instances("room")).containsExactly(moved);
    }

    @Test
    void deregisterRemovesByIdAndIgnoresUnknownInstances() {
        StaticDiscovery discovery = new StaticDiscovery(List.of(room("r-1"), room("r-2")));

        discovery.deregister(room("r-1"));
        discovery.deregister(room("r-9"));

        assertThat(discovery.instances("room")).extracting(ServiceInstance::id).containsExactly("r-2");
    }

    @Test
    void watchReceivesTheCurrentSnapshotThenEveryChangeUntilClosed() throws Exception {
        StaticDiscovery discovery = new StaticDiscovery(List.of(room("r-1")));
        List<List<String>> seen = new CopyOnWriteArrayList<>();

        AutoCloseable watch = discovery.watch("room",
                list -> seen.add(list.stream().map(ServiceInstance::id).toList()));
        discovery.register(room("r-2"));
        discovery.deregister(room("r-1"));
        discovery.register(ServiceInstance.of("player", "p-1", "inproc:player", Map.of()));
        watch.close();
        discovery.register(room("r-3"));

        assertThat(seen).containsExactly(List.of("r-1"), List.of("r-1", "r-2"), List.of("r-2"));
    }

    @Test
    void snapshotsAreImmutable() {
        StaticDiscovery discovery = new StaticDiscovery(List.of(room("r-1")));

        assertThatThrownBy(() -> discovery.instances("room").add(room("r-2")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void concurrentChangesReachWatchersInOrder() throws Exception {
        StaticDiscovery discovery = new StaticDiscovery();
        AtomicReference<List<String>> last = new AtomicReference<>();
        CountDownLatch firstChangeNotifying = new CountDownLatch(1);
        CountDownLatch secondChangeDone = new CountDownLatch(1);
        Thread first = new Thread(() -> discovery.register(room("r-1")), "first-change");
        discovery.watch("room", list -> {
            if (Thread.currentThread() == first) {
                // Stands for the first thread being preempted between its update and its notification.
                firstChangeNotifying.countDown();
                try {
                    secondChangeDone.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            last.set(list.stream().map(ServiceInstance::id).toList());
        });

        first.start();
        assertThat(firstChangeNotifying.await(5, TimeUnit.SECONDS)).isTrue();
        discovery.register(room("r-2"));
        secondChangeDone.countDown();
        first.join(5_000);

        assertThat(discovery.instances("room")).extracting(ServiceInstance::id).containsExactly("r-1", "r-2");
        assertThat(last.get()).as("the watcher's latest view").containsExactly("r-1", "r-2");
    }

    @Test
    void providerParsesIdAtAddressLists() {
        Discovery discovery = new StaticDiscoveryProvider()
                .newDiscovery(Map.of("room", "room-1@10.0.0.5:9000, room-2@10.0.0.6:9000"));

        assertThat(discovery.instances("room"))
                .extracting(ServiceInstance::id, ServiceInstance::address)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("room-1", "10.0.0.5:9000"),
                        org.assertj.core.groups.Tuple.tuple("room-2", "10.0.0.6:9000"));
    }

    @Test
    void providerRefusesAnEntryWithoutIdOrAddress() {
        StaticDiscoveryProvider provider = new StaticDiscoveryProvider();

        assertThatThrownBy(() -> provider.newDiscovery(Map.of("room", "@10.0.0.5:9000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("static discovery room: '@10.0.0.5:9000' (expected: id@address)");
        assertThatThrownBy(() -> provider.newDiscovery(Map.of("room", "room-1@")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> provider.newDiscovery(Map.of("room", "room-1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
