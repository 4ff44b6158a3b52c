package io.janus.examples.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.ServiceInstance;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The zone router's choices, over a static discovery whose contents change during the test. */
class ZoneRouterTest {

    private static final ModuleRoutes ROUTES = ModuleRoutes.builder().defaultService("game").build();

    private static ServiceInstance instance(String id, String zone) {
        return ServiceInstance.of("game", id, "10.0.0.1:" + (9000 + id.length()), Map.of("zone", zone));
    }

    private static SessionInfo player(long playerId, int zone) {
        return new SessionInfo(playerId, "gw", "tcp", "127.0.0.1:1", Identity.of(playerId, zone, Identity.DEFAULT_COLOR));
    }

    private static String route(ZoneRouter router, long playerId, int zone) {
        return router.route(player(playerId, zone), 1, 0).toCompletableFuture().join().id();
    }

    @Test
    void playersOfAZoneSpreadOverItsInstancesAndStayOnTheirs() {
        StaticDiscovery discovery = new StaticDiscovery(List.of(instance("a", "1"), instance("b", "1"), instance("c", "2")));
        try (ZoneRouter router = new ZoneRouter(discovery, ROUTES, "zone")) {
            Set<String> used = new HashSet<>();
            for (long player = 1; player <= 10; player++) {
                String first = route(router, player, 1);
                assertThat(route(router, player, 1)).as("player %s is pinned", player).isEqualTo(first);
                assertThat(first).isIn("a", "b");
                used.add(first);
            }
            assertThat(used).as("both zone-1 instances serve players").containsExactlyInAnyOrder("a", "b");
            assertThat(route(router, 4, 2)).isEqualTo("c");
        }
    }

    @Test
    void followsDiscoveryChangesAndRefusesEmptyZones() {
        StaticDiscovery discovery = new StaticDiscovery(List.of(instance("a", "1")));
        try (ZoneRouter router = new ZoneRouter(discovery, ROUTES, "zone")) {
            assertThatThrownBy(() -> route(router, 1, 2))
                    .satisfies(e -> assertThat(JanusException.find(e).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE));

            discovery.register(instance("z2", "2")).toCompletableFuture().join();

            assertThat(route(router, 1, 2)).isEqualTo("z2");
        }
    }

    @Test
    void aModuleWithoutAServiceHasNoRoute() {
        try (ZoneRouter router = new ZoneRouter(new StaticDiscovery(), ModuleRoutes.builder().build(), "zone")) {
            assertThatThrownBy(() -> route(router, 1, 1))
                    .satisfies(e -> assertThat(JanusException.find(e).reason()).isEqualTo(Reason.NO_ROUTE));
        }
    }
}
