package io.janus.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.LoginRequest;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.SigningKey;
import io.janus.core.crypto.TrafficCipher;
import io.janus.core.protocol.HandshakeResult;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SecureClientHandler;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.ClientTransportRegistry;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Java client SDK: connects to a Janus gateway over any transport whose module is on the class
 * path ({@code janus-transport-tcp} for {@code tcp}), logs in with a token and returns a
 * {@link ClientSession}. One client can hold many sessions on shared event loops, as bots and the load
 * generator do.
 *
 * <pre>{@code
 * try (JanusClient client = JanusClient.builder().pinnedRootKey(rootPublicKey).build()) {
 *     ClientSession session = client.connect(new InetSocketAddress("127.0.0.1", 7000), token).join();
 *     ByteString answer = session.request(1, 1, ByteString.copyFromUtf8("hello")).join();
 * }
 * }</pre>
 *
 * <p>Sessions are resumable by default ({@link Builder#resume(boolean)}): a session that loses its connection
 * reconnects and resumes on its own within the gateway's resume window, and tells the application through
 * a {@link SessionListener} (docs/protocol.md, section 14).
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
    private final List<byte[]> pinnedRoots;
    private final Duration certificateSkew;
    private final Clock clock;
    private final boolean acceptCompression;
    private final int maxInflatedBytes;
    private final SigningKey attestationKey;
    private final boolean resume;
    private final List<Endpoint> reconnectEndpoints;
    private final Backoff backoff;
    private final long attemptTimeoutMillis;
    private final int resendBufferPackets;
    private final long resendBufferBytes;
    // One per distinct (transport name, properties) among the reconnect endpoints: bounded by the builder's list.
    private final Map<List<Object>, ClientTransport> transports = new ConcurrentHashMap<>();

    private JanusClient(Builder b) {
        if (b.pinnedRoots.isEmpty()) {
            throw new IllegalStateException("no pinned root key: call pinnedRootKey(rootPublicKey) with the studio's "
                    + "root public key (docs/protocol.md, section 3)");
        }
        this.pinnedRoots = List.copyOf(b.pinnedRoots);
        this.certificateSkew = b.certificateSkew;
        this.clock = b.clock;
        this.acceptCompression = b.acceptCompression;
        this.maxInflatedBytes = b.maxInflatedBytes;
        this.attestationKey = b.attestationKey;
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
        this.resume = b.resume;
        this.reconnectEndpoints = List.copyOf(b.reconnectEndpoints);
        for (Endpoint e : reconnectEndpoints) {
            // Fails now, with the message naming the missing module, rather than during a reconnect.
            transports.computeIfAbsent(List.of(e.transport(), e.properties()), key -> ClientTransportRegistry
                    .getDefaultRegistry().getProvider(e.transport()).newClientTransport(e.properties()));
        }
        this.backoff = new Backoff(b.backoffInitial.toMillis(), b.backoffMax.toMillis());
        this.attemptTimeoutMillis = b.attemptTimeout.toMillis();
        this.resendBufferPackets = b.resendBufferPackets;
        this.resendBufferBytes = b.resendBufferBytes;
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
     *         refused, a {@link io.janus.core.ProtocolException} when the handshake fails (for example
     *         {@link io.janus.api.Reason#CERTIFICATE_INVALID} for a gateway the pinned roots did not
     *         certify), or the connection failure
     */
    public CompletableFuture<ClientSession> connect(InetSocketAddress address, String token) {
        requireNonNull(address, "address");
        requireNonNull(token, "token");
        ClientSession.ResumeSettings settings = null;
        if (resume) {
            List<Endpoint> endpoints = new ArrayList<>();
            endpoints.add(Endpoint.of(transport.name(), address));
            for (Endpoint e : reconnectEndpoints) {
                if (!endpoints.contains(e)) {
                    endpoints.add(e);
                }
            }
            settings = new ClientSession.ResumeSettings(endpoints, this::open, backoff, attemptTimeoutMillis,
                    resendBufferPackets, resendBufferBytes);
        }
        ClientSession session = new ClientSession(group.next(), requestTimeoutMillis, settings);
        return open(transport, address, session, 0).thenCompose(handshake -> {
            LoginRequest.Builder login = LoginRequest.newBuilder().setToken(token).setClientVersion(clientVersion);
            if (attestationKey != null) {
                login.setAttestationKey(ByteString.copyFrom(attestationKey.publicKey()))
                        .setAttestationSignature(ByteString.copyFrom(attestationKey.sign(
                                ClientAttestation.signedMessage(handshake.transcriptHash()))));
            }
            return session.login(login.build(), handshake.resumeSecret());
        });
    }

    /** Opens a connection of {@code session} to an endpoint, for a resume; see {@link ClientSession.Connector}. */
    private CompletableFuture<HandshakeResult> open(Endpoint endpoint, ClientSession session, int attempt) {
        ClientTransport t = transports.get(List.of(endpoint.transport(), endpoint.properties()));
        if (t == null) {
            t = transport; // the endpoint of the first connection
        }
        return open(t, endpoint.address(), session, attempt);
    }

    private CompletableFuture<HandshakeResult> open(ClientTransport t, InetSocketAddress address,
            ClientSession session, int attempt) {
        SecureClientHandler[] secure = new SecureClientHandler[1];
        // The session's own event loop: every connection of one session runs on the same thread.
        return t.connect(address, session.eventLoop(), maxFrameLength, ch -> {
            secure[0] = new SecureClientHandler(pinnedRoots, clock, certificateSkew, acceptCompression,
                    maxInflatedBytes, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
            ch.pipeline().addLast(SecureClientHandler.name(), secure[0]);
            ch.pipeline().addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
            ch.pipeline().addLast("janus-client", session.attach(ch, attempt));
        }).thenCompose(ch -> secure[0].handshakeFuture());
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
        private final List<byte[]> pinnedRoots = new ArrayList<>();
        private Duration certificateSkew = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private boolean acceptCompression = true;
        private int maxInflatedBytes = 1024 * 1024;
        private SigningKey attestationKey;
        private boolean resume = true;
        private final List<Endpoint> reconnectEndpoints = new ArrayList<>();
        private Duration backoffInitial = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(5);
        private Duration attemptTimeout = Duration.ofSeconds(10);
        private int resendBufferPackets = 1024;
        private long resendBufferBytes = 1024 * 1024;

        private Builder() {
        }

        /**
         * Sets whether to ask the gateway for resumable sessions (default true; docs/protocol.md, section 14).
         * A resumable session survives the loss of its connection for the gateway's resume window: see
         * {@link ClientSession} and {@link SessionListener}.
         *
         * @param resume whether to ask
         * @return this builder
         */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /**
         * Adds an endpoint a resumable session may reconnect to, besides the one it connected to first
         * (tried first); attempts go round the list. The endpoint may use another transport than the
         * first connection, for example {@code ws} when a network blocks the {@code tcp} port.
         *
         * @param endpoint a transport name and address of the same gateway, or of a gateway of the same
         *        fleet sharing its resume ticket key
         * @return this builder
         */
        public Builder reconnectEndpoint(Endpoint endpoint) {
            reconnectEndpoints.add(requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /**
         * Sets the backoff between reconnect attempts: {@code initial}, doubling up to {@code max}, each
         * delay drawn between half and all of its step (default 100 ms to 5 s).
         *
         * @param initial the first step, at least 1 ms
         * @param max the largest step, at least {@code initial}
         * @return this builder
         */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            requireNonNull(initial, "initial");
            requireNonNull(max, "max");
            if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("reconnectBackoff: " + initial + " to " + max
                        + " (expected: 1 ms <= initial <= max)");
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /**
         * Sets how long one reconnect attempt (connect, handshake, RESUME answer) may take (default 10 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder reconnectAttemptTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("reconnectAttemptTimeout: " + timeout + " (expected: >= 1 ms)");
            }
            this.attemptTimeout = timeout;
            return this;
        }

        /**
         * Bounds the packets a resumable session keeps until the gateway confirms it processed them, to
         * resend them after a resume (default 1024 packets, 1 MiB). The session asks the gateway for a
         * confirmation (a heartbeat request) when half of it is in use. Past the bound a connected session
         * still sends, without a copy: losing the connection before the gateway confirms those packets ends
         * the session with {@link io.janus.api.Reason#REPLAY_OVERFLOW}. While reconnecting, a request that
         * does not fit fails with {@link io.janus.api.Reason#TOO_MANY_PENDING_REQUESTS}.
         *
         * @param packets at least 1
         * @param bytes at least 1
         * @return this builder
         */
        public Builder resendBuffer(int packets, long bytes) {
            if (packets < 1 || bytes < 1) {
                throw new IllegalArgumentException("resendBuffer: " + packets + " packets, " + bytes
                        + " bytes (expected: both >= 1)");
            }
            this.resendBufferPackets = packets;
            this.resendBufferBytes = bytes;
            return this;
        }

        /**
         * Trusts gateways certified by this root key. Required; call it once per root the client pins
         * (several while a studio rotates its root).
         *
         * @param rootPublicKey the studio's 32-byte Ed25519 root public key
         * @return this builder
         */
        public Builder pinnedRootKey(byte[] rootPublicKey) {
            if (requireNonNull(rootPublicKey, "rootPublicKey").length != SigningKey.PUBLIC_KEY_LENGTH) {
                throw new IllegalArgumentException("rootPublicKey: " + rootPublicKey.length + " bytes (expected: 32)");
            }
            pinnedRoots.add(rootPublicKey.clone());
            return this;
        }

        /**
         * Sets the clock difference allowed when checking the gateway certificate's validity (default 5 minutes).
         *
         * @param skew not negative
         * @return this builder
         */
        public Builder certificateSkew(Duration skew) {
            requireNonNull(skew, "skew");
            if (skew.isNegative()) {
                throw new IllegalArgumentException("certificateSkew: " + skew + " (expected: >= 0)");
            }
            this.certificateSkew = skew;
            return this;
        }

        /**
         * Sets the clock certificates are checked against (default the system clock); for tests.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets whether to offer compressed bodies in the handshake (default true).
         *
         * @param accept whether to accept compression
         * @return this builder
         */
        public Builder acceptCompression(boolean accept) {
            this.acceptCompression = accept;
            return this;
        }

        /**
         * Attests the client app at login with its Ed25519 app key (docs/protocol.md, section 5).
         *
         * @param appKey the app's key, whose public half the gateway trusts
         * @return this builder
         */
        public Builder attestationKey(SigningKey appKey) {
            this.attestationKey = requireNonNull(appKey, "appKey");
            return this;
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
