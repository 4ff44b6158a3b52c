package io.janus.core.discovery;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Discovery;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.tunnel.InProcessTunnel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A gateway's view of discovery: the shared discovery (etcd, or static) plus the services embedded in
 * this gateway's JVM. Embedded instances ({@code inproc:} addresses) only mean something inside the JVM
 * that holds them, so they are kept here and never written to the shared discovery; and an
 * {@code inproc:} instance found in the shared discovery is used only when it names a service embedded
 * in this gateway (a static registry may list embedded services with metadata, as the zone router
 * example does), never when it names one this JVM does not have (another gateway's). Everything else
 * passes through.
 */
public final class LocalOverlayDiscovery implements Discovery {

    private final Discovery shared;
    private final java.util.Set<String> embedded;
    private final Map<String, List<ServiceInstance>> local = new ConcurrentHashMap<>();
    private final Map<String, List<Watch>> watches = new ConcurrentHashMap<>();

    /**
     * Creates the overlay.
     *
     * @param shared the discovery the gateway was configured with; closed with the overlay only by its
     *        owner
     * @param embedded the names of the services embedded in this gateway
     */
    public LocalOverlayDiscovery(Discovery shared, java.util.Set<String> embedded) {
        this.shared = requireNonNull(shared, "shared");
        this.embedded = java.util.Set.copyOf(requireNonNull(embedded, "embedded"));
    }

    private static boolean isLocal(ServiceInstance instance) {
        return instance.address().startsWith(InProcessTunnel.SCHEME);
    }

    @Override
    public CompletionStage<Void> register(ServiceInstance instance) {
        if (!isLocal(instance)) {
            return shared.register(instance);
        }
        local.compute(instance.service(), (s, list) -> {
            List<ServiceInstance> next = new ArrayList<>(list == null ? List.of() : list);
            next.removeIf(i -> i.id().equals(instance.id()));
            next.add(instance);
            return List.copyOf(next);
        });
        changed(instance.service());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> deregister(ServiceInstance instance) {
        if (!isLocal(instance)) {
            return shared.deregister(instance);
        }
        local.computeIfPresent(instance.service(), (s, list) -> {
            List<ServiceInstance> next = new ArrayList<>(list);
            next.removeIf(i -> i.id().equals(instance.id()));
            return next.isEmpty() ? null : List.copyOf(next);
        });
        changed(instance.service());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<ServiceInstance> instances(String service) {
        return merge(service, shared.instances(service));
    }

    private List<ServiceInstance> merge(String service, List<ServiceInstance> fromShared) {
        List<ServiceInstance> mine = local.getOrDefault(service, List.of());
        List<ServiceInstance> out = new ArrayList<>(fromShared.size() + mine.size());
        for (ServiceInstance instance : fromShared) {
            if (!isLocal(instance)
                    || embedded.contains(instance.address().substring(InProcessTunnel.SCHEME.length()))) {
                out.add(instance);
            }
        }
        out.addAll(mine);
        return List.copyOf(out);
    }

    @Override
    public AutoCloseable watch(String service, Consumer<List<ServiceInstance>> listener) {
        Watch watch = new Watch(service, listener);
        watches.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(watch);
        watch.handle = shared.watch(service, watch::sharedChanged);
        if (watch.lastShared == null) {
            watch.sharedChanged(shared.instances(service));
        }
        return () -> {
            List<Watch> list = watches.get(service);
            if (list != null) {
                list.remove(watch);
            }
            watch.handle.close();
        };
    }

    private void changed(String service) {
        for (Watch watch : watches.getOrDefault(service, List.of())) {
            watch.localChanged();
        }
    }

    /** Closes nothing: the shared discovery belongs to the gateway, which closes it. */
    @Override
    public void close() {
        watches.clear();
    }

    private final class Watch {
        final String service;
        final Consumer<List<ServiceInstance>> listener;
        volatile List<ServiceInstance> lastShared;
        AutoCloseable handle;

        Watch(String service, Consumer<List<ServiceInstance>> listener) {
            this.service = service;
            this.listener = listener;
        }

        synchronized void sharedChanged(List<ServiceInstance> instances) {
            lastShared = instances;
            listener.accept(merge(service, instances));
        }

        synchronized void localChanged() {
            List<ServiceInstance> last = lastShared;
            listener.accept(merge(service, last == null ? shared.instances(service) : last));
        }
    }
}
