package io.janus.core.spi;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The registry of game-service instances: where each service runs now. Lookups answer from a local
 * snapshot and never block, so routing keeps working while the backing store (etcd) is slow or down.
 *
 * <p>Implementations: static (in janus-core, from configuration and in-process registrations), etcd
 * (janus-discovery-etcd).
 */
public interface Discovery extends AutoCloseable {

    /**
     * Announces an instance. It stays registered until {@link #deregister} or {@link #close}.
     *
     * @param instance the instance
     * @return a stage completed once the registration is visible to resolvers
     */
    CompletionStage<Void> register(ServiceInstance instance);

    /**
     * Withdraws an instance; one that is not registered is ignored.
     *
     * @param instance the instance
     * @return a stage completed once the instance is withdrawn
     */
    CompletionStage<Void> deregister(ServiceInstance instance);

    /**
     * The live instances of a service, from the local snapshot. Never blocks.
     *
     * @param service the service name
     * @return an immutable list, empty when there is none
     */
    List<ServiceInstance> instances(String service);

    /**
     * Calls {@code listener} with the instances of {@code service} now and after every change, until the
     * returned handle is closed. The listener must not block.
     *
     * @param service the service name
     * @param listener receives immutable snapshots
     * @return a handle that stops the watch
     */
    AutoCloseable watch(String service, Consumer<List<ServiceInstance>> listener);

    /** Releases what the discovery holds (watches, leases); registrations made through it are withdrawn. */
    @Override
    void close();
}
