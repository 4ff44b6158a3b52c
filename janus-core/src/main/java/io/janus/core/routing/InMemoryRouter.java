package io.janus.core.routing;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.RequestException;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.Identity;
import io.janus.core.spi.Router;
import io.janus.core.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link Router}: looks up the module's service in {@link ModuleRoutes} and picks an
 * instance by consistent hashing of the player id (or object id) over the live instances that
 * {@link Discovery} reports. Players of a release color go to instances of that color; when the
 * service has none, to instances of the default color.
 *
 * <p>Keeps one ring per service and color, rebuilt on every discovery change, so a lookup is a map read
 * and a binary search, without I/O. Needs no server.
 */
public final class InMemoryRouter implements Router {

    /** The rings of one service: by color, plus the default color's ring. */
    private static final class Rings {
        final Map<String, HashRing> byColor;
        final HashRing fallback;

        Rings(List<ServiceInstance> instances) {
            Map<String, List<ServiceInstance>> grouped = new HashMap<>();
            for (ServiceInstance instance : instances) {
                grouped.computeIfAbsent(instance.color(), c -> new ArrayList<>()).add(instance);
            }
            Map<String, HashRing> rings = new HashMap<>();
            grouped.forEach((color, list) -> rings.put(color, HashRing.of(list)));
            this.byColor = Map.copyOf(rings);
            this.fallback = byColor.getOrDefault(Identity.DEFAULT_COLOR, HashRing.of(List.of()));
        }

        HashRing forColor(String color) {
            HashRing ring = byColor.get(color);
            return ring != null && !ring.isEmpty() ? ring : fallback;
        }
    }

    private final ModuleRoutes routes;
    private final InstanceHealth health;
    private final Map<String, Rings> rings = new ConcurrentHashMap<>();
    private final List<AutoCloseable> watches = new ArrayList<>();

    /**
     * Creates a router and starts watching every service the table names.
     *
     * @param discovery where instances are found; not closed by the router
     * @param routes the module table
     */
    public InMemoryRouter(Discovery discovery, ModuleRoutes routes) {
        this(discovery, routes, new InstanceHealth());
    }

    /**
     * Creates a router that avoids instances the tunnel reported failing.
     *
     * @param discovery where instances are found; not closed by the router
     * @param routes the module table
     * @param health failures the tunnel reported
     */
    public InMemoryRouter(Discovery discovery, ModuleRoutes routes, InstanceHealth health) {
        requireNonNull(discovery, "discovery");
        this.routes = requireNonNull(routes, "routes");
        this.health = requireNonNull(health, "health");
        for (String service : routes.services()) {
            rings.put(service, new Rings(List.of()));
            watches.add(discovery.watch(service, instances -> rings.put(service, new Rings(instances))));
        }
    }

    @Override
    public CompletionStage<ServiceInstance> route(SessionInfo session, int module, long obj) {
        ModuleRoutes.Rule rule = routes.find(module);
        if (rule == null) {
            return CompletableFuture.failedFuture(
                    RequestException.of(Reason.NO_ROUTE, "no service is configured for module " + module));
        }
        Rings serviceRings = rings.get(rule.service());
        long key = rule.key() == ModuleRoutes.Key.PLAYER ? session.playerId() : obj;
        ServiceInstance instance = serviceRings.forColor(session.identity().color()).pick(key, health::isUsable);
        if (instance == null) {
            return CompletableFuture.failedFuture(RequestException.of(Reason.SERVICE_UNAVAILABLE,
                    "service '" + rule.service() + "' has no live instance"));
        }
        return CompletableFuture.completedFuture(instance);
    }

    @Override
    public void close() {
        for (AutoCloseable watch : watches) {
            try {
                watch.close();
            } catch (Exception e) {
                // A watch handle of the static discovery cannot fail; others are best effort on close.
            }
        }
        watches.clear();
    }
}
