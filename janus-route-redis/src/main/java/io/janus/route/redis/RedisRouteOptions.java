package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Immutable options of a {@link RedisRouteClient}: where Redis is (one standalone server or the seed
 * nodes of a Redis Cluster) and how long and how much it may make callers wait. Built with
 * {@link #builder()} or read from string properties with {@link #fromProperties(Map)}.
 *
 * <p>Bounds: at most {@link #requestQueueSize()} commands wait in Lettuce's queue per connection (more
 * fail at once), and each command fails after {@link #commandTimeout()}. While disconnected, commands
 * are refused at once rather than queued, so a Redis outage never builds a backlog. At most
 * {@value #MAX_ADDRESSES} cluster seed addresses are accepted.
 *
 * <h2>Modes</h2>
 * <ul>
 *   <li>{@link Mode#STANDALONE} (the default): one server at {@link #host()}:{@link #port()};</li>
 *   <li>{@link Mode#CLUSTER}: a Redis Cluster discovered from {@link #addresses()}, the seed nodes
 *       (any reachable one is enough: the client reads the whole topology from it) and kept up to
 *       date every
 *       {@link #topologyRefreshPeriod()} and at once on redirections or lost connections.</li>
 * </ul>
 *
 * <h2>Properties</h2>
 * The gateway configures routers and session directories with string properties (config.yaml's
 * {@code router.properties}); {@link #fromProperties(Map)} reads these keys, ignores keys that do not
 * start with {@code redis.} and refuses unknown {@code redis.} keys so that a typo is not ignored:
 * <table>
 *   <caption>Redis properties</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code redis.addresses}</td><td>comma-separated {@code host:port} (IPv6 as
 *       {@code [::1]:6379}); standalone: exactly one; cluster: the seed nodes, 1 to
 *       {@value #MAX_ADDRESSES}</td><td>{@code 127.0.0.1:6379}</td></tr>
 *   <tr><td>{@code redis.cluster}</td><td>{@code true} for Redis Cluster, {@code false} for
 *       standalone</td><td>{@code false}</td></tr>
 *   <tr><td>{@code redis.commandTimeoutMs}</td><td>command timeout, milliseconds, above 0</td>
 *       <td>2000</td></tr>
 *   <tr><td>{@code redis.connectTimeoutMs}</td><td>connect timeout, milliseconds, above 0</td>
 *       <td>2000</td></tr>
 *   <tr><td>{@code redis.requestQueueSize}</td><td>commands queued per connection, above 0</td>
 *       <td>10000</td></tr>
 *   <tr><td>{@code redis.topologyRefreshMs}</td><td>cluster only: period of the topology refresh,
 *       milliseconds, above 0</td><td>30000</td></tr>
 * </table>
 * For example {@code redis.addresses=127.0.0.1:7000,127.0.0.1:7001}, {@code redis.cluster=true},
 * {@code redis.commandTimeoutMs=500}.
 */
public final class RedisRouteOptions {

    /** Where Redis is: one server, or a Redis Cluster. */
    public enum Mode {
        /** One standalone Redis server. */
        STANDALONE,
        /** A Redis Cluster reached through seed nodes. */
        CLUSTER
    }

    /** The default command timeout: 2 seconds. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** The default connect timeout: 2 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The default bound on queued commands per connection. */
    public static final int DEFAULT_REQUEST_QUEUE_SIZE = 10_000;
    /** The default period of the cluster topology refresh: 30 seconds. */
    public static final Duration DEFAULT_TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(30);
    /** The most cluster seed addresses accepted. */
    public static final int MAX_ADDRESSES = 64;

    /** Property: comma-separated {@code host:port} addresses. */
    public static final String PROPERTY_ADDRESSES = "redis.addresses";
    /** Property: {@code true} for Redis Cluster. */
    public static final String PROPERTY_CLUSTER = "redis.cluster";
    /** Property: command timeout in milliseconds. */
    public static final String PROPERTY_COMMAND_TIMEOUT_MS = "redis.commandTimeoutMs";
    /** Property: connect timeout in milliseconds. */
    public static final String PROPERTY_CONNECT_TIMEOUT_MS = "redis.connectTimeoutMs";
    /** Property: bound on queued commands per connection. */
    public static final String PROPERTY_REQUEST_QUEUE_SIZE = "redis.requestQueueSize";
    /** Property: period of the cluster topology refresh in milliseconds. */
    public static final String PROPERTY_TOPOLOGY_REFRESH_MS = "redis.topologyRefreshMs";

    private static final String PREFIX = "redis.";
    private static final Set<String> KEYS = Set.of(PROPERTY_ADDRESSES, PROPERTY_CLUSTER,
            PROPERTY_COMMAND_TIMEOUT_MS, PROPERTY_CONNECT_TIMEOUT_MS, PROPERTY_REQUEST_QUEUE_SIZE,
            PROPERTY_TOPOLOGY_REFRESH_MS);

    private final Mode mode;
    private final String host;
    private final int port;
    private final List<InetSocketAddress> seeds;
    private final Duration commandTimeout;
    private final Duration connectTimeout;
    private final int requestQueueSize;
    private final Duration topologyRefreshPeriod;

    private RedisRouteOptions(Builder builder) {
        this.mode = builder.mode;
        this.host = builder.host;
        this.port = builder.port;
        this.seeds = builder.seeds;
        this.commandTimeout = builder.commandTimeout;
        this.connectTimeout = builder.connectTimeout;
        this.requestQueueSize = builder.requestQueueSize;
        this.topologyRefreshPeriod = builder.topologyRefreshPeriod;
    }

    /**
     * Starts options for a standalone Redis at 127.0.0.1:6379.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads options from string properties (the keys are listed in this class's description). Keys
     * without the {@code redis.} prefix are ignored; absent keys take their defaults.
     *
     * @param properties the properties, for instance a router's
     * @return the options
     * @throws IllegalArgumentException naming the key, when a {@code redis.} key is unknown or a value
     *         is malformed or out of range
     */
    public static RedisRouteOptions fromProperties(Map<String, String> properties) {
        requireNonNull(properties, "properties");
        for (String key : properties.keySet()) {
            if (key != null && key.startsWith(PREFIX) && !KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown property " + key + " (expected one of: "
                        + String.join(", ", sorted(KEYS)) + ")");
            }
        }
        Builder builder = builder();
        boolean cluster = booleanProperty(properties, PROPERTY_CLUSTER, false);
        String addressList = properties.get(PROPERTY_ADDRESSES);
        List<InetSocketAddress> addresses = addressList == null
                ? List.of(InetSocketAddress.createUnresolved("127.0.0.1", 6379))
                : parseAddresses(addressList);
        if (cluster) {
            builder.cluster(addresses);
        } else {
            if (addresses.size() != 1) {
                throw new IllegalArgumentException("property " + PROPERTY_ADDRESSES + ": " + addresses.size()
                        + " addresses (expected: exactly 1 unless " + PROPERTY_CLUSTER + "=true)");
            }
            builder.standalone(addresses.get(0).getHostString(), addresses.get(0).getPort());
        }
        long commandMs = longProperty(properties, PROPERTY_COMMAND_TIMEOUT_MS, -1);
        if (commandMs != -1) {
            builder.commandTimeout(Duration.ofMillis(positive(commandMs, PROPERTY_COMMAND_TIMEOUT_MS)));
        }
        long connectMs = longProperty(properties, PROPERTY_CONNECT_TIMEOUT_MS, -1);
        if (connectMs != -1) {
            builder.connectTimeout(Duration.ofMillis(positive(connectMs, PROPERTY_CONNECT_TIMEOUT_MS)));
        }
        long queue = longProperty(properties, PROPERTY_REQUEST_QUEUE_SIZE, -1);
        if (queue != -1) {
            if (queue < 1 || queue > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("property " + PROPERTY_REQUEST_QUEUE_SIZE + ": " + queue
                        + " (expected: 1-" + Integer.MAX_VALUE + ")");
            }
            builder.requestQueueSize((int) queue);
        }
        long refreshMs = longProperty(properties, PROPERTY_TOPOLOGY_REFRESH_MS, -1);
        if (refreshMs != -1) {
            builder.topologyRefreshPeriod(Duration.ofMillis(positive(refreshMs, PROPERTY_TOPOLOGY_REFRESH_MS)));
        }
        return builder.build();
    }

    /**
     * A builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder().commandTimeout(commandTimeout).connectTimeout(connectTimeout)
                .requestQueueSize(requestQueueSize).topologyRefreshPeriod(topologyRefreshPeriod);
        return mode == Mode.CLUSTER ? builder.cluster(seeds) : builder.standalone(host, port);
    }

    /**
     * Whether this is a standalone server or a cluster.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Whether the client connects to a Redis Cluster.
     *
     * @return {@code true} in {@link Mode#CLUSTER}
     */
    public boolean isCluster() {
        return mode == Mode.CLUSTER;
    }

    /**
     * The Redis host: the standalone server's, or in cluster mode the first seed's.
     *
     * @return the host name or address
     */
    public String host() {
        return mode == Mode.CLUSTER ? seeds.get(0).getHostString() : host;
    }

    /**
     * The Redis port: the standalone server's, or in cluster mode the first seed's.
     *
     * @return the port
     */
    public int port() {
        return mode == Mode.CLUSTER ? seeds.get(0).getPort() : port;
    }

    /**
     * The addresses to connect to: the standalone server alone, or the cluster's seed nodes. The
     * addresses are unresolved; Lettuce resolves them when it connects.
     *
     * @return an immutable list of 1 to {@value #MAX_ADDRESSES} addresses
     */
    public List<InetSocketAddress> addresses() {
        return mode == Mode.CLUSTER ? seeds : List.of(InetSocketAddress.createUnresolved(host, port));
    }

    /**
     * How long one command may take before it fails.
     *
     * @return the command timeout
     */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /**
     * How long a connection attempt may take.
     *
     * @return the connect timeout
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * The most commands queued on one connection; Lettuce refuses more at once. In cluster mode the
     * bound applies to each node connection.
     *
     * @return the bound
     */
    public int requestQueueSize() {
        return requestQueueSize;
    }

    /**
     * Cluster mode: how often the client reloads the cluster topology even when nothing went wrong
     * (redirections and lost connections reload it at once, too). Unused in standalone mode.
     *
     * @return the period
     */
    public Duration topologyRefreshPeriod() {
        return topologyRefreshPeriod;
    }

    @Override
    public String toString() {
        StringBuilder where = new StringBuilder();
        if (mode == Mode.CLUSTER) {
            where.append("cluster ");
            for (int i = 0; i < seeds.size(); i++) {
                where.append(i == 0 ? "" : ",").append(format(seeds.get(i)));
            }
            where.append(", topologyRefreshPeriod=").append(topologyRefreshPeriod);
        } else {
            where.append(format(InetSocketAddress.createUnresolved(host, port)));
        }
        return "RedisRouteOptions{" + where + ", commandTimeout=" + commandTimeout
                + ", connectTimeout=" + connectTimeout + ", requestQueueSize=" + requestQueueSize + "}";
    }

    private static String format(InetSocketAddress address) {
        String h = address.getHostString();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + address.getPort();
    }

    /**
     * Parses {@code host:port[,host:port...]}; {@code [v6]:port} for IPv6 literals.
     */
    static List<InetSocketAddress> parseAddresses(String value) {
        requireNonNull(value, "value");
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String item = part.trim();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("property " + PROPERTY_ADDRESSES + ": empty address in '"
                        + value + "' (expected: host:port[,host:port...])");
            }
            if (addresses.size() == MAX_ADDRESSES) {
                throw new IllegalArgumentException("property " + PROPERTY_ADDRESSES + ": more than "
                        + MAX_ADDRESSES + " addresses");
            }
            addresses.add(parseAddress(item));
        }
        return addresses;
    }

    private static InetSocketAddress parseAddress(String item) {
        String host;
        String portText;
        if (item.startsWith("[")) {
            int close = item.indexOf(']');
            if (close < 0 || close + 1 >= item.length() || item.charAt(close + 1) != ':') {
                throw badAddress(item);
            }
            host = item.substring(1, close);
            portText = item.substring(close + 2);
        } else {
            int colon = item.lastIndexOf(':');
            if (colon < 0 || item.indexOf(':') != colon) {
                throw badAddress(item);
            }
            host = item.substring(0, colon);
            portText = item.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw badAddress(item);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw badAddress(item);
        }
        if (port < 1 || port > 65535) {
            throw badAddress(item);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static IllegalArgumentException badAddress(String item) {
        return new IllegalArgumentException("property " + PROPERTY_ADDRESSES + ": '" + item
                + "' (expected: host:port with a port of 1-65535, IPv6 as [::1]:6379)");
    }

    private static boolean booleanProperty(Map<String, String> properties, String key, boolean defaultValue) {
        String value = properties.get(key);
        if (value == null) {
            return defaultValue;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("property " + key + ": '" + value + "' (expected: true or false)");
    }

    private static long longProperty(Map<String, String> properties, String key, long defaultValue) {
        String value = properties.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("property " + key + ": '" + value + "' (expected: an integer)", e);
        }
    }

    private static long positive(long value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException("property " + key + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    private static List<String> sorted(Set<String> keys) {
        List<String> list = new ArrayList<>(keys);
        list.sort(null);
        return list;
    }

    /** Builds {@link RedisRouteOptions}. Not thread-safe. */
    public static final class Builder {
        private Mode mode = Mode.STANDALONE;
        private String host = "127.0.0.1";
        private int port = 6379;
        private List<InetSocketAddress> seeds = List.of();
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int requestQueueSize = DEFAULT_REQUEST_QUEUE_SIZE;
        private Duration topologyRefreshPeriod = DEFAULT_TOPOLOGY_REFRESH_PERIOD;

        private Builder() {
        }

        /**
         * Sets the standalone Redis host and switches to {@link Mode#STANDALONE}.
         *
         * @param host a host name or address
         * @return this builder
         */
        public Builder host(String host) {
            requireNonNull(host, "host");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("host: empty (expected: a host name or address)");
            }
            this.host = host;
            this.mode = Mode.STANDALONE;
            return this;
        }

        /**
         * Sets the standalone Redis port and switches to {@link Mode#STANDALONE}.
         *
         * @param port 1 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
            }
            this.port = port;
            this.mode = Mode.STANDALONE;
            return this;
        }

        /**
         * Connects to one standalone Redis server: the same as {@link #host(String)} and
         * {@link #port(int)}.
         *
         * @param host a host name or address
         * @param port 1 to 65535
         * @return this builder
         */
        public Builder standalone(String host, int port) {
            return host(host).port(port);
        }

        /**
         * Connects to a Redis Cluster through these seed nodes and switches to {@link Mode#CLUSTER}.
         * One reachable seed is enough; more survive a seed being down at start.
         *
         * @param seeds 1 to {@value #MAX_ADDRESSES} distinct addresses; unresolved ones are resolved
         *        when connecting
         * @return this builder
         */
        public Builder cluster(List<InetSocketAddress> seeds) {
            requireNonNull(seeds, "seeds");
            if (seeds.isEmpty() || seeds.size() > MAX_ADDRESSES) {
                throw new IllegalArgumentException("seeds: " + seeds.size() + " addresses (expected: 1-"
                        + MAX_ADDRESSES + ")");
            }
            Set<String> distinct = new LinkedHashSet<>();
            List<InetSocketAddress> copy = new ArrayList<>(seeds.size());
            for (InetSocketAddress seed : seeds) {
                requireNonNull(seed, "seed");
                if (seed.getPort() < 1) {
                    throw new IllegalArgumentException("seed " + seed + ": port 0 (expected: 1-65535)");
                }
                InetSocketAddress unresolved = InetSocketAddress.createUnresolved(seed.getHostString(), seed.getPort());
                if (!distinct.add(format(unresolved))) {
                    throw new IllegalArgumentException("seeds: " + format(unresolved) + " given twice");
                }
                copy.add(unresolved);
            }
            this.seeds = List.copyOf(copy);
            this.mode = Mode.CLUSTER;
            return this;
        }

        /**
         * Sets how long one command may take.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive(timeout, "commandTimeout");
            return this;
        }

        /**
         * Sets how long a connection attempt may take.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets the most commands queued on one connection.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder requestQueueSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("requestQueueSize: " + size + " (expected: > 0)");
            }
            this.requestQueueSize = size;
            return this;
        }

        /**
         * Sets how often a cluster client reloads the topology when nothing went wrong; unused in
         * standalone mode.
         *
         * @param period a positive duration
         * @return this builder
         */
        public Builder topologyRefreshPeriod(Duration period) {
            this.topologyRefreshPeriod = positive(period, "topologyRefreshPeriod");
            return this;
        }

        /**
         * Builds the options.
         *
         * @return immutable options
         */
        public RedisRouteOptions build() {
            return new RedisRouteOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }
    }
}
