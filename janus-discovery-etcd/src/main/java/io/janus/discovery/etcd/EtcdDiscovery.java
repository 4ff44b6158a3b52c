package io.janus.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.ServiceInstance;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Discovery} backed by etcd (v3 API, through jetcd): each instance is a key
 * {@code <prefix><service>/<id>} whose value is the instance as JSON (see {@code InstanceJson}),
 * attached to a lease that this discovery keeps alive; resolution reads a local snapshot per service that
 * a watch keeps current.
 *
 * <pre>{@code
 * EtcdDiscovery discovery = EtcdDiscovery.builder()
 *     .endpoints("http://10.0.0.7:2379")
 *     .ttl(Duration.ofSeconds(15))
 *     .build();
 * }</pre>
 *
 * <p><b>Registration.</b> All registrations of one discovery share one lease of {@link Builder#ttl TTL}
 * seconds, renewed every TTL/3. When the lease is lost (etcd answers that it expired or does not know
 * it, as after a restart with its data lost) the discovery grants a new lease and writes every key
 * again, same keys, with exponential backoff between attempts; while etcd is unreachable it keeps trying
 * to renew, since a restart that kept the data also kept the lease. Each change of state is logged once.
 * Model: the etcd concurrency package's {@code Session} and the lease API of the etcd v3 gRPC
 * specification ({@code LeaseGrant}, {@code LeaseKeepAlive}, {@code LeaseRevoke}).
 *
 * <p><b>Resolution.</b> {@link #instances} never blocks and never calls etcd: it reads the snapshot of a
 * service. The first lookup of a service, or its first {@link #watch}, starts watching it: a range read
 * of the service's prefix, then a watch from the read's revision + 1 (etcd v3 {@code Watch} with
 * {@code start_revision}); after a watch failure or compaction the read and the watch start again. A
 * health probe every TTL/3 (at most 5 s) tells whether etcd answers; while it does not, the snapshots
 * stay as they were (routing keeps working) and {@link #isHealthy()} is {@code false}; when it answers
 * again, or answers from a different cluster or an older revision (data lost), every watched service is
 * read again. gRPC waits longer and longer between reconnection attempts (1 s growing to 120 s, gRPC's
 * "Connection Backoff Protocol"), which could keep the client away from a restarted etcd for far longer
 * than a TTL; so while etcd does not answer, each probe also tries a plain TCP connection to the
 * endpoints, and when one accepts, replaces the jetcd client with a new one that connects at once (only
 * for a client this discovery built; at most once per probe interval).
 *
 * <p><b>Bounds.</b> At most {@link Builder#maxWatchedServices} services are watched (a lookup of one more
 * is answered empty and logged), at most {@link Builder#maxInstancesPerService} instances are kept per
 * service (more are dropped and counted in {@link #droppedInstances()}), at most
 * {@value #MAX_LISTENERS_PER_SERVICE} listeners per service, {@value #MAX_REGISTRATIONS} registrations,
 * and {@value ServiceWatch#MAX_PENDING_EVENTS} watch events queued per service (on overflow the service is
 * read again). Values that are not well-formed instances are skipped and counted in
 * {@link #malformedValues()}.
 *
 * <p><b>Threads.</b> jetcd completes its futures and calls its watch listeners on its own executor;
 * every such callback only hands its result to this discovery's single serial thread
 * ({@code janus-etcd-discovery}), which owns all mutable state and calls the {@link #watch} listeners,
 * one at a time, in order. Nothing runs on a Netty event loop. Its task queue holds at most one pending
 * drain, retry or timer per service and per lease plus the calls made to this object.
 *
 * <p>A client passed to {@link Builder#client(Client)} is not closed by {@link #close()}.
 */
public final class EtcdDiscovery implements Discovery {

    private static final Logger logger = LoggerFactory.getLogger(EtcdDiscovery.class);

    /** The most listeners per watched service. */
    public static final int MAX_LISTENERS_PER_SERVICE = 64;
    /** The most instances one discovery registers at once. */
    public static final int MAX_REGISTRATIONS = 1024;

    private static final long RATE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final List<URI> endpoints;
    private volatile Client client;
    private final boolean ownsClient;
    private final String prefix;
    private final Duration ttl;
    private final Duration requestTimeout;
    private final Duration probeInterval;
    private final Duration retryMin;
    private final Duration retryMax;
    private final int maxInstancesPerService;
    private final int maxWatchedServices;
    private final String endpointsText;
    private final ScheduledThreadPoolExecutor executor;
    private final Executor serial;
    private final Map<String, ServiceWatch> watches = new ConcurrentHashMap<>();
    private final LeaseKeeper leases;
    private final AtomicLong malformedValues = new AtomicLong();
    private final AtomicLong droppedInstances = new AtomicLong();
    private final AtomicLong lastRateLimitedLog = new AtomicLong(System.nanoTime() - RATE_LIMIT_NANOS);
    private final AtomicInteger suppressedLogs = new AtomicInteger();
    private volatile boolean reachable = true;
    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();
    // Owned by the serial thread.
    private long lastRevision = -1;
    private long clusterId;
    private boolean probeInFlight;
    private long lastRebuildNanos = System.nanoTime();
    private boolean rebuiltInOutage;

    private EtcdDiscovery(Builder b) {
        NettyVersionCheck.verify();
        this.prefix = b.prefix;
        this.ttl = b.ttl;
        this.requestTimeout = b.requestTimeout;
        this.maxInstancesPerService = b.maxInstancesPerService;
        this.maxWatchedServices = b.maxWatchedServices;
        Duration third = ttl.dividedBy(3);
        this.probeInterval = clamp(third, Duration.ofMillis(200), Duration.ofSeconds(5));
        this.retryMin = Duration.ofMillis(100);
        this.retryMax = clamp(third, retryMin, Duration.ofSeconds(5));
        this.endpoints = List.copyOf(b.endpoints);
        if (b.client != null) {
            this.client = b.client;
            this.ownsClient = false;
            this.endpointsText = "(client given)";
        } else {
            if (b.endpoints.isEmpty()) {
                throw new IllegalStateException("no etcd endpoint: call endpoints(\"http://host:2379\") or client(...)");
            }
            this.endpointsText = b.endpoints.toString();
            this.client = newClient();
            this.ownsClient = true;
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "janus-etcd-discovery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.serial = task -> {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                // Closed: callbacks that arrive after close() have nothing left to update.
                logger.debug("Dropping a task after close", e);
            }
        };
        this.leases = new LeaseKeeper(this);
        executor.scheduleWithFixedDelay(this::probe, 0, probeInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private Client newClient() {
        long timeoutMillis = requestTimeout.toMillis();
        // waitForReady(false): while etcd is down, calls fail at once instead of queueing in gRPC, so
        // that retries stay bounded by this discovery's backoff rather than piling up.
        return Client.builder()
                .endpoints(endpoints)
                .waitForReady(false)
                .connectTimeout(requestTimeout)
                .retryDelay(Math.min(100, timeoutMillis))
                .retryMaxDelay(Math.min(1000, timeoutMillis))
                .retryMaxAttempts(2)
                .retryMaxDuration(requestTimeout)
                .build();
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    /**
     * Starts building a discovery.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes the instance under {@code <prefix><service>/<id>}, attached to this discovery's lease, and
     * keeps it there (written again after a lost lease) until {@link #deregister} or {@link #close()}.
     * Registering the same service and id again replaces the value.
     *
     * @param instance the instance; its service name must not contain {@code /}
     * @return a stage completed once etcd stored the key, or failed after twice the request timeout;
     *         the registration then stays and is retried in the background until withdrawn
     */
    @Override
    public CompletionStage<Void> register(ServiceInstance instance) {
        requireNonNull(instance, "instance");
        checkService(instance.service());
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("etcd discovery is closed"));
        }
        return leases.register(instance);
    }

    /**
     * Deletes the instance's key, and revokes the lease when no registration is left on it.
     *
     * @param instance the instance; one that is not registered through this discovery is ignored
     * @return a stage completed once etcd deleted the key (failed deletes are retried while the lease
     *         lives)
     */
    @Override
    public CompletionStage<Void> deregister(ServiceInstance instance) {
        requireNonNull(instance, "instance");
        checkService(instance.service());
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        return leases.deregister(instance);
    }

    /**
     * The instances of the service in the local snapshot; never blocks, never calls etcd. The first
     * lookup of a service starts watching it and answers empty until the first read completes.
     *
     * @param service the service name
     * @return an immutable list, empty when there is none, the service is not read yet, or more than
     *         {@link Builder#maxWatchedServices} services are watched
     */
    @Override
    public List<ServiceInstance> instances(String service) {
        requireNonNull(service, "service");
        ServiceWatch watch = watches.get(service);
        if (watch == null) {
            watch = watchOf(service);
        }
        return watch != null ? watch.snapshot() : List.of();
    }

    /**
     * Calls {@code listener} on this discovery's serial thread with the service's snapshot, now (as soon
     * as the thread gets to it) and after every change, until the handle is closed. The listener must not
     * block; it must not call {@link #close()} either.
     *
     * @param service the service name, without {@code /}
     * @param listener receives immutable snapshots
     * @return a handle that stops the calls
     * @throws IllegalStateException when {@link Builder#maxWatchedServices} other services are watched,
     *         or the service has {@value #MAX_LISTENERS_PER_SERVICE} listeners already
     */
    @Override
    public AutoCloseable watch(String service, Consumer<List<ServiceInstance>> listener) {
        requireNonNull(service, "service");
        requireNonNull(listener, "listener");
        checkService(service);
        if (closed) {
            throw new IllegalStateException("etcd discovery is closed");
        }
        ServiceWatch watch = watchOf(service);
        if (watch == null) {
            throw new IllegalStateException("cannot watch service '" + service + "': " + maxWatchedServices
                    + " services are watched already (maxWatchedServices)");
        }
        return watch.addListener(listener);
    }

    /** Returns the watch of a service, starting it if needed; {@code null} when the cap is reached. */
    private ServiceWatch watchOf(String service) {
        if (service.isEmpty() || service.indexOf('/') >= 0 || closed) {
            return null;
        }
        ServiceWatch existing = watches.get(service);
        if (existing != null) {
            return existing;
        }
        synchronized (watches) {
            existing = watches.get(service);
            if (existing != null) {
                return existing;
            }
            if (watches.size() >= maxWatchedServices) {
                rateLimitedWarn("Not watching service '{}': {} services are watched already (maxWatchedServices); "
                        + "it resolves to no instance", service, maxWatchedServices);
                return null;
            }
            ServiceWatch watch = new ServiceWatch(this, service);
            watches.put(service, watch);
            serial.execute(watch::start);
            return watch;
        }
    }

    private static void checkService(String service) {
        if (service.isEmpty() || service.indexOf('/') >= 0) {
            throw new IllegalArgumentException("service name '" + service + "' (expected: not empty, without '/')");
        }
    }

    /**
     * Whether the snapshots are current: etcd answered the last health probe and every watched service
     * has been read and is being watched. When {@code false}, {@link #instances} still answers, from the
     * last known snapshot, which may be stale.
     *
     * @return whether etcd is reachable and every snapshot is live
     */
    public boolean isHealthy() {
        if (!reachable) {
            return false;
        }
        for (ServiceWatch watch : watches.values()) {
            if (watch.isStale()) {
                return false;
            }
        }
        return true;
    }

    /** Values found under the prefix that were not well-formed instances and were skipped, since start. */
    public long malformedValues() {
        return malformedValues.get();
    }

    /** Instances dropped because their service had {@link Builder#maxInstancesPerService} already, since start. */
    public long droppedInstances() {
        return droppedInstances.get();
    }

    /**
     * Withdraws every registration (deletes the keys and revokes the lease, waiting at most the request
     * timeout for etcd), stops the watches and closes the etcd client unless it was given by the user.
     * Blocks the caller for at most the request timeout; do not call it from an event loop.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        CompletableFuture<Void> withdrawn = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                watches.values().forEach(ServiceWatch::close);
                leases.close().whenComplete((v, t) -> withdrawn.complete(null));
            });
            withdrawn.get(requestTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            logger.warn("etcd discovery: registrations not withdrawn within {}; etcd deletes them when the lease "
                    + "expires", requestTimeout, e);
        }
        executor.shutdownNow();
        if (ownsClient) {
            client.close();
        }
    }

    // ---- health probe -------------------------------------------------------------------------------

    private void probe() {
        if (closed || probeInFlight) {
            return;
        }
        probeInFlight = true;
        ByteSequence key = bytes(prefix);
        call(c -> c.getKVClient().get(key, GetOption.builder().withCountOnly(true).build()))
                .whenCompleteAsync((response, failure) -> {
                    probeInFlight = false;
                    if (closed) {
                        return;
                    }
                    if (failure != null) {
                        if (reachable) {
                            reachable = false;
                            logger.warn("etcd unreachable at {} ({}): routing keeps the last snapshot of {} services, "
                                    + "which may be stale; registrations are retried", endpointsText,
                                    describe(failure), watches.size());
                        }
                        watches.values().forEach(ServiceWatch::markStale);
                        reconnectIfListening();
                        return;
                    }
                    long revision = response.getHeader().getRevision();
                    long cluster = response.getHeader().getClusterId();
                    boolean dataLost = (clusterId != 0 && cluster != clusterId) || revision < lastRevision;
                    boolean wasDown = !reachable;
                    reachable = true;
                    rebuiltInOutage = false;
                    clusterId = cluster;
                    lastRevision = revision;
                    if (wasDown || dataLost) {
                        logger.info("etcd reachable again at {}{}; reading {} watched services again", endpointsText,
                                dataLost ? " with its data lost (new cluster or older revision)" : "", watches.size());
                        watches.values().forEach(w -> w.restart("etcd reachable again"));
                        leases.checkNow();
                    }
                }, serial);
    }

    /**
     * Serial thread, while etcd does not answer: when an endpoint accepts TCP connections again, replaces
     * the client, whose channel may be waiting out gRPC's reconnect backoff, by a new one.
     */
    private void reconnectIfListening() {
        if (!ownsClient || endpoints.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastRebuildNanos < probeInterval.toNanos()) {
            return;
        }
        List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
        for (URI endpoint : endpoints) {
            attempts.add(TcpProbe.connects(endpoint.getHost(), endpoint.getPort(), probeInterval));
        }
        CompletableFuture.allOf(attempts.toArray(new CompletableFuture<?>[0])).whenCompleteAsync((v, t) -> {
            boolean listening = attempts.stream().anyMatch(a -> a.getNow(false));
            if (!listening || reachable || closed) {
                return;
            }
            lastRebuildNanos = System.nanoTime();
            Client old = client;
            client = newClient();
            if (!rebuiltInOutage) {
                rebuiltInOutage = true;
                logger.info("etcd accepts connections again at {}; reconnecting without waiting for gRPC's "
                        + "reconnect backoff", endpointsText);
            } else {
                logger.debug("etcd accepts connections at {} but does not answer yet; new client", endpointsText);
            }
            old.close();
            probeInFlight = false;
            probe();
        }, serial);
    }

    // ---- shared with LeaseKeeper and ServiceWatch -----------------------------------------------------

    /**
     * Makes one etcd call with the current client, bounded by the request timeout. A call that throws
     * instead of returning a future (a client closed under it) gives a failed future, so that every
     * caller's failure path runs.
     */
    <T> CompletableFuture<T> call(Function<Client, CompletableFuture<T>> request) {
        CompletableFuture<T> future;
        try {
            future = request.apply(client);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return future.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    Client client() {
        return client;
    }

    Executor serial() {
        return serial;
    }

    boolean isClosed() {
        return closed;
    }

    void schedule(Runnable task, long delayNanos, Consumer<ScheduledFuture<?>> handle) {
        try {
            handle.accept(executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException e) {
            logger.debug("Not scheduling after close", e);
        }
    }

    String keyOf(ServiceInstance instance) {
        return prefix + instance.service() + "/" + instance.id();
    }

    String prefixOf(String service) {
        return prefix + service + "/";
    }

    Duration ttl() {
        return ttl;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    Backoff newBackoff() {
        return new Backoff(retryMin, retryMax);
    }

    int maxInstancesPerService() {
        return maxInstancesPerService;
    }

    void countMalformed(String key, String problem) {
        malformedValues.incrementAndGet();
        rateLimitedWarn("Skipping etcd key {}: {}", key, problem);
    }

    void countDropped(String service, String key) {
        droppedInstances.incrementAndGet();
        rateLimitedWarn("Dropping etcd key {}: service '{}' has {} instances already (maxInstancesPerService)", key,
                service, maxInstancesPerService);
    }

    /** Logs at most one warning per 10 s, saying how many were suppressed in between. */
    private void rateLimitedWarn(String format, Object... args) {
        long now = System.nanoTime();
        long last = lastRateLimitedLog.get();
        if (now - last >= RATE_LIMIT_NANOS && lastRateLimitedLog.compareAndSet(last, now)) {
            int suppressed = suppressedLogs.getAndSet(0);
            logger.warn(format + (suppressed > 0 ? " (" + suppressed + " similar messages suppressed)" : ""), args);
        } else {
            suppressedLogs.incrementAndGet();
        }
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String describe(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException) {
            return "no answer within the request timeout";
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Builds an {@link EtcdDiscovery}. Not thread-safe. */
    public static final class Builder {

        private final List<URI> endpoints = new ArrayList<>();
        private Client client;
        private String prefix = "/janus/services/";
        private Duration ttl = Duration.ofSeconds(15);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int maxInstancesPerService = 1024;
        private int maxWatchedServices = 256;

        private Builder() {
        }

        /**
         * Adds etcd client endpoints.
         *
         * @param endpoints URLs such as {@code http://127.0.0.1:2379}
         * @return this builder
         */
        public Builder endpoints(String... endpoints) {
            for (String endpoint : requireNonNull(endpoints, "endpoints")) {
                String e = requireNonNull(endpoint, "endpoint").trim();
                URI uri;
                try {
                    uri = new URI(e);
                } catch (java.net.URISyntaxException ex) {
                    uri = null;
                }
                if (uri == null || !"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
                    throw new IllegalArgumentException("etcd endpoint '" + e + "' (expected: http://host:port)");
                }
                this.endpoints.add(uri);
            }
            return this;
        }

        /**
         * Uses a jetcd client built by the caller (TLS, authentication, namespaces) instead of endpoints; it
         * is not closed by the discovery.
         *
         * @param client the client
         * @return this builder
         */
        public Builder client(Client client) {
            this.client = requireNonNull(client, "client");
            return this;
        }

        /**
         * Sets the key prefix under which instances live ({@code /janus/services/} by default); a missing
         * trailing {@code /} is added.
         *
         * @param prefix the prefix
         * @return this builder
         */
        public Builder prefix(String prefix) {
            requireNonNull(prefix, "prefix");
            if (prefix.isEmpty()) {
                throw new IllegalArgumentException("prefix must not be empty");
            }
            this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
            return this;
        }

        /**
         * Sets the lease TTL (15 s by default; whole seconds, at least 2 s, etcd's own minimum): how long an
         * instance stays visible after its process stops renewing it.
         *
         * @param ttl the TTL
         * @return this builder
         */
        public Builder ttl(Duration ttl) {
            requireNonNull(ttl, "ttl");
            if (ttl.getSeconds() < 2 || ttl.getNano() != 0) {
                throw new IllegalArgumentException("ttl: " + ttl + " (expected: whole seconds, >= 2)");
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * Sets how long one call to etcd may take (5 s by default).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout: " + timeout + " (expected: > 0)");
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Sets the most instances kept per service (1024 by default).
         *
         * @param max the cap
         * @return this builder
         */
        public Builder maxInstancesPerService(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxInstancesPerService: " + max + " (expected: > 0)");
            }
            this.maxInstancesPerService = max;
            return this;
        }

        /**
         * Sets the most services watched at once (256 by default).
         *
         * @param max the cap
         * @return this builder
         */
        public Builder maxWatchedServices(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxWatchedServices: " + max + " (expected: > 0)");
            }
            this.maxWatchedServices = max;
            return this;
        }

        /**
         * Builds the discovery and starts its health probe. Fails fast when the Netty jars on the class
         * path disagree ({@link NettyVersionCheck}).
         *
         * @return the discovery
         */
        public EtcdDiscovery build() {
            return new EtcdDiscovery(this);
        }
    }
}
