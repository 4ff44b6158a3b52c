package io.janus.client;

import static java.util.Objects.requireNonNull;

import io.janus.api.LoginRequest;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.ClientTransportRegistry;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Java client SDK: connects to a Janus gateway over any transport whose module is on the class
 * path ({@code janus-transport-tcp} for {@code tcp}), logs in with a token and returns a
 * {@link ClientSession}. One client can hold many sessions on shared event loops, as bots and the load
 * generator do.
 *
 * <pre>{@code
 * try (JanusClient client = JanusClient.builder().build()) {
 *     ClientSession session = client.connect(new InetSocketAddress("127.0.0.1", 7000), token).join();
 *     ByteString answer = session.request(1, 1, ByteString.copyFromUtf8("hello")).join();
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JanusClient implements AutoCloseable {

    private final ClientTransport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final int maxFrameLength;
    private final long requestTimeoutMillis;
    private final String clientVersion;

    private JanusClient(Builder b) {
        this.transport = b.transport != null ? b.transport
                : ClientTransportRegistry.getDefaultRegistry().getProvider(b.transportName)
                        .newClientTransport(b.transportProperties);
        if (b.group != null) {
            this.group = b.group;
            this.ownsGroup = false;
        } else {
            this.group = EventLoops.newGroup(b.threads, "janus-client");
            this.ownsGroup = true;
        }
        this.maxFrameLength = b.maxFrameLength;
        this.requestTimeoutMillis = b.requestTimeout.toMillis();
        this.clientVersion = b.clientVersion;
    }

    /**
     * Starts building a client.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The transport name this client connects with. */
    public String transport() {
        return transport.name();
    }

    /**
     * Connects and logs in.
     *
     * @param address the gateway's address for this client's transport
     * @param token the token from the game's login service
     * @return a future completed with the logged-in session, or exceptionally: with a
     *         {@link io.janus.core.RequestException} carrying the gateway's reason when the login is
     *         refused, or the connection failure
     */
    public CompletableFuture<ClientSession> connect(InetSocketAddress address, String token) {
        requireNonNull(address, "address");
        requireNonNull(token, "token");
        ClientSession[] holder = new ClientSession[1];
        return transport.connect(address, group, maxFrameLength, ch -> {
            ClientSession session = new ClientSession(ch, requestTimeoutMillis);
            holder[0] = session;
            ch.pipeline().addLast("janus-packet", PacketCodec.INSTANCE);
            ch.pipeline().addLast("janus-client", session.handler());
        }).thenCompose(ch -> holder[0].login(LoginRequest.newBuilder()
                .setToken(token)
                .setClientVersion(clientVersion)
                .build()));
    }

    /** Closes the event loops this client created, if any; sessions on them end. */
    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Builds a {@link JanusClient}. Not thread-safe. */
    public static final class Builder {
        private String transportName = "tcp";
        private Map<String, String> transportProperties = Map.of();
        private ClientTransport transport;
        private EventLoopGroup group;
        private int threads = 1;
        private int maxFrameLength = 1024 * 1024;
        private Duration requestTimeout = Duration.ofSeconds(15);
        private String clientVersion = "janus-java-client";

        private Builder() {
        }

        /**
         * Connects with the client transport of that name from the registry (default {@code tcp}).
         *
         * @param name the transport name
         * @param properties transport-specific properties
         * @return this builder
         */
        public Builder transport(String name, Map<String, String> properties) {
            this.transportName = requireNonNull(name, "name");
            this.transportProperties = Map.copyOf(properties);
            return this;
        }

        /**
         * Connects with the client transport of that name from the registry.
         *
         * @param name the transport name
         * @return this builder
         */
        public Builder transport(String name) {
            return transport(name, Map.of());
        }

        /**
         * Connects with a client transport built by hand.
         *
         * @param transport the transport
         * @return this builder
         */
        public Builder transport(ClientTransport transport) {
            this.transport = requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Runs sessions on event loops owned by the caller, never shut down by the client.
         *
         * @param group the event loops
         * @return this builder
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = requireNonNull(group, "group");
            return this;
        }

        /**
         * Sets the number of event loop threads the client creates (default 1).
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
            }
            this.threads = threads;
            return this;
        }

        /**
         * Sets the largest frame accepted from the gateway (default 1 MiB).
         *
         * @param bytes at least 64
         * @return this builder
         */
        public Builder maxFrameLength(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maxFrameLength: " + bytes + " (expected: >= 64)");
            }
            this.maxFrameLength = bytes;
            return this;
        }

        /**
         * Sets how long a request waits for its answer (default 15 s, above the gateway's default
         * request deadline so that the gateway's timeout error arrives first).
         *
         * @param timeout positive
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
         * Sets the client version string sent at login, for the gateway's logs.
         *
         * @param version free-form text
         * @return this builder
         */
        public Builder clientVersion(String version) {
            this.clientVersion = requireNonNull(version, "version");
            return this;
        }

        /**
         * Builds the client.
         *
         * @return the client
         * @throws IllegalStateException when the named transport's module is missing (the message names it)
         */
        public JanusClient build() {
            return new JanusClient(this);
        }
    }
}
