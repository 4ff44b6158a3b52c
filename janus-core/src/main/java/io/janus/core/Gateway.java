package io.janus.core;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.admin.AdminOptions;
import io.janus.core.admin.AdminServer;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.discovery.LocalOverlayDiscovery;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Pusher;
import io.janus.core.internal.GatewayRuntime;
import io.janus.core.push.PushServer;
import io.janus.core.routing.InstanceHealth;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.Session;
import io.janus.core.session.SessionRegistry;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.AuthenticatorRegistry;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.DiscoveryRegistry;
import io.janus.core.spi.Router;
import io.janus.core.spi.RouterContext;
import io.janus.core.spi.RouterRegistry;
import io.janus.core.spi.SessionDirectory;
import io.janus.core.spi.SessionDirectoryContext;
import io.janus.core.spi.SessionDirectoryRegistry;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportConfig;
import io.janus.core.spi.TransportContext;
import io.janus.core.spi.TransportRegistry;
import io.janus.core.spi.Tunnel;
import io.janus.core.spi.TunnelContext;
import io.janus.core.spi.TunnelRegistry;
import io.janus.core.transport.EventLoops;
import io.janus.core.tunnel.InProcessTunnel;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A game gateway: accepts clients on one or more transports, authenticates them, routes their packets
 * to game services and delivers answers and pushes. Build with {@link #builder()}:
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *     .identity(GatewayIdentity.fromBase64(keySeed, certificate))
 *     .listen("tcp", 7000)
 *     .authenticator(myAuthenticator)
 *     .game(myGameHandlers)
 *     .build();
 * gateway.start().join();
 * }</pre>
 *
 * <p>Components not given to the builder come from their SPI registries: the named provider when a name
 * is given, the highest-priority one otherwise (the in-memory router, the in-process tunnel and the
 * static discovery of janus-core, unless a module with a higher priority is on the class path). What
 * the gateway creates, it closes on {@link #stop()}; event loops, executors and components passed in by
 * the user are never closed by the gateway.
 *
 * <p>Two ways to stop: {@link #stop()} kicks every client at once with {@link Reason#SERVER_SHUTDOWN};
 * {@link #drain(String)} stops gracefully, letting every session finish the requests it has in flight
 * (up to {@link Builder#drainTimeout(Duration) the drain timeout}) before a {@link Reason#SERVER_DRAIN}
 * kick that may name a gateway to reconnect to. {@link #closeOnJvmShutdown()} drains on SIGTERM.
 *
 * <p>Thread-safe. {@link #start()}, {@link #stop()} and {@link #drain(String)} may be called in any
 * order and more than once; later calls return the futures of the first.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(Gateway.class);

    /** The service name that {@link Builder#game(GameHandlers)} registers. */
    public static final String DEFAULT_SERVICE = "game";

    /** Where a gateway is in its lifecycle. */
    public enum State {
        /** Built, not started. */
        NEW,
        /** Binding its transports. */
        STARTING,
        /** Accepting clients. */
        STARTED,
        /** Draining: no longer accepting; sessions finish their requests, then are kicked. */
        DRAINING,
        /** Stopping: sessions are being closed and resources released. */
        STOPPING,
        /** Stopped: every session closed, every resource the gateway created released. */
        STOPPED
    }

    private final String id;
    private final SessionOptions options;
    private final GatewayStats stats = new GatewayStats();
    private final List<Transport> transports;
    private final Map<String, InetSocketAddress> boundAddresses = new LinkedHashMap<>();
    private final List<GatewayListener> listeners;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final boolean ownsEventLoops;
    private final Executor blockingExecutor;
    private final ExecutorService ownedExecutor;
    private final Discovery discovery;
    private final Router router;
    private final Tunnel tunnel;
    private final SessionDirectory directory;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final List<ServiceInstance> localInstances = new ArrayList<>();
    private final GatewayRuntime runtime;
    private final ModuleRoutes moduleRoutes;
    private final AdminServer admin;
    private final PushServer pushServer;
    private final Duration shutdownTimeout;
    private final Duration drainTimeout;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CompletableFuture<Void> startFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> stopFuture = new CompletableFuture<>();
    private volatile Thread shutdownHook;

    private Gateway(Builder b) {
        this.id = b.id != null ? b.id : "gw-" + UUID.randomUUID().toString().substring(0, 8);
        this.options = b.options;
        this.listeners = List.copyOf(b.listeners);
        this.shutdownTimeout = b.shutdownTimeout;
        this.drainTimeout = b.drainTimeout;
        if (b.identity == null) {
            throw new IllegalStateException("no gateway identity: call identity(GatewayIdentity.fromBase64(keySeed, "
                    + "certificate)) with the gateway key and the certificate the root key signed for it "
                    + "(docs/protocol.md, section 3)");
        }
        if (b.transports.isEmpty() && b.transportSpecs.isEmpty()) {
            throw new IllegalStateException("no transport: call listen(\"tcp\", port) or transport(...)");
        }
        List<Transport> ts = new ArrayList<>(b.transports);
        for (Builder.TransportSpec spec : b.transportSpecs) {
            ts.add(TransportRegistry.getDefaultRegistry().getProvider(spec.name)
                    .newTransport(TransportConfig.of(spec.address, spec.properties)));
        }
        this.transports = List.copyOf(ts);

        if (b.bossGroup != null) {
            this.bossGroup = b.bossGroup;
            this.workerGroup = b.workerGroup;
            this.ownsEventLoops = false;
        } else {
            this.bossGroup = EventLoops.newGroup(1, "janus-boss");
            this.workerGroup = EventLoops.newGroup(b.workerThreads, "janus-worker");
            this.ownsEventLoops = true;
        }
        if (b.blockingExecutor != null) {
            this.blockingExecutor = b.blockingExecutor;
            this.ownedExecutor = null;
        } else {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(b.blockingThreads, b.blockingThreads, 60,
                    TimeUnit.SECONDS, new ArrayBlockingQueue<>(b.blockingQueueCapacity), r -> {
                        Thread t = new Thread(r, "janus-game-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            this.blockingExecutor = pool;
            this.ownedExecutor = pool;
        }

        Authenticator authenticator = b.authenticator;
        if (authenticator == null) {
            authenticator = AuthenticatorRegistry.getDefaultRegistry().select(b.authenticatorName)
                    .newAuthenticator(b.authenticatorProperties);
            if (authenticator instanceof AutoCloseable) {
                // Built here from properties, so it is the gateway's to close (a shared replay cache's
                // connection, for example).
                owned.add((AutoCloseable) authenticator);
            }
        }

        Discovery configured = b.discovery != null ? b.discovery
                : own(DiscoveryRegistry.getDefaultRegistry().select(b.discoveryName)
                        .newDiscovery(b.discoveryProperties));
        // Embedded services are registered in this gateway's view only, never in a shared discovery,
        // where other gateways would see addresses that mean nothing in their JVMs.
        this.discovery = new LocalOverlayDiscovery(configured, b.localServices.keySet());

        ModuleRoutes.Builder routes = b.routes != null ? b.routes.toBuilder() : ModuleRoutes.builder();
        if (!routes.hasDefault() && b.localServices.containsKey(DEFAULT_SERVICE)) {
            routes.defaultService(DEFAULT_SERVICE);
        }
        ModuleRoutes moduleRoutes = routes.build();
        this.moduleRoutes = moduleRoutes;
        Map<String, String> routerProperties = b.routerProperties;
        InstanceHealth health = new InstanceHealth();
        this.router = b.router != null ? b.router
                : own(RouterRegistry.getDefaultRegistry().select(b.routerName).newRouter(new RouterContext() {
                    @Override
                    public Discovery discovery() {
                        return discovery;
                    }

                    @Override
                    public ModuleRoutes routes() {
                        return moduleRoutes;
                    }

                    @Override
                    public Map<String, String> properties() {
                        return routerProperties;
                    }

                    @Override
                    public InstanceHealth health() {
                        return health;
                    }
                }));

        // The tunnel and the runtime need each other (pushes from game services reach sessions through
        // the runtime's pusher), so the tunnel is built against a pusher that forwards to the runtime.
        AtomicReference<GatewayRuntime> runtimeRef = new AtomicReference<>();
        Pusher pusher = new ForwardingPusher(runtimeRef);
        Map<String, GameHandlers> localServices = Map.copyOf(b.localServices);
        Map<String, String> tunnelProperties = b.tunnelProperties;
        Executor executor = blockingExecutor;
        this.tunnel = b.tunnel != null ? b.tunnel
                : own(TunnelRegistry.getDefaultRegistry().select(b.tunnelName).newTunnel(new TunnelContext() {
                    @Override
                    public Pusher pusher() {
                        return pusher;
                    }

                    @Override
                    public Map<String, GameHandlers> localServices() {
                        return localServices;
                    }

                    @Override
                    public Executor blockingExecutor() {
                        return executor;
                    }

                    @Override
                    public Map<String, String> properties() {
                        return tunnelProperties;
                    }

                    @Override
                    public EventLoopGroup workerGroup() {
                        return workerGroup;
                    }

                    @Override
                    public Duration requestTimeout() {
                        return options.requestTimeout();
                    }

                    @Override
                    public Discovery discovery() {
                        return discovery;
                    }

                    @Override
                    public InstanceHealth health() {
                        return health;
                    }
                }));
        this.runtime = new GatewayRuntime(id, b.identity, b.attestation, options, stats, authenticator, router,
                tunnel, b.openTelemetry != null ? b.openTelemetry : GlobalOpenTelemetry.getOrNoop());
        runtimeRef.set(runtime);
        if (b.resumeTicketKey != null) {
            runtime.resumeTicketKey(b.resumeTicketKey);
        }
        owned.add(runtime.telemetry());
        Map<String, String> directoryProperties = b.directoryProperties;
        GatewayRuntime rt = runtime;
        SessionDirectoryContext directoryContext = new SessionDirectoryContext() {
            @Override
            public String gatewayId() {
                return id;
            }

            @Override
            public Pusher localPusher() {
                return rt.localPusher();
            }

            @Override
            public SessionRegistry sessions() {
                return rt.registry();
            }

            @Override
            public EventLoopGroup workerGroup() {
                return workerGroup;
            }

            @Override
            public Map<String, String> properties() {
                return directoryProperties;
            }

            @Override
            public io.janus.core.spi.SessionHandovers handovers() {
                return rt.handovers();
            }
        };
        if (b.directory != null) {
            this.directory = b.directory;
        } else if (b.directoryFactory != null) {
            this.directory = own(requireNonNull(b.directoryFactory.apply(directoryContext),
                    "the directory factory's result"));
        } else {
            this.directory = own(SessionDirectoryRegistry.getDefaultRegistry().select(b.directoryName)
                    .newDirectory(directoryContext));
        }
        runtime.directory(directory);
        for (String service : localServices.keySet()) {
            localInstances.add(ServiceInstance.of(service, id + "/" + service, InProcessTunnel.address(service),
                    Map.of()));
        }
        this.pushServer = b.pushAddress == null ? null : new PushServer(b.pushAddress, directory.pusher(), stats,
                options.maxFrameLength(), bossGroup, workerGroup);
        // Built last: it only reads the gateway through its public methods, once started.
        this.admin = b.admin != null ? new AdminServer(this, b.admin, bossGroup) : null;
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /**
     * Open sessions per transport: every configured transport, with 0 when it has none.
     *
     * @return a new map in the order of {@link #transportNames()}
     */
    public Map<String, Integer> sessionsByTransport() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String transport : transportNames()) {
            counts.put(transport, 0);
        }
        runtime.sessionsByTransport().forEach((transport, n) -> counts.merge(transport, n, Integer::sum));
        return counts;
    }

    /**
     * Bytes queued for clients and not yet written to the network, over all sessions (approximate
     * while writes happen).
     *
     * @return the bytes
     */
    public long outboundQueuedBytes() {
        return runtime.outboundQueuedBytes();
    }

    /**
     * Starts building a gateway.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** This gateway's id, unique among the gateways of a cluster. */
    public String id() {
        return id;
    }

    /** The session options. */
    public SessionOptions options() {
        return options;
    }

    /** The gateway's counters. */
    public GatewayStats stats() {
        return stats;
    }

    /** The gateway's open sessions. */
    public SessionRegistry sessions() {
        return runtime.registry();
    }

    /**
     * Pushes to players: for game code embedded in the gateway. With a shared session directory
     * ({@link Builder#directory(String, Map)}, janus-route-redis) it reaches players on every gateway;
     * with the default {@code local} directory, this gateway's sessions.
     *
     * @return the session directory's pusher
     */
    public Pusher pusher() {
        return directory.pusher();
    }

    /**
     * The address the push service listens on.
     *
     * @return the bound address, or {@code null} when the push service is off or not started
     */
    public InetSocketAddress pushAddress() {
        return pushServer == null ? null : pushServer.address();
    }

    /**
     * The session directory logins register with.
     *
     * @return the directory
     */
    public SessionDirectory directory() {
        return directory;
    }

    /** Where the gateway is in its lifecycle. */
    public State state() {
        return state.get();
    }

    /** The names of the gateway's transports, in the order they were configured. */
    public List<String> transportNames() {
        List<String> names = new ArrayList<>();
        for (Transport transport : transports) {
            names.add(transport.name());
        }
        return names;
    }

    /**
     * Whether the gateway should receive new clients, as a load balancer's readiness check asks: it has
     * started, is not draining or stopping, and every service named by the route table has at least
     * one instance in discovery ({@link #unavailableServices()} is empty).
     *
     * @return whether the gateway is ready
     */
    public boolean isReady() {
        return state.get() == State.STARTED && unavailableServices().isEmpty();
    }

    /**
     * The services named by the route table that have no instance in discovery now: requests for their
     * modules fail until one registers. Reads discovery's local snapshot; never blocks.
     *
     * @return the service names, sorted; empty when every service has an instance
     */
    public List<String> unavailableServices() {
        List<String> missing = new ArrayList<>();
        for (String service : new TreeSet<>(moduleRoutes.services())) {
            if (discovery.instances(service).isEmpty()) {
                missing.add(service);
            }
        }
        return missing;
    }

    /**
     * The address the admin endpoint is bound to, once started.
     *
     * @return the bound address
     * @throws IllegalStateException when no admin endpoint is configured or it is not bound
     */
    public InetSocketAddress adminAddress() {
        if (admin == null) {
            throw new IllegalStateException("no admin endpoint: call admin(AdminOptions) on the builder");
        }
        InetSocketAddress address = admin.address();
        if (address == null) {
            throw new IllegalStateException("the admin endpoint is not bound; the gateway is " + state.get());
        }
        return address;
    }

    /**
     * The address a transport is bound to, once started.
     *
     * @param transport the transport name
     * @return the bound address
     * @throws IllegalStateException when the transport is not bound
     */
    public synchronized InetSocketAddress address(String transport) {
        InetSocketAddress address = boundAddresses.get(transport);
        if (address == null) {
            throw new IllegalStateException("transport '" + transport + "' is not bound; bound: "
                    + boundAddresses.keySet());
        }
        return address;
    }

    /**
     * Binds every transport and registers the embedded game services.
     *
     * @return a future completed when every transport accepts clients, or failed (after releasing what
     *         was started) when one cannot bind
     */
    public CompletableFuture<Void> start() {
        if (!state.compareAndSet(State.NEW, State.STARTING)) {
            return startFuture;
        }
        listeners.forEach(l -> l.starting(this));
        List<CompletableFuture<?>> registrations = new ArrayList<>();
        if (admin != null) {
            // First, so that /health and /ready answer while the transports bind.
            registrations.add(admin.start());
        }
        for (ServiceInstance instance : localInstances) {
            registrations.add(discovery.register(instance).toCompletableFuture());
        }
        // The directory first: a client accepted before it is ready could not log in.
        CompletableFuture<Void> directoryReady;
        try {
            directoryReady = directory.start().toCompletableFuture();
        } catch (RuntimeException e) {
            directoryReady = CompletableFuture.failedFuture(e);
        }
        registrations.add(directoryReady);
        List<CompletableFuture<InetSocketAddress>> binds = new ArrayList<>();
        for (Transport transport : transports) {
            binds.add(directoryReady.thenCompose(ready -> transport.start(
                    new GatewayTransportContext(transport.name()))).thenApply(address -> {
                synchronized (this) {
                    boundAddresses.put(transport.name(), address);
                }
                logger.info("Gateway {} accepting {} clients on {}", id, transport.name(), address);
                return address;
            }));
        }
        registrations.addAll(binds);
        if (pushServer != null) {
            registrations.add(directoryReady.thenCompose(ready -> pushServer.start()).thenAccept(address ->
                    logger.info("Gateway {} serving the push service on {}", id, address)));
        }
        CompletableFuture.allOf(registrations.toArray(new CompletableFuture<?>[0])).whenComplete((v, failure) -> {
            if (failure != null) {
                logger.error("Gateway {} failed to start", id, failure);
                startFuture.completeExceptionally(failure);
                stop();
            } else if (state.compareAndSet(State.STARTING, State.STARTED)) {
                listeners.forEach(l -> l.started(this));
                startFuture.complete(null);
            } else {
                startFuture.completeExceptionally(new IllegalStateException("stopped while starting"));
            }
        });
        return startFuture;
    }

    /**
     * Stops accepting clients, kicks every session with {@link Reason#SERVER_SHUTDOWN}, then releases
     * what the gateway created. Never blocks the caller. During a {@link #drain drain} it does not cut
     * the drain short: it returns the future the drain completes.
     *
     * @return a future completed when the gateway has stopped
     */
    public CompletableFuture<Void> stop() {
        State previous = state.getAndUpdate(s -> s == State.DRAINING || s == State.STOPPING || s == State.STOPPED
                ? s : State.STOPPING);
        if (previous == State.DRAINING || previous == State.STOPPING || previous == State.STOPPED) {
            return stopFuture;
        }
        listeners.forEach(l -> l.stopping(this));
        CompletableFuture.allOf(stopTransports(), deregister())
                .thenCompose(v -> closeSessions())
                .whenComplete((v, t) -> finish());
        return stopFuture;
    }

    /**
     * Drains the gateway without a reconnect address; see {@link #drain(String)}.
     *
     * @return a future completed when the gateway has stopped
     */
    public CompletableFuture<Void> drain() {
        return drain(null);
    }

    /**
     * Stops the gateway gracefully, in this order: withdraws the embedded services from discovery,
     * reports not ready ({@link #isReady()}), stops accepting clients, then drains every session: new
     * game requests are answered with {@link Reason#SERVER_DRAIN}, and once the requests a session has
     * in flight are answered, it receives a KICK with {@link Reason#SERVER_DRAIN} and
     * {@code reconnectAddress} and is closed. Sessions still busy at the drain timeout
     * ({@link Builder#drainTimeout(Duration)}, counted from this call) receive the same kick at once.
     * Then the gateway releases what it created, as {@link #stop()} does. Never blocks the caller.
     *
     * <p>Called again, or after {@link #stop()}, it returns the same future and changes nothing; called
     * before {@link #start()}, it just stops.
     *
     * @param reconnectAddress where clients should reconnect (host:port), or {@code null} for none
     * @return a future completed when every session is closed and the gateway has stopped
     */
    public CompletableFuture<Void> drain(String reconnectAddress) {
        State previous = state.getAndUpdate(s -> s == State.NEW || s == State.STARTING || s == State.STARTED
                ? State.DRAINING : s);
        if (previous != State.NEW && previous != State.STARTING && previous != State.STARTED) {
            return stopFuture;
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        logger.info("Gateway {} draining (timeout {} ms, reconnect address: {})", id, drainTimeout.toMillis(),
                reconnectAddress == null || reconnectAddress.isEmpty() ? "none" : reconnectAddress);
        listeners.forEach(l -> l.stopping(this));
        String message = reconnectAddress == null || reconnectAddress.isEmpty()
                ? "the gateway is draining for maintenance; reconnect"
                : "the gateway is draining for maintenance; reconnect to " + reconnectAddress;
        // A drain during start waits for the binds, so that every transport it stops is bound.
        CompletableFuture<?> started = previous == State.STARTING
                ? startFuture.handle((v, t) -> null) : CompletableFuture.completedFuture(null);
        started.thenCompose(v -> deregister())
                .thenCompose(v -> stopTransports())
                // Bounded: a slow discovery or transport must not push the drain past its timeout.
                .completeOnTimeout(null, drainTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(v -> runtime.drainSessions(message, reconnectAddress,
                        Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))))
                // The kick grace of the sessions closed at the timeout, with margin.
                .completeOnTimeout(null, drainTimeout.toMillis() + shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)
                // Whatever slipped past the drain (none expected) goes as in a stop.
                .thenCompose(v -> closeSessions())
                .whenComplete((v, t) -> {
                    if (t != null) {
                        logger.warn("Gateway {} drain failed; stopping", id, t);
                    }
                    finish();
                });
        return stopFuture;
    }

    private CompletableFuture<Void> stopTransports() {
        List<CompletableFuture<?>> steps = new ArrayList<>();
        for (Transport transport : transports) {
            steps.add(transport.stop().exceptionally(t -> {
                logger.warn("Transport {} failed to stop cleanly", transport.name(), t);
                return null;
            }));
        }
        return CompletableFuture.allOf(steps.toArray(new CompletableFuture<?>[0]));
    }

    private CompletableFuture<Void> deregister() {
        List<CompletableFuture<?>> steps = new ArrayList<>();
        for (ServiceInstance instance : localInstances) {
            CompletableFuture<Void> step;
            try {
                step = discovery.deregister(instance).toCompletableFuture();
            } catch (RuntimeException e) {
                step = CompletableFuture.failedFuture(e);
            }
            steps.add(step.exceptionally(t -> {
                logger.warn("Failed to withdraw {} from discovery", instance, t);
                return null;
            }));
        }
        return CompletableFuture.allOf(steps.toArray(new CompletableFuture<?>[0]));
    }

    /** The last step of stop and drain: the admin endpoint, then what the gateway created. */
    private void finish() {
        CompletableFuture<Void> adminStopped = admin == null ? CompletableFuture.completedFuture(null)
                : admin.stop().completeOnTimeout(null, shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (pushServer != null) {
            adminStopped = adminStopped.thenCombine(pushServer.stop(shutdownTimeout.toMillis()), (a, p) -> null);
        }
        adminStopped.whenComplete((v, t) -> {
            releaseOwned();
            state.set(State.STOPPED);
            // Stopped before it was started: a later start() must not wait forever.
            startFuture.completeExceptionally(new IllegalStateException("the gateway was stopped before it started"));
            listeners.forEach(l -> l.stopped(this));
            stopFuture.complete(null);
        });
    }

    private CompletableFuture<Void> closeSessions() {
        List<CompletableFuture<Reason>> closing = new ArrayList<>();
        for (Session session : runtime.registry().sessions()) {
            session.close(Reason.SERVER_SHUTDOWN, "the gateway is shutting down");
            closing.add(session.closeFuture());
        }
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
                .completeOnTimeout(null, shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void releaseOwned() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                logger.warn("Failed to close {}", owned.get(i), e);
            }
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        if (ownsEventLoops) {
            // Quiet period 0: every session is closed already; nothing is left to flush.
            bossGroup.shutdownGracefully(0, shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
            workerGroup.shutdownGracefully(0, shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stops the gateway and waits for it, up to twice the shutdown timeout (plus the drain timeout when
     * a drain is under way, which it lets finish). Must not be called from an event loop.
     */
    @Override
    public void close() {
        awaitStopped(stop());
    }

    private void awaitStopped(CompletableFuture<Void> stopped) {
        long draining = state.get() == State.DRAINING ? drainTimeout.toMillis() : 0;
        try {
            stopped.get(draining + shutdownTimeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
            if (ownsEventLoops) {
                workerGroup.terminationFuture().await(shutdownTimeout.toMillis() + 1000);
                bossGroup.terminationFuture().await(shutdownTimeout.toMillis() + 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            logger.warn("Gateway {} did not stop cleanly", id, e);
        }
    }

    /**
     * A future completed once the gateway has stopped (by {@link #stop()}, {@link #close()} or the JVM
     * shutdown hook).
     *
     * @return the termination future
     */
    public CompletableFuture<Void> terminationFuture() {
        return stopFuture.copy();
    }

    /**
     * Blocks until the gateway has stopped. Janus threads are daemon threads, so a {@code main} that
     * serves until SIGTERM ends with {@code closeOnJvmShutdown(); awaitTermination();}.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitTermination() throws InterruptedException {
        try {
            stopFuture.get();
        } catch (ExecutionException e) {
            // stop() always completes normally.
            throw new IllegalStateException(e);
        }
    }

    /**
     * Drains the gateway when the JVM shuts down (SIGTERM, end of main): clients finish their requests
     * in flight and receive a {@link Reason#SERVER_DRAIN} kick, within the drain timeout; the hook then
     * waits for the gateway to stop, as {@link #close()} does. Calling it again has no effect.
     *
     * @return this gateway
     */
    public synchronized Gateway closeOnJvmShutdown() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(() -> awaitStopped(drain()), "janus-shutdown-" + id);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            stopFuture.thenRun(() -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // Already shutting down: the hook is running.
                }
            });
        }
        return this;
    }

    @Override
    public String toString() {
        return "Gateway{id=" + id + ", state=" + state.get() + ", transports=" + boundAddresses + "}";
    }

    private final class GatewayTransportContext implements TransportContext {
        private final String transport;

        GatewayTransportContext(String transport) {
            this.transport = transport;
        }

        @Override
        public EventLoopGroup bossGroup() {
            return bossGroup;
        }

        @Override
        public EventLoopGroup workerGroup() {
            return workerGroup;
        }

        @Override
        public int maxFrameLength() {
            return options.maxFrameLength();
        }

        @Override
        public void initSession(Channel channel) {
            runtime.initSession(channel, transport);
        }

        @Override
        public void recordFailure(Reason reason) {
            stats.recordSessionClosed(reason);
        }
    }

    /** Lets the tunnel push before the runtime exists (it needs the tunnel). */
    private static final class ForwardingPusher implements Pusher {
        private final AtomicReference<GatewayRuntime> runtime;

        ForwardingPusher(AtomicReference<GatewayRuntime> runtime) {
            this.runtime = runtime;
        }

        @Override
        public java.util.concurrent.CompletionStage<Boolean> pushToPlayer(long playerId, io.janus.core.game.Push push) {
            return runtime.get().localPusher().pushToPlayer(playerId, push);
        }

        @Override
        public java.util.concurrent.CompletionStage<Boolean> pushToSession(long sessionId,
                io.janus.core.game.Push push) {
            return runtime.get().localPusher().pushToSession(sessionId, push);
        }

        @Override
        public java.util.concurrent.CompletionStage<Boolean> kick(long playerId, Reason reason, String message) {
            return runtime.get().localPusher().kick(playerId, reason, message);
        }

        @Override
        public java.util.concurrent.CompletionStage<Integer> multicast(java.util.Collection<Long> playerIds,
                io.janus.core.game.Push push) {
            return runtime.get().localPusher().multicast(playerIds, push);
        }

        @Override
        public java.util.concurrent.CompletionStage<Integer> broadcast(io.janus.core.game.Push push,
                io.janus.core.game.Audience audience) {
            return runtime.get().localPusher().broadcast(push, audience);
        }

        @Override
        public java.util.concurrent.CompletionStage<Boolean> kickSession(long sessionId, Reason reason,
                String message) {
            return runtime.get().localPusher().kickSession(sessionId, reason, message);
        }
    }

    /** Builds a {@link Gateway}. Not thread-safe. */
    public static final class Builder {

        private static final class TransportSpec {
            final String name;
            final InetSocketAddress address;
            final Map<String, String> properties;

            TransportSpec(String name, InetSocketAddress address, Map<String, String> properties) {
                this.name = name;
                this.address = address;
                this.properties = properties;
            }
        }

        private String id;
        private GatewayIdentity identity;
        private ClientAttestation attestation = ClientAttestation.NONE;
        private SessionOptions options = SessionOptions.defaults();
        private final List<Transport> transports = new ArrayList<>();
        private final List<TransportSpec> transportSpecs = new ArrayList<>();
        private final List<GatewayListener> listeners = new ArrayList<>();
        private final Map<String, GameHandlers> localServices = new LinkedHashMap<>();
        private ModuleRoutes routes;
        private Authenticator authenticator;
        private String authenticatorName;
        private Map<String, String> authenticatorProperties = Map.of();
        private InetSocketAddress pushAddress;
        private SessionDirectory directory;
        private java.util.function.Function<SessionDirectoryContext, SessionDirectory> directoryFactory;
        private String directoryName;
        private Map<String, String> directoryProperties = Map.of();
        private Router router;
        private String routerName;
        private Map<String, String> routerProperties = Map.of();
        private Tunnel tunnel;
        private String tunnelName;
        private Map<String, String> tunnelProperties = Map.of();
        private Discovery discovery;
        private String discoveryName;
        private Map<String, String> discoveryProperties = Map.of();
        private EventLoopGroup bossGroup;
        private EventLoopGroup workerGroup;
        private int workerThreads;
        private Executor blockingExecutor;
        private int blockingThreads = 16;
        private int blockingQueueCapacity = 10_000;
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private AdminOptions admin;
        private OpenTelemetry openTelemetry;
        private byte[] resumeTicketKey;

        private Builder() {
        }

        /**
         * Sets the key that seals session resume tickets (docs/protocol.md, section 14): AES-256-GCM,
         * 32 bytes. By default each gateway process draws a random key, so a session resumes on the gateway
         * that holds it; a fleet that shares one key can read each other's tickets (the groundwork for
         * cross-gateway resume).
         *
         * @param key 32 bytes; copied
         * @return this builder
         */
        public Builder resumeTicketKey(byte[] key) {
            if (requireNonNull(key, "key").length != io.janus.core.crypto.ResumeTicket.KEY_LENGTH) {
                throw new IllegalArgumentException("resumeTicketKey: " + key.length + " bytes (expected: 32)");
            }
            this.resumeTicketKey = key.clone();
            return this;
        }

        /**
         * Sets this gateway's id (a random one by default).
         *
         * @param id unique among the gateways of a cluster
         * @return this builder
         */
        public Builder id(String id) {
            this.id = requireNonNull(id, "id");
            return this;
        }

        /**
         * Sets the key and certificate the gateway proves itself with in every handshake. Required.
         *
         * @param identity the gateway key and its certificate from the studio's root key
         * @return this builder
         */
        public Builder identity(GatewayIdentity identity) {
            this.identity = requireNonNull(identity, "identity");
            return this;
        }

        /**
         * Requires client app attestation (docs/protocol.md, section 5): only logins signed by one of
         * these app keys are accepted. Off by default.
         *
         * @param attestation the policy
         * @return this builder
         */
        public Builder clientAttestation(ClientAttestation attestation) {
            this.attestation = requireNonNull(attestation, "attestation");
            return this;
        }

        /**
         * Listens with a transport found by name in the {@link TransportRegistry}, on all interfaces.
         *
         * @param transport the provider name, e.g. {@code tcp}
         * @param port the port; 0 picks a free one (see {@link Gateway#address})
         * @return this builder
         */
        public Builder listen(String transport, int port) {
            return listen(transport, new InetSocketAddress(port), Map.of());
        }

        /**
         * Listens with a transport found by name in the {@link TransportRegistry}.
         *
         * @param transport the provider name
         * @param address the address to bind
         * @param properties transport-specific properties
         * @return this builder
         */
        public Builder listen(String transport, InetSocketAddress address, Map<String, String> properties) {
            transportSpecs.add(new TransportSpec(requireNonNull(transport, "transport"),
                    requireNonNull(address, "address"), Map.copyOf(properties)));
            return this;
        }

        /**
         * Listens with a transport built by hand.
         *
         * @param transport the transport, not started
         * @return this builder
         */
        public Builder transport(Transport transport) {
            transports.add(requireNonNull(transport, "transport"));
            return this;
        }

        /**
         * Sets the authenticator.
         *
         * @param authenticator checks login tokens; not closed by the gateway
         * @return this builder
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Uses the authenticator provider of that name.
         *
         * @param name the provider name
         * @param properties its properties
         * @return this builder
         */
        public Builder authenticator(String name, Map<String, String> properties) {
            this.authenticatorName = requireNonNull(name, "name");
            this.authenticatorProperties = Map.copyOf(properties);
            return this;
        }

        /**
         * Embeds the game's handlers as the service {@value Gateway#DEFAULT_SERVICE}, which serves every
         * module that the route table does not send elsewhere.
         *
         * @param handlers the game's handlers
         * @return this builder
         */
        public Builder game(GameHandlers handlers) {
            return service(DEFAULT_SERVICE, handlers);
        }

        /**
         * Embeds a game service in the gateway's JVM.
         *
         * @param name the service name used in the route table
         * @param handlers its handlers
         * @return this builder
         */
        public Builder service(String name, GameHandlers handlers) {
            localServices.put(requireNonNull(name, "name"), requireNonNull(handlers, "handlers"));
            return this;
        }

        /**
         * Sets which service serves each module. Without it, every module goes to the embedded
         * {@value Gateway#DEFAULT_SERVICE} service.
         *
         * @param routes the module table
         * @return this builder
         */
        public Builder routes(ModuleRoutes routes) {
            this.routes = requireNonNull(routes, "routes");
            return this;
        }

        /**
         * Sets the router.
         *
         * @param router the router; not closed by the gateway
         * @return this builder
         */
        public Builder router(Router router) {
            this.router = requireNonNull(router, "router");
            return this;
        }

        /**
         * Uses the router provider of that name.
         *
         * @param name the provider name
         * @param properties its properties
         * @return this builder
         */
        public Builder router(String name, Map<String, String> properties) {
            this.routerName = requireNonNull(name, "name");
            this.routerProperties = Map.copyOf(properties);
            return this;
        }

        /**
         * Serves janus-api's {@code PushService} (push.proto) on a port: game services in any language
         * push to players, multicast and broadcast through any gateway, which hands the message to its
         * session directory ({@link #directory(String, Map)}). Off by default. Like the admin endpoint,
         * it is for the game's backend network only: bind it to an internal address.
         *
         * @param address where to listen (port 0 picks a free port)
         * @return this builder
         */
        public Builder pushService(InetSocketAddress address) {
            this.pushAddress = requireNonNull(address, "address");
            return this;
        }

        /**
         * Sets the session directory: where each player's session is recorded for the other gateways of a
         * fleet, and how pushes reach them (janus-route-redis' {@code RedisSessionDirectory}).
         *
         * @param directory the directory; started by the gateway, not closed by it
         * @return this builder
         */
        public Builder directory(SessionDirectory directory) {
            this.directory = requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Builds the session directory from the gateway's context (its id, local pusher and sessions),
         * for a directory built in code rather than by name, such as
         * {@code directory(ctx -> RedisSessionDirectory.builder(ctx).redisOptions(options).build())}.
         *
         * @param factory called once while the gateway is built; the gateway starts and closes its result
         * @return this builder
         */
        public Builder directory(java.util.function.Function<SessionDirectoryContext, SessionDirectory> factory) {
            this.directoryFactory = requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Uses the session directory provider of that name ({@code local}, the default, or {@code redis}
         * from janus-route-redis).
         *
         * @param name the provider name
         * @param properties the provider's properties
         * @return this builder
         */
        public Builder directory(String name, Map<String, String> properties) {
            this.directoryName = requireNonNull(name, "name");
            this.directoryProperties = Map.copyOf(properties);
            return this;
        }

        /**
         * Sets the tunnel.
         *
         * @param tunnel the tunnel; not closed by the gateway
         * @return this builder
         */
        public Builder tunnel(Tunnel tunnel) {
            this.tunnel = requireNonNull(tunnel, "tunnel");
            return this;
        }

        /**
         * Uses the tunnel provider of that name.
         *
         * @param name the provider name
         * @param properties its properties
         * @return this builder
         */
        public Builder tunnel(String name, Map<String, String> properties) {
            this.tunnelName = requireNonNull(name, "name");
            this.tunnelProperties = Map.copyOf(properties);
            return this;
        }

        /**
         * Sets the discovery.
         *
         * @param discovery the discovery; not closed by the gateway
         * @return this builder
         */
        public Builder discovery(Discovery discovery) {
            this.discovery = requireNonNull(discovery, "discovery");
            return this;
        }

        /**
         * Uses the discovery provider of that name.
         *
         * @param name the provider name
         * @param properties its properties
         * @return this builder
         */
        public Builder discovery(String name, Map<String, String> properties) {
            this.discoveryName = requireNonNull(name, "name");
            this.discoveryProperties = Map.copyOf(properties);
            return this;
        }

        /**
         * Sets the session limits and timeouts.
         *
         * @param options the options
         * @return this builder
         */
        public Builder sessionOptions(SessionOptions options) {
            this.options = requireNonNull(options, "options");
            return this;
        }

        /**
         * Runs the gateway on event loops owned by the caller, which the gateway never shuts down.
         *
         * @param boss accepts connections
         * @param worker serves sessions
         * @return this builder
         */
        public Builder eventLoopGroups(EventLoopGroup boss, EventLoopGroup worker) {
            this.bossGroup = requireNonNull(boss, "boss");
            this.workerGroup = requireNonNull(worker, "worker");
            return this;
        }

        /**
         * Sets the number of worker threads of the event loops the gateway creates.
         *
         * @param threads at least 0; 0 means Netty's default, twice the cores
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("workerThreads: " + threads + " (expected: >= 0)");
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * Runs blocking game handlers on an executor owned by the caller, which the gateway never shuts
         * down. It should be bounded: a request it refuses is answered with {@link Reason#OVERLOADED}.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder blockingExecutor(Executor executor) {
            this.blockingExecutor = requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sizes the blocking executor the gateway creates when none is given.
         *
         * @param threads at least 1 (default 16)
         * @param queueCapacity tasks that may wait, at least 1 (default 10,000)
         * @return this builder
         */
        public Builder blockingThreads(int threads, int queueCapacity) {
            if (threads < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("blockingThreads: " + threads + ", queueCapacity: "
                        + queueCapacity + " (expected: both >= 1)");
            }
            this.blockingThreads = threads;
            this.blockingQueueCapacity = queueCapacity;
            return this;
        }

        /**
         * Sets how long {@link Gateway#stop()} waits for sessions to close and event loops to finish.
         *
         * @param timeout positive (default 5 s)
         * @return this builder
         */
        public Builder shutdownTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("shutdownTimeout: " + timeout + " (expected: > 0)");
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * Sets how long {@link Gateway#drain(String)} lets sessions finish the requests they have in
         * flight before it kicks them anyway.
         *
         * @param timeout positive (default 30 s)
         * @return this builder
         */
        public Builder drainTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("drainTimeout: " + timeout + " (expected: > 0)");
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * Serves the operator's admin endpoint (health, readiness, statistics, metrics, drain, kick) on
         * a port of its own, started and stopped with the gateway; see {@link AdminServer}. Off by
         * default.
         *
         * @param options where it listens, and its bearer token
         * @return this builder
         */
        public Builder admin(AdminOptions options) {
            this.admin = requireNonNull(options, "options");
            return this;
        }

        /**
         * Sends the gateway's metrics and traces to an OpenTelemetry SDK (see
         * {@link io.janus.core.telemetry.GatewayTelemetry} for what is measured). By default the gateway
         * uses the globally registered instance ({@link GlobalOpenTelemetry#getOrNoop()}: the Java
         * agent's, or one the game registered before building the gateway), and the no-op API when
         * there is none, which costs next to nothing.
         *
         * @param openTelemetry the SDK (or any implementation of the API)
         * @return this builder
         */
        public Builder openTelemetry(OpenTelemetry openTelemetry) {
            this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
            return this;
        }

        /**
         * Adds a lifecycle listener.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(GatewayListener listener) {
            listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Builds the gateway, selecting providers for the components not given. Nothing is bound until
         * {@link Gateway#start()}.
         *
         * @return the gateway
         * @throws IllegalStateException when a named provider is missing (the message names the artifact
         *         to add) or no transport is configured
         */
        public Gateway build() {
            return new Gateway(this);
        }
    }
}
