package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Immutable options of a {@link RedisRouteClient}: where Redis is and how long and how much it may make
 * callers wait. Built with {@link #builder()}.
 *
 * <p>Bounds: at most {@link #requestQueueSize()} commands wait in Lettuce's queue per connection (more
 * fail at once), and each command fails after {@link #commandTimeout()}. While disconnected, commands
 * are refused at once rather than queued, so a Redis outage never builds a backlog.
 */
public final class RedisRouteOptions {

    /** The default command timeout: 2 seconds. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** The default connect timeout: 2 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The default bound on queued commands per connection. */
    public static final int DEFAULT_REQUEST_QUEUE_SIZE = 10_000;

    private final String host;
    private final int port;
    private final Duration commandTimeout;
    private final Duration connectTimeout;
    private final int requestQueueSize;

    private RedisRouteOptions(Builder builder) {
        this.host = builder.host;
        this.port = builder.port;
        this.commandTimeout = builder.commandTimeout;
        this.connectTimeout = builder.connectTimeout;
        this.requestQueueSize = builder.requestQueueSize;
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
     * A builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).commandTimeout(commandTimeout)
                .connectTimeout(connectTimeout).requestQueueSize(requestQueueSize);
    }

    /**
     * The Redis host.
     *
     * @return the host name or address
     */
    public String host() {
        return host;
    }

    /**
     * The Redis port.
     *
     * @return the port
     */
    public int port() {
        return port;
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
     * The most commands queued on one connection; Lettuce refuses more at once.
     *
     * @return the bound
     */
    public int requestQueueSize() {
        return requestQueueSize;
    }

    @Override
    public String toString() {
        return "RedisRouteOptions{" + host + ":" + port + ", commandTimeout=" + commandTimeout
                + ", connectTimeout=" + connectTimeout + ", requestQueueSize=" + requestQueueSize + "}";
    }

    /** Builds {@link RedisRouteOptions}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 6379;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int requestQueueSize = DEFAULT_REQUEST_QUEUE_SIZE;

        private Builder() {
        }

        /**
         * Sets the Redis host.
         *
         * @param host a host name or address
         * @return this builder
         */
        public Builder host(String host) {
            this.host = requireNonNull(host, "host");
            return this;
        }

        /**
         * Sets the Redis port.
         *
         * @param port 1 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
            }
            this.port = port;
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
