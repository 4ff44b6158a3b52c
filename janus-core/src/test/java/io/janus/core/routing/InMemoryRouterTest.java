package io.janus.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.janus.api.Reason;
import io.janus.core.RequestException;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.ServiceInstance;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link InMemoryRouter} over a {@link StaticDiscovery}: module rules, keys, colors and live changes. */
class InMemoryRouterTest {

    private static final int ROOM_MODULE = 6;
    private static final int BAG_MODULE = 3;

    private final StaticDiscovery discovery = new StaticDiscovery();
    private InMemoryRouter router;

    @AfterEach
    void close() {
        if (router != null) {
            router.close();
        }
        discovery.close();
    }

    private static SessionInfo session(long player) {
        return session(player, Identity.DEFAULT_COLOR);
    }

    private static SessionInfo session(long player, String color) {
        return new SessionInfo(player, "gw", "tcp", "127.0.0.1:1", Identity.of(player, 0, color));
    }

    private static ServiceInstance instance(String service, String id) {
        return ServiceInstance.of(service, id, "inproc:" + service, Map.of());
    }

    private static ServiceInstance colored(String service, String id, String color) {
        return ServiceInstance.of(service, id, "inproc:" + service, Map.of(ServiceInstance.COLOR, color));
    }

    private InMemoryRouter newRouter(ModuleRoutes routes) {
        router = new InMemoryRouter(discovery, routes);
        return router;
    }

    private static ServiceInstance routed(CompletionStage<ServiceInstance> stage) {
        return stage.toCompletableFuture().join();
    }

    private static RequestException failure(CompletionStage<ServiceInstance> stage) {
        Throwable thrown = catchThrowable(() -> stage.toCompletableFuture().join());
        assertThat(thrown).as("routing should have failed").isInstanceOf(CompletionException.class);
        assertThat(thrown.getCause()).isInstanceOf(RequestException.class);
        return (RequestException) thrown.getCause();
    }

    @Test
    void moduleWithoutRuleAndWithoutDefaultHasNoRoute() {
        discovery.register(instance("room", "room-1"));
        InMemoryRouter router = newRouter(ModuleRoutes.builder()
                .route(ROOM_MODULE, "room", ModuleRoutes.Key.OBJECT)
                .build());

        RequestException e = failure(router.route(session(1), BAG_MODULE, 0));

        assertThat(e.reason()).isEqualTo(Reason.NO_ROUTE);
        assertThat(e.getMessage()).contains("module " + BAG_MODULE);
    }

    @Test
    void moduleWithoutRuleGoesToTheDefaultService() {
        ServiceInstance player = instance("player", "player-1");
        discovery.register(player);
        discovery.register(instance("room", "room-1"));
        InMemoryRouter router = newRouter(ModuleRoutes.builder()
                .route(ROOM_MODULE, "room", ModuleRoutes.Key.OBJECT)
                .defaultService("player")
                .build());

        assertThat(routed(router.route(session(1), BAG_MODULE, 0))).isEqualTo(player);
    }

    @Test
    void serviceWithoutLiveInstanceIsUnavailable() {
        discovery.register(instance("room", "room-1"));
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());

        RequestException e = failure(router.route(session(1), BAG_MODULE, 0));

        assertThat(e.reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
        assertThat(e.getMessage()).contains("'player'");
    }

    @Test
    void playerKeyRoutesByPlayerIdWhateverTheObject() {
        List<ServiceInstance> players = List.of(
                instance("player", "p-1"), instance("player", "p-2"), instance("player", "p-3"));
        players.forEach(discovery::register);
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());
        HashRing ring = HashRing.of(players);

        for (long player = 1; player <= 200; player++) {
            ServiceInstance first = routed(router.route(session(player), BAG_MODULE, 0));
            assertThat(first).isEqualTo(ring.pick(player));
            assertThat(routed(router.route(session(player), BAG_MODULE, 777_000 + player))).isEqualTo(first);
        }
    }

    @Test
    void objectKeyRoutesByObjWhateverThePlayer() {
        List<ServiceInstance> rooms = List.of(
                instance("room", "r-1"), instance("room", "r-2"), instance("room", "r-3"));
        rooms.forEach(discovery::register);
        InMemoryRouter router = newRouter(ModuleRoutes.builder()
                .route(ROOM_MODULE, "room", ModuleRoutes.Key.OBJECT)
                .build());
        HashRing ring = HashRing.of(rooms);

        Set<String> used = new HashSet<>();
        for (long room = 1; room <= 200; room++) {
            ServiceInstance forAlice = routed(router.route(session(11), ROOM_MODULE, room));
            ServiceInstance forBob = routed(router.route(session(22), ROOM_MODULE, room));
            assertThat(forAlice).isEqualTo(ring.pick(room)).isEqualTo(forBob);
            used.add(forAlice.id());
        }
        assertThat(used).as("rooms spread over the instances").hasSize(3);
    }

    @Test
    void coloredPlayersGoToInstancesOfTheirColor() {
        discovery.register(instance("player", "p-1"));
        discovery.register(instance("player", "p-2"));
        ServiceInstance canary = colored("player", "p-canary", "canary");
        discovery.register(canary);
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());

        for (long player = 1; player <= 100; player++) {
            assertThat(routed(router.route(session(player, "canary"), BAG_MODULE, 0))).isEqualTo(canary);
            assertThat(routed(router.route(session(player), BAG_MODULE, 0)).color())
                    .as("default players never reach canary instances")
                    .isEqualTo(Identity.DEFAULT_COLOR);
        }
    }

    @Test
    void colorWithoutInstancesFallsBackToDefaultColor() {
        discovery.register(instance("player", "p-1"));
        discovery.register(colored("player", "p-canary", "canary"));
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());

        for (long player = 1; player <= 100; player++) {
            assertThat(routed(router.route(session(player, "blue"), BAG_MODULE, 0)).id()).isEqualTo("p-1");
        }
    }

    @Test
    void coloredPlayersFallBackWhenTheirLastInstanceLeaves() {
        ServiceInstance canary = colored("player", "p-canary", "canary");
        discovery.register(instance("player", "p-1"));
        discovery.register(canary);
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());
        assertThat(routed(router.route(session(7, "canary"), BAG_MODULE, 0))).isEqualTo(canary);

        discovery.deregister(canary);

        assertThat(routed(router.route(session(7, "canary"), BAG_MODULE, 0)).id()).isEqualTo("p-1");
    }

    @Test
    void defaultPlayersAreUnavailableWhenOnlyColoredInstancesRun() {
        discovery.register(colored("player", "p-canary", "canary"));
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());

        assertThat(failure(router.route(session(1), BAG_MODULE, 0)).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
    }

    @Test
    void followsDiscoveryChanges() {
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());
        SessionInfo session = session(42);
        assertThat(failure(router.route(session, BAG_MODULE, 0)).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);

        ServiceInstance first = instance("player", "p-1");
        discovery.register(first);
        assertThat(routed(router.route(session, BAG_MODULE, 0))).isEqualTo(first);

        ServiceInstance second = instance("player", "p-2");
        discovery.register(second);
        discovery.deregister(first);
        assertThat(routed(router.route(session, BAG_MODULE, 0))).isEqualTo(second);

        discovery.deregister(second);
        assertThat(failure(router.route(session, BAG_MODULE, 0)).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
    }

    @Test
    void stopsFollowingDiscoveryOnceClosed() {
        InMemoryRouter router = newRouter(ModuleRoutes.builder().defaultService("player").build());

        router.close();
        discovery.register(instance("player", "p-1"));

        assertThat(failure(router.route(session(1), BAG_MODULE, 0)).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
    }

    @Test
    void moduleRoutesRefuseTheSystemModule() {
        assertThatThrownBy(() -> ModuleRoutes.builder().route(0, "player", ModuleRoutes.Key.PLAYER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("module: 0 (expected: > 0");
    }
}
