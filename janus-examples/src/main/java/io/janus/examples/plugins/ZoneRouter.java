package io.janus.examples.plugins;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.RequestException;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.Router;
import io.janus.core.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Router} that pins each player to the game-service instances of the player's zone (the
 * {@code zone} of the {@link io.janus.core.spi.Identity} the authenticator returned), as games with
 * one server per zone (shard, realm) need: a zone-3 player always reaches a zone-3 instance, whatever
 * the load. An instance says its zone in its discovery metadata (registry.yaml:
 * {@code metadata: {zone: 3}}); when a zone has several instances, the player id picks one, stably.
 * A zone without a live instance gets {@link Reason#SERVICE_UNAVAILABLE}, a module without a service
 * {@link Reason#NO_ROUTE}.
 *
 * <p>Answers from memory: one table per service, rebuilt on every discovery change, so a route is two
 * map reads. Its size is bounded by the instances discovery holds. Thread-safe.
 */
public final class ZoneRouter implements Router {

    private final ModuleRoutes routes;
    private final String metadataKey;
    private final Map<String, Map<String, List<ServiceInstance>>> byService = new ConcurrentHashMap<>();
    private final List<AutoCloseable> watches = new ArrayList<>();

    /**
     * Creates a router watching every service the module table names.
     *
     * @param discovery where instances are found; not closed by the router
     * @param routes the module table
     * @param metadataKey the metadata key holding an instance's zone
     */
    public ZoneRouter(Discovery discovery, ModuleRoutes routes, String metadataKey) {
        requireNonNull(discovery, "discovery");
        this.routes = requireNonNull(routes, "routes");
        this.metadataKey = requireNonNull(metadataKey, "metadataKey");
        for (String service : routes.services()) {
            byService.put(service, Map.of());
            watches.add(discovery.watch(service, instances -> byService.put(service, byZone(instances))));
        }
    }

    private Map<String, List<ServiceInstance>> byZone(List<ServiceInstance> instances) {
        Map<String, List<ServiceInstance>> zones = new HashMap<>();
        for (ServiceInstance instance : instances) {
            String zone = instance.metadata().get(metadataKey);
            if (zone != null) {
                zones.computeIfAbsent(zone.trim(), z -> new ArrayList<>()).add(instance);
            }
        }
        Map<String, List<ServiceInstance>> sorted = new HashMap<>();
        zones.forEach((zone, list) -> {
            list.sort(Comparator.comparing(ServiceInstance::id));
            sorted.put(zone, List.copyOf(list));
        });
        return Map.copyOf(sorted);
    }

    @Override
    public CompletionStage<ServiceInstance> route(SessionInfo session, int module, long obj) {
        ModuleRoutes.Rule rule = routes.find(module);
        if (rule == null) {
            return CompletableFuture.failedFuture(
                    RequestException.of(Reason.NO_ROUTE, "no service is configured for module " + module));
        }
        int zone = session.identity().zone();
        List<ServiceInstance> instances = byService.getOrDefault(rule.service(), Map.of())
                .getOrDefault(Integer.toString(zone), List.of());
        if (instances.isEmpty()) {
            return CompletableFuture.failedFuture(RequestException.of(Reason.SERVICE_UNAVAILABLE,
                    "service '" + rule.service() + "' has no live instance in zone " + zone));
        }
        int pick = (int) Math.floorMod(session.playerId(), (long) instances.size());
        return CompletableFuture.completedFuture(instances.get(pick));
    }

    @Override
    public void close() {
        for (AutoCloseable watch : watches) {
            try {
                watch.close();
            } catch (Exception e) {
                // Best effort on close: the discovery is closed by whoever created it.
            }
        }
        watches.clear();
    }

    @Override
    public String toString() {
        return "ZoneRouter{metadataKey=" + metadataKey + ", services=" + byService.keySet() + "}";
    }
}
