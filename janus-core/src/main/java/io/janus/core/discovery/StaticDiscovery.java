package io.janus.core.discovery;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Discovery;
import io.janus.core.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The default {@link Discovery}: instances fixed by configuration plus those registered in this JVM
 * (embedded game services). Needs no server. Watchers are told of every change synchronously, on the
 * thread that made it, in the order the changes were made.
 */
public final class StaticDiscovery implements Discovery {

    private final Map<String, List<ServiceInstance>> instances = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<List<ServiceInstance>>>> watchers = new ConcurrentHashMap<>();

    /**
     * Creates a discovery that knows the given instances.
     *
     * @param initial instances known from configuration
     */
    public StaticDiscovery(List<ServiceInstance> initial) {
        for (ServiceInstance instance : initial) {
            register(instance);
        }
    }

    /** Creates an empty discovery. */
    public StaticDiscovery() {
        this(List.of());
    }

    @Override
    public CompletionStage<Void> register(ServiceInstance instance) {
        requireNonNull(instance, "instance");
        update(instance.service(), list -> {
            list.removeIf(i -> i.id().equals(instance.id()));
            list.add(instance);
        });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> deregister(ServiceInstance instance) {
        requireNonNull(instance, "instance");
        update(instance.service(), list -> list.removeIf(i -> i.id().equals(instance.id())));
        return CompletableFuture.completedFuture(null);
    }

    private void update(String service, Consumer<List<ServiceInstance>> change) {
        // Watchers are told under the lock: two concurrent changes must reach every watcher in the
        // order they were made, or a watcher could keep the older view. Watchers must not block.
        synchronized (this) {
            List<ServiceInstance> list = new ArrayList<>(instances.getOrDefault(service, List.of()));
            change.accept(list);
            List<ServiceInstance> snapshot = List.copyOf(list);
            instances.put(service, snapshot);
            for (Consumer<List<ServiceInstance>> watcher : watchers.getOrDefault(service, List.of())) {
                watcher.accept(snapshot);
            }
        }
    }

    @Override
    public List<ServiceInstance> instances(String service) {
        return instances.getOrDefault(requireNonNull(service, "service"), List.of());
    }

    @Override
    public AutoCloseable watch(String service, Consumer<List<ServiceInstance>> listener) {
        requireNonNull(service, "service");
        requireNonNull(listener, "listener");
        List<Consumer<List<ServiceInstance>>> list =
                watchers.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>());
        synchronized (this) {
            // Under the lock, so no change slips between the first snapshot and the registration.
            list.add(listener);
            listener.accept(instances(service));
        }
        return () -> list.remove(listener);
    }

    @Override
    public void close() {
        watchers.clear();
    }
}
