package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.Disposable;

/**
 * One asynchronous Lettuce connection to Redis, standalone or Redis Cluster, used by the route tables,
 * the token replay cache and the session directory. Every operation returns a {@link CompletionStage};
 * nothing here blocks the caller, so it may be used from an event loop.
 *
 * <p>The client and its {@code ClientResources} are created here and closed by {@link #closeAsync()}.
 * Options applied in both modes (see {@link RedisRouteOptions}): a fixed command timeout, a bounded
 * request queue (per node connection in a cluster), commands rejected at once while disconnected,
 * automatic reconnection with an exponential delay from 10 ms up to {@value #MAX_RECONNECT_DELAY_MS}
 * ms, so that service resumes within about a second of Redis coming back.
 *
 * <p><b>Redis Cluster</b> ({@link RedisRouteOptions#isCluster()}): a Lettuce {@code RedisClusterClient}
 * reads the slot map from the seed nodes and sends each command to the master owning its key's hash
 * slot (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/, "Key distribution
 * model" and "Redirection and resharding": it follows {@code MOVED}/{@code ASK}, at most
 * {@value #MAX_REDIRECTS} times per command). {@code EVAL}/{@code EVALSHA} are routed by their first key;
 * the scripts of this module each touch exactly one key, so they always run on the key's master. The
 * topology is refreshed every {@link RedisRouteOptions#topologyRefreshPeriod()} and at once (at most
 * once per {@value #ADAPTIVE_REFRESH_MIN_INTERVAL_MS} ms) on redirections and persistent reconnection
 * attempts. While a master is down, commands for its slots fail at once (or time out) and commands for
 * other slots keep working.
 */
public final class RedisRouteClient implements AutoCloseable {

    /** The longest wait between two reconnection attempts, in milliseconds. */
    public static final long MAX_RECONNECT_DELAY_MS = 1000;
    /** Cluster mode: the most {@code MOVED}/{@code ASK} redirections followed for one command. */
    public static final int MAX_REDIRECTS = 5;
    /** Cluster mode: the shortest interval between two topology refreshes triggered by events, in ms. */
    public static final long ADAPTIVE_REFRESH_MIN_INTERVAL_MS = 1000;

    private static final long CLOSE_GRACE_MS = 500;
    private static final long CLOSE_POLL_MS = 20;
    private static final long SHUTDOWN_QUIET_MS = 50;
    private static final long SHUTDOWN_TIMEOUT_MS = 2000;

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final Supplier<CompletionStage<StatefulRedisPubSubConnection<String, String>>> pubSub;
    private final boolean cluster;
    private final Disposable topologyWatch;
    private final long connectTimeoutNanos;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisRouteClient(ClientResources resources, AbstractRedisClient client,
            StatefulConnection<String, String> connection, RedisClusterAsyncCommands<String, String> commands,
            Supplier<CompletionStage<StatefulRedisPubSubConnection<String, String>>> pubSub, boolean cluster,
            Disposable topologyWatch, Duration connectTimeout) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.commands = commands;
        this.pubSub = pubSub;
        this.cluster = cluster;
        this.topologyWatch = topologyWatch;
        this.connectTimeoutNanos = connectTimeout.toNanos();
    }

    /**
     * Connects to Redis: to the standalone server, or to the cluster through its seed nodes (the stage
     * completes once the slot map is read and the connection is up).
     *
     * @param options where Redis is and the bounds to apply
     * @return a stage completed with the connected client, or exceptionally when Redis cannot be reached
     *         within the connect timeout (the Lettuce client is then shut down)
     */
    public static CompletionStage<RedisRouteClient> connect(RedisRouteOptions options) {
        requireNonNull(options, "options");
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofMillis(MAX_RECONNECT_DELAY_MS),
                        2, TimeUnit.MILLISECONDS))
                .build();
        return options.isCluster() ? connectCluster(options, resources) : connectStandalone(options, resources);
    }

    private static CompletionStage<RedisRouteClient> connectStandalone(RedisRouteOptions options,
            ClientResources resources) {
        RedisURI uri = uri(options, options.host(), options.port());
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .requestQueueSize(options.requestQueueSize())
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(socketOptions(options))
                .build());
        Supplier<CompletionStage<StatefulRedisPubSubConnection<String, String>>> pubSub =
                () -> client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture();
        return finish(client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture(), client, resources,
                (StatefulRedisConnection<String, String> c) -> new RedisRouteClient(resources, client, c,
                        c.async(), pubSub, false, null, options.connectTimeout()));
    }

    private static CompletionStage<RedisRouteClient> connectCluster(RedisRouteOptions options,
            ClientResources resources) {
        List<RedisURI> seeds = new ArrayList<>(options.addresses().size());
        for (InetSocketAddress seed : options.addresses()) {
            seeds.add(uri(options, seed.getHostString(), seed.getPort()));
        }
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .requestQueueSize(options.requestQueueSize())
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(socketOptions(options))
                .maxRedirects(MAX_REDIRECTS)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(options.topologyRefreshPeriod())
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(ADAPTIVE_REFRESH_MIN_INTERVAL_MS))
                        .build())
                .build());
        Supplier<CompletionStage<StatefulRedisPubSubConnection<String, String>>> pubSub =
                () -> client.connectPubSubAsync(StringCodec.UTF8).thenApply(c -> c);
        // Read the slot map first, asynchronously: connectAsync refuses to start without one and
        // getPartitions() would load it by blocking the caller.
        CompletableFuture<StatefulRedisClusterConnection<String, String>> connecting = client.refreshPartitionsAsync()
                .toCompletableFuture().thenCompose(ignored -> client.connectAsync(StringCodec.UTF8))
                .thenCompose(c -> connectMasters(c, c.getPartitions()).thenApply(ignored -> c));
        return finish(connecting, client, resources, (StatefulRedisClusterConnection<String, String> c) -> {
            // Masters that appear later (resharding, fail-over) are connected as soon as the topology shows them.
            Disposable topologyWatch = resources.eventBus().get()
                    .filter(ClusterTopologyChangedEvent.class::isInstance)
                    .subscribe(event -> connectMasters(c, ((ClusterTopologyChangedEvent) event).after()));
            return new RedisRouteClient(resources, client, c, c.async(), pubSub, true, topologyWatch,
                    options.connectTimeout());
        });
    }

    /**
     * Opens the connection to every master now. Lettuce opens node connections lazily, and with
     * {@code REJECT_COMMANDS} a command sent while its node's first connection is still being opened
     * fails; connecting first keeps the first commands after start-up or a topology change from failing.
     * A master that cannot be reached is skipped (its commands fail until it is back).
     */
    private static CompletableFuture<Void> connectMasters(StatefulRedisClusterConnection<String, String> connection,
            Iterable<RedisClusterNode> nodes) {
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        for (RedisClusterNode node : nodes) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && node.getUri() != null) {
                connecting.add(connection.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                        .handle((ignored, error) -> null));
            }
        }
        return CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new));
    }

    private static RedisURI uri(RedisRouteOptions options, String host, int port) {
        return RedisURI.builder().withHost(host).withPort(port).withTimeout(options.commandTimeout()).build();
    }

    private static SocketOptions socketOptions(RedisRouteOptions options) {
        return SocketOptions.builder().connectTimeout(options.connectTimeout()).build();
    }

    /** Completes with the wrapped connection, or shuts the client down and fails. */
    private static <C> CompletionStage<RedisRouteClient> finish(CompletableFuture<C> connecting,
            AbstractRedisClient client, ClientResources resources, Function<C, RedisRouteClient> wrap) {
        CompletableFuture<RedisRouteClient> result = new CompletableFuture<>();
        connecting.whenComplete((connection, error) -> {
            if (error != null) {
                client.shutdownAsync()
                        .thenCompose(ignored -> shutdown(resources))
                        .whenComplete((ignored, shutdownError) -> result.completeExceptionally(error));
            } else {
                result.complete(wrap.apply(connection));
            }
        });
        return result;
    }

    /**
     * The asynchronous command API of the shared connection: the commands standalone Redis and Redis
     * Cluster have in common. In cluster mode each keyed command goes to the master of its key's slot;
     * multi-key commands need keys of one slot (a shared hash tag). Callers must not block on its
     * futures from an event loop and must not close the connection.
     *
     * @return the async commands
     */
    public RedisClusterAsyncCommands<String, String> async() {
        return commands;
    }

    /**
     * Whether this client talks to a Redis Cluster.
     *
     * @return {@code true} in cluster mode
     */
    public boolean isCluster() {
        return cluster;
    }

    /**
     * Opens a connection for subscriptions (SUBSCRIBE takes a connection over, so it cannot share the
     * command connection). It reconnects as the command connection does and Lettuce subscribes again to
     * its channels after a reconnection. The caller closes it.
     *
     * <p>In cluster mode this is a {@code StatefulRedisClusterPubSubConnection}: classic
     * {@code SUBSCRIBE}/{@code PUBLISH} are cluster-wide (the cluster bus forwards every published
     * message to all nodes, cluster specification, "Pub/Sub"), so a subscriber connected to any node
     * receives messages published through any other.
     *
     * @return a stage completed with the connection
     */
    public CompletionStage<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
        return pubSub.get();
    }

    /**
     * Whether the connection is open now (it may be reconnecting after an outage). In cluster mode,
     * whether the cluster connection is open; connections to single nodes may be reconnecting.
     *
     * @return {@code true} when connected
     */
    public boolean isConnected() {
        return connection.isOpen();
    }

    /**
     * Closes the connection and shuts the Lettuce client down. Idempotent.
     *
     * @return a stage completed when everything is released
     */
    public CompletionStage<Void> closeAsync() {
        if (!closed.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> quiet = CompletableFuture.completedFuture(null);
        if (client instanceof RedisClusterClient) {
            topologyWatch.dispose();
            RedisClusterClient clusterClient = (RedisClusterClient) client;
            clusterClient.suspendTopologyRefresh();
            quiet = refreshFinished(clusterClient, resources, System.nanoTime()
                    + connectTimeoutNanos + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MS));
        }
        return quiet.thenCompose(ignored -> connection.closeAsync().handle((v, error) -> null))
                .thenCompose(ignored -> client.shutdownAsync())
                .thenCompose(ignored -> shutdown(resources));
    }

    /**
     * Completes once no topology refresh is running, or at the deadline. A refresh opens connections to
     * every node; shutting the event loops down under it could drop their close and leak their buffers.
     * Polls every {@value #CLOSE_POLL_MS} ms on Lettuce's event executors; never blocks.
     */
    private static CompletableFuture<Void> refreshFinished(RedisClusterClient client, ClientResources resources,
            long deadlineNanos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (!client.isTopologyRefreshInProgress() || System.nanoTime() - deadlineNanos >= 0) {
                    done.complete(null);
                } else {
                    resources.eventExecutorGroup().schedule(this, CLOSE_POLL_MS, TimeUnit.MILLISECONDS);
                }
            }
        };
        check.run();
        return done;
    }

    /**
     * Shuts resources down, turning Netty's future into a JDK one. The short quiet period lets the
     * event loops run the channel closes queued just before (they release Lettuce's read buffers).
     */
    private static CompletableFuture<Void> shutdown(ClientResources resources) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        resources.shutdown(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).addListener(future -> {
            if (future.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(future.cause());
            }
        });
        return done;
    }

    /** Closes the connection, the client and its resources, and waits; never call from an event loop. */
    @Override
    public void close() {
        closeAsync().toCompletableFuture().join();
    }

    @Override
    public String toString() {
        return "RedisRouteClient{" + (cluster ? "cluster, " : "") + "connected=" + isConnected() + "}";
    }
}
