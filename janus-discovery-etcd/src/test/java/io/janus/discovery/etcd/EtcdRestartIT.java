package io.janus.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.janus.core.spi.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EtcdDiscovery through outages: etcd killed with SIGKILL and started again, with its data kept and with
 * its data lost, and one client cut off from an etcd that keeps running. The snapshot keeps serving during
 * the outage, the health flag says it is stale, and the registrations come back on their own within one
 * TTL of etcd's return.
 */
class EtcdRestartIT {

    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static EtcdServer etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdServer.start();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static EtcdDiscovery discovery(String prefix) {
        return EtcdDiscovery.builder().endpoints(etcd.endpoint()).prefix(prefix).ttl(TTL)
                .requestTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void registrationsSurviveARestartWithDataKept() throws Exception {
        survive("/restart-kept/", false);
    }

    @Test
    void registrationsComeBackAfterARestartWithDataLost() throws Exception {
        survive("/restart-wiped/", true);
    }

    @Test
    void aPartitionedClientLosesItsLeaseThenRegistersAgainAndCatchesUpWithWhatItMissed() throws Exception {
        etcd.ensureRunning();
        String prefix = "/partition/";
        ServiceInstance behind = ServiceInstance.of("room", "behind-proxy", "10.0.0.8:9000", Map.of());
        ServiceInstance direct = ServiceInstance.of("room", "direct", "10.0.0.9:9000", Map.of());
        ServiceInstance later = ServiceInstance.of("room", "later", "10.0.0.10:9000", Map.of());
        try (TcpProxy proxy = new TcpProxy(etcd.clientPort());
                EtcdDiscovery observer = discovery(prefix);
                EtcdDiscovery cutOff = EtcdDiscovery.builder().endpoints(proxy.endpoint()).prefix(prefix).ttl(TTL)
                        .requestTimeout(Duration.ofSeconds(2)).build();
                Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
            cutOff.register(behind).toCompletableFuture().get(10, TimeUnit.SECONDS);
            observer.register(direct).toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> Set.copyOf(observer.instances("room")).equals(Set.of(behind, direct))
                    && Set.copyOf(cutOff.instances("room")).equals(Set.of(behind, direct)));

            proxy.cut();
            // Unable to renew, the cut-off side's lease expires and the others see its instance go.
            await().atMost(TTL.plusSeconds(3)).until(() -> observer.instances("room").equals(List.of(direct)));
            // Meanwhile the service changes and etcd compacts the history the cut-off side has not seen.
            observer.deregister(direct).toCompletableFuture().get(10, TimeUnit.SECONDS);
            observer.register(later).toCompletableFuture().get(10, TimeUnit.SECONDS);
            long revision = raw.getKVClient().get(EtcdDiscovery.bytes(prefix)).get(5, TimeUnit.SECONDS)
                    .getHeader().getRevision();
            raw.getKVClient().compact(revision).get(5, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> !cutOff.isHealthy());
            assertThat(Set.copyOf(cutOff.instances("room"))).as("stale snapshot kept").isEqualTo(Set.of(behind, direct));

            proxy.restore();
            long back = System.nanoTime();
            await().atMost(TTL.plusSeconds(3)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Set.copyOf(observer.instances("room")).equals(Set.of(later, behind)));
            assertThat(Duration.ofNanos(System.nanoTime() - back)).as("registered again within one TTL").isLessThan(TTL);
            await().atMost(WAIT).until(() -> cutOff.isHealthy()
                    && Set.copyOf(cutOff.instances("room")).equals(Set.of(later, behind)));
        }
    }

    private void survive(String prefix, boolean wipe) throws Exception {
        etcd.ensureRunning();
        ServiceInstance room = ServiceInstance.of("room", "room-1", "10.0.0.5:9000", Map.of());
        ServiceInstance player = ServiceInstance.of("player", "player-1", "10.0.0.6:9000",
                Map.of(ServiceInstance.COLOR, "blue"));
        try (EtcdDiscovery registrar = discovery(prefix); EtcdDiscovery resolver = discovery(prefix)) {
            registrar.register(room).toCompletableFuture().get(10, TimeUnit.SECONDS);
            registrar.register(player).toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> resolver.instances("room").equals(List.of(room))
                    && resolver.instances("player").equals(List.of(player)) && resolver.isHealthy());

            etcd.kill9();
            await().atMost(WAIT).until(() -> !resolver.isHealthy());
            // Down for longer than the TTL: the snapshot still answers, unchanged.
            long downUntil = System.nanoTime() + TTL.plusMillis(500).toNanos();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                long start = System.nanoTime();
                List<ServiceInstance> rooms = resolver.instances("room");
                List<ServiceInstance> players = resolver.instances("player");
                // A lookup reads memory only: far below the 2 s a call to the dead etcd would wait (the
                // margin absorbs GC pauses on a busy machine).
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
                assertThat(rooms).containsExactly(room);
                assertThat(players).containsExactly(player);
                return System.nanoTime() > downUntil;
            });
            assertThat(resolver.isHealthy()).isFalse();

            etcd.restart(wipe);
            long back = System.nanoTime();
            // A third discovery that starts afresh reads the keys from etcd itself, not from any snapshot.
            try (EtcdDiscovery fresh = discovery(prefix)) {
                await().atMost(TTL.plusSeconds(3)).pollInterval(Duration.ofMillis(50))
                        .until(() -> fresh.instances("room").equals(List.of(room))
                                && fresh.instances("player").equals(List.of(player)));
                Duration took = Duration.ofNanos(System.nanoTime() - back);
                System.out.println("registrations visible " + took.toMillis() + " ms after etcd served again");
                assertThat(took).as("back within one TTL").isLessThan(TTL);
            }
            await().atMost(WAIT).until(resolver::isHealthy);
            assertThat(resolver.instances("room")).containsExactly(room);

            // The resolver's watch works again: a change after the restart reaches it.
            ServiceInstance room2 = ServiceInstance.of("room", "room-2", "10.0.0.7:9000", Map.of());
            registrar.register(room2).toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> resolver.instances("room").size() == 2);
        }
    }
}
