package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Lettuce connection to a standalone Redis, used asynchronously by the route tables and the token
 * replay cache. Every operation returns a {@link CompletionStage}; nothing here blocks the caller, so
 * it may be used from an event loop.
 *
 * <p>The client and its {@code ClientResources} are created here and closed by {@link #closeAsync()}.
 * Options applied (see {@link RedisRouteOptions}): a fixed command timeout, a bounded request queue,
 * commands rejected at once while disconnected, automatic reconnection with an exponential delay
 * from 10 ms up to {@value #MAX_RECONNECT_DELAY_MS} ms, so that service resumes within about a second
 * of Redis coming back.
 *
 * <p>Redis Cluster is not supported yet; the key names ({@link RouteKey}) are already laid out for it.
 */
public final class RedisRouteClient implements AutoCloseable {

    /** The longest wait between two reconnection attempts, in milliseconds. */
    public static final long MAX_RECONNECT_DELAY_MS = 1000;

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final StatefulRedisConnection<String, String> connection;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisRouteClient(ClientResources resources, RedisClient client, RedisURI uri,
            StatefulRedisConnection<String, String> connection) {
        this.uri = uri;
        this.resources = resources;
        this.client = client;
        this.connection = connection;
    }

    /**
     * Connects to Redis.
     *
     * @param options where Redis is and the bounds to apply
     * @return a stage completed with the connected client, or exceptionally when Redis cannot be reached
     *         within the connect timeout (the Lettuce client is then shut down)
     */
    public static CompletionStage<RedisRouteClient> connect(RedisRouteOptions options) {
        requireNonNull(options, "options");
        if (options.isCluster()) {
            // Cluster connections follow in the next change; refuse rather than talk to one node as if standalone.
            return CompletableFuture.failedStage(new UnsupportedOperationException("Redis Cluster mode not implemented yet"));
        }
        RedisURI uri = RedisURI.builder()
                .withHost(options.host())
                .withPort(options.port())
                .withTimeout(options.commandTimeout())
                .build();
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofMillis(MAX_RECONNECT_DELAY_MS),
                        2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .requestQueueSize(options.requestQueueSize())
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(options.connectTimeout()).build())
                .build());
        CompletableFuture<RedisRouteClient> result = new CompletableFuture<>();
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((connection, error) -> {
            if (error != null) {
                client.shutdownAsync()
                        .thenCompose(ignored -> shutdown(resources))
                        .whenComplete((ignored, shutdownError) -> result.completeExceptionally(error));
            } else {
                result.complete(new RedisRouteClient(resources, client, uri, connection));
            }
        });
        return result;
    }

    /**
     * The asynchronous command API of the shared connection: the commands standalone Redis and Redis
     * Cluster have in common. Callers must not block on its futures from an event loop and must not
     * close the connection.
     *
     * @return the async commands
     */
    public RedisClusterAsyncCommands<String, String> async() {
        return connection.async();
    }

    /**
     * Opens a connection for subscriptions (SUBSCRIBE takes a connection over, so it cannot share the
     * command connection). It reconnects as the command connection does and Lettuce subscribes again to
     * its channels after a reconnection. The caller closes it.
     *
     * @return a stage completed with the connection
     */
    public CompletionStage<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
        return client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture();
    }

    /**
     * Whether the connection is open now (it may be reconnecting after an outage).
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
        return connection.closeAsync().handle((ignored, error) -> null)
                .thenCompose(ignored -> client.shutdownAsync())
                .thenCompose(ignored -> shutdown(resources));
    }

    /** Shuts resources down, turning Netty's future into a JDK one. */
    private static CompletableFuture<Void> shutdown(ClientResources resources) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        resources.shutdown().addListener(future -> {
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
        return "RedisRouteClient{connected=" + isConnected() + "}";
    }
}
