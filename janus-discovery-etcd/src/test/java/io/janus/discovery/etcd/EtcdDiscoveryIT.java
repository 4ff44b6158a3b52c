package io.janus.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.janus.api.Reason;
import io.janus.core.Gateway;
import io.janus.core.RequestException;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.routing.InMemoryRouter;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.ServiceInstance;
import io.janus.transport.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** EtcdDiscovery against a real etcd process: registration, resolution, watches, leases, routing. */
class EtcdDiscoveryIT {

    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static EtcdServer etcd;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private String prefix;

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

    @org.junit.jupiter.api.BeforeEach
    void isolate(TestInfo info) {
        // Each test under its own prefix, so that tests sharing the server do not see each other.
        prefix = "/janus-test/" + info.getTestMethod().orElseThrow().getName() + "/";
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
    }

    private EtcdDiscovery discovery() {
        EtcdDiscovery d = EtcdDiscovery.builder().endpoints(etcd.endpoint()).prefix(prefix).ttl(TTL)
                .requestTimeout(Duration.ofSeconds(2)).build();
        closeAfter.add(d);
        return d;
    }

    private static ServiceInstance instance(String service, String id, Map<String, String> metadata) {
        return ServiceInstance.of(service, id, "10.0.0." + Math.abs(id.hashCode() % 250) + ":9000", metadata);
    }

    private static void join(java.util.concurrent.CompletionStage<?> stage) {
        stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    @Test
    void registeredInstanceIsResolvedWatchedAndWithdrawn() {
        EtcdDiscovery discovery = discovery();
        List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
        discovery.watch("room", seen::add);
        await().atMost(WAIT).until(() -> !seen.isEmpty());
        assertThat(seen.get(0)).isEmpty();

        ServiceInstance room1 = instance("room", "room-1", Map.of(ServiceInstance.COLOR, "blue",
                ServiceInstance.WEIGHT, "3"));
        join(discovery.register(room1));

        await().atMost(WAIT).until(() -> discovery.instances("room").equals(List.of(room1)));
        await().atMost(WAIT).until(() -> seen.get(seen.size() - 1).equals(List.of(room1)));
        assertThat(discovery.isHealthy()).isTrue();

        join(discovery.deregister(room1));
        await().atMost(WAIT).until(() -> discovery.instances("room").isEmpty());
        await().atMost(WAIT).until(() -> seen.get(seen.size() - 1).isEmpty());
        // Withdrawing what is not registered is not an error.
        join(discovery.deregister(room1));
    }

    @Test
    void twoDiscoveriesSeeEachOthersInstances() throws Exception {
        EtcdDiscovery a = discovery();
        EtcdDiscovery b = discovery();
        ServiceInstance fromA = instance("player", "a-1", Map.of());
        ServiceInstance fromB = instance("player", "b-1", Map.of(ServiceInstance.ZONE, "eu"));
        join(a.register(fromA));
        join(b.register(fromB));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.instances("player")).containsExactlyInAnyOrder(fromA, fromB);
            assertThat(b.instances("player")).containsExactlyInAnyOrder(fromA, fromB);
        });

        b.close();
        // close() has deleted b's key before returning, without waiting for its lease to expire.
        assertThat(count(prefix + "player/b-1")).isZero();
        assertThat(count(prefix + "player/a-1")).isEqualTo(1);
        await().atMost(WAIT).until(() -> a.instances("player").equals(List.of(fromA)));
    }

    @Test
    void deregisteringTheLastInstanceRevokesTheLease() throws Exception {
        EtcdDiscovery discovery = discovery();
        ServiceInstance first = instance("room", "first", Map.of());
        ServiceInstance second = instance("room", "second", Map.of());
        join(discovery.register(first));
        join(discovery.register(second));
        try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
            long lease = raw.getKVClient().get(bytes(prefix + "room/first")).get(5, TimeUnit.SECONDS)
                    .getKvs().get(0).getLease();
            assertThat(lease).isNotZero();
            assertThat(raw.getKVClient().get(bytes(prefix + "room/second")).get(5, TimeUnit.SECONDS)
                    .getKvs().get(0).getLease()).as("one lease shared by all registrations").isEqualTo(lease);

            join(discovery.deregister(first));
            assertThat(count(prefix + "room/first")).isZero();
            assertThat(ttlOf(raw, lease)).as("lease still used by 'second'").isPositive();

            join(discovery.deregister(second));
            assertThat(count(prefix + "room/second")).isZero();
            await().atMost(WAIT).until(() -> ttlOf(raw, lease) == -1);
        }
    }

    private static long ttlOf(Client raw, long lease) throws Exception {
        return raw.getLeaseClient().timeToLive(lease, io.etcd.jetcd.options.LeaseOption.DEFAULT)
                .get(5, TimeUnit.SECONDS).getTTL();
    }

    private static long count(String key) throws Exception {
        try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
            return raw.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getCount();
        }
    }

    @Test
    void instanceVanishesWithinTtlWhenItsProcessStopsRenewing() throws Exception {
        EtcdDiscovery observer = discovery();
        Client client = Client.builder().endpoints(etcd.endpoint()).build();
        EtcdDiscovery crashing = EtcdDiscovery.builder().client(client).prefix(prefix).ttl(TTL).build();
        closeAfter.add(crashing);
        closeAfter.add(client);
        ServiceInstance doomed = instance("room", "doomed", Map.of());
        join(crashing.register(doomed));
        await().atMost(WAIT).until(() -> observer.instances("room").equals(List.of(doomed)));

        // The registering side loses its connection for good without deregistering, as a crash would.
        client.close();
        long lost = System.nanoTime();
        // The lease expires at most one TTL after the last renewal; etcd checks for expired leases every
        // 500 ms and the watch then delivers the delete, hence the second of slack.
        await().atMost(TTL.plusSeconds(3)).until(() -> observer.instances("room").isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - lost)).isLessThan(TTL.plusSeconds(1));
    }

    @Test
    void reRegisteringReplacesTheValueUnderTheSameKey() {
        EtcdDiscovery discovery = discovery();
        ServiceInstance v1 = instance("room", "r", Map.of(ServiceInstance.VERSION, "1"));
        ServiceInstance v2 = instance("room", "r", Map.of(ServiceInstance.VERSION, "2"));
        join(discovery.register(v1));
        join(discovery.register(v2));
        await().atMost(WAIT).until(() -> discovery.instances("room").equals(List.of(v2)));
    }

    @Test
    void malformedValuesAreSkippedAndCounted() throws Exception {
        EtcdDiscovery discovery = discovery();
        ServiceInstance good = instance("room", "good", Map.of());
        join(discovery.register(good));
        await().atMost(WAIT).until(() -> discovery.instances("room").equals(List.of(good)));
        try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
            raw.getKVClient().put(bytes(prefix + "room/garbage"), bytes("{\"service\":")).get(5, TimeUnit.SECONDS);
            raw.getKVClient().put(bytes(prefix + "room/other"), ByteSequence.from(InstanceJson.encode(
                    instance("player", "other", Map.of())))).get(5, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> discovery.malformedValues() >= 2);
        assertThat(discovery.instances("room")).containsExactly(good);
        // A second discovery reading the same keys at start skips them the same way.
        EtcdDiscovery late = discovery();
        await().atMost(WAIT).until(() -> late.instances("room").equals(List.of(good)));
        assertThat(late.malformedValues()).isEqualTo(2);
    }

    @Test
    void instancesPerServiceAreCapped() throws Exception {
        EtcdDiscovery capped = EtcdDiscovery.builder().endpoints(etcd.endpoint()).prefix(prefix).ttl(TTL)
                .maxInstancesPerService(2).build();
        closeAfter.add(capped);
        EtcdDiscovery writer = discovery();
        for (int i = 0; i < 4; i++) {
            join(writer.register(instance("room", "r" + i, Map.of())));
        }
        await().atMost(WAIT).until(() -> capped.instances("room").size() == 2 && capped.droppedInstances() > 0);
        await().atMost(WAIT).until(() -> writer.instances("room").size() == 4);
        assertThat(capped.instances("room")).hasSize(2);
    }

    @Test
    void watchedServicesAreCapped() {
        EtcdDiscovery capped = EtcdDiscovery.builder().endpoints(etcd.endpoint()).prefix(prefix).ttl(TTL)
                .maxWatchedServices(1).build();
        closeAfter.add(capped);
        capped.watch("room", list -> { });
        assertThat(capped.instances("player")).isEmpty();
        assertThatThrownBy(() -> capped.watch("player", list -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxWatchedServices");
    }

    @Test
    void inMemoryRouterFiltersByColorAndFallsBackToTheDefaultColor() throws Exception {
        EtcdDiscovery registrar = discovery();
        EtcdDiscovery resolver = discovery();
        ServiceInstance blue = instance("room", "room-blue", Map.of(ServiceInstance.COLOR, "blue"));
        ServiceInstance plain = instance("room", "room-default", Map.of());
        join(registrar.register(blue));
        join(registrar.register(plain));

        ModuleRoutes routes = ModuleRoutes.builder().route(6, "room", ModuleRoutes.Key.PLAYER).build();
        try (InMemoryRouter router = new InMemoryRouter(resolver, routes)) {
            SessionInfo blueSession = session(1, "blue");
            SessionInfo redSession = session(2, "red");
            SessionInfo defaultSession = session(3, Identity.DEFAULT_COLOR);
            await().atMost(WAIT).untilAsserted(() -> {
                for (long obj = 0; obj < 20; obj++) {
                    assertThat(route(router, blueSession, obj)).isEqualTo(blue);
                }
                assertThat(route(router, redSession, 0)).isEqualTo(plain);
                assertThat(route(router, defaultSession, 0)).isEqualTo(plain);
            });

            // Without a default instance, a red session has nowhere to go, a blue one still does.
            join(registrar.deregister(plain));
            await().atMost(WAIT).until(() -> router.route(redSession, 6, 0).toCompletableFuture()
                    .isCompletedExceptionally());
            CompletableFuture<ServiceInstance> red = router.route(redSession, 6, 0).toCompletableFuture();
            assertThatThrownBy(red::join).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOfSatisfying(RequestException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE));
            assertThat(route(router, blueSession, 0)).isEqualTo(blue);
        }
    }

    @Test
    void gatewayBuiltWithTheEtcdProviderRoutesToInstancesRegisteredInEtcd() {
        ModuleRoutes routes = ModuleRoutes.builder().route(6, "room", ModuleRoutes.Key.OBJECT).build();
        Gateway gateway = Gateway.builder()
                .identity(GatewayIdentity.generate(SigningKey.generate(), "etcd-it", Duration.ofHours(1)))
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(request -> CompletableFuture.completedFuture(Identity.of(7)))
                .routes(routes)
                .discovery("etcd", Map.of("endpoints", etcd.endpoint(), "prefix", prefix, "ttl", "2"))
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        closeAfter.add(gateway);
        join(gateway.start());
        assertThat(gateway.unavailableServices()).containsExactly("room");
        assertThat(gateway.isReady()).isFalse();

        EtcdDiscovery elsewhere = discovery();
        ServiceInstance room = instance("room", "room-1", Map.of());
        join(elsewhere.register(room));
        await().atMost(WAIT).until(gateway::isReady);
        assertThat(gateway.unavailableServices()).isEmpty();

        join(elsewhere.deregister(room));
        await().atMost(WAIT).until(() -> gateway.unavailableServices().equals(List.of("room")));
    }

    private static ServiceInstance route(InMemoryRouter router, SessionInfo session, long obj) {
        return router.route(session, 6, obj).toCompletableFuture().join();
    }

    private static SessionInfo session(long playerId, String color) {
        return new SessionInfo(playerId, "gw", "tcp", "127.0.0.1:1", Identity.of(playerId, 0, color));
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
