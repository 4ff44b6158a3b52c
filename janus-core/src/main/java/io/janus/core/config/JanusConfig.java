package io.janus.core.config;

import static java.util.Objects.requireNonNull;

import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.admin.AdminOptions;
import io.janus.core.auth.SealedTokenAuthenticatorProvider;
import io.janus.core.auth.TokenKeys;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.GatewayCertificate;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.discovery.StaticDiscoveryProvider;
import io.janus.core.game.GameHandlers;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.spi.AuthenticatorProvider;
import io.janus.core.spi.AuthenticatorRegistry;
import io.janus.core.spi.DiscoveryRegistry;
import io.janus.core.spi.JanusProvider;
import io.janus.core.spi.ProviderRegistry;
import io.janus.core.spi.RouterRegistry;
import io.janus.core.spi.SessionDirectoryRegistry;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.TransportRegistry;
import io.janus.core.spi.TunnelRegistry;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A gateway's configuration, loaded from a directory holding {@code config.yaml}, {@code secret.yaml}
 * and, optionally, {@code registry.yaml}, overridden by {@code JANUS_...} environment variables
 * ({@link ConfigKeys}), and validated as a whole before anything starts:
 *
 * <pre>{@code
 * JanusConfig config = JanusConfig.load(Path.of("/etc/janus"), System.getenv());
 * Gateway gateway = config.newGatewayBuilder(() -> new MyGame().handlers()).build();
 * gateway.start().join();
 * }</pre>
 *
 * <p>Provider names ({@code tcp}, {@code sealed}, {@code memory}, {@code static}, ...) select
 * implementations through the SPI registries of {@link io.janus.core.spi}; a name no provider on the
 * class path has is a problem that lists the names available. Every key, its default and its unit:
 * docs/configuration.md and the templates in janus-examples/configs.tmpl.
 *
 * <p>Immutable and thread-safe. {@link #toString()} names no secret.
 */
public final class JanusConfig {

    /** The authenticator used when config.yaml names none. */
    public static final String DEFAULT_AUTHENTICATOR = SealedTokenAuthenticatorProvider.NAME;

    /** The host a transport binds when config.yaml names none: every interface. */
    public static final String DEFAULT_TRANSPORT_HOST = "0.0.0.0";

    /** The most transports, services, instances or attestation keys a configuration may list. */
    public static final int MAX_ENTRIES = 64;

    private static final Base64.Decoder BASE64 = Base64.getDecoder();
    /** The length of secret.yaml's {@code resumeTicketKey}. */
    private static final int RESUME_TICKET_KEY_LENGTH = 32;

    private final String id;
    private final List<Listen> transports;
    private final SessionOptions session;
    private final ModuleRoutes routes;
    private final Component router;
    private final Component directory;
    private final Component tunnel;
    private final Component authenticator;
    private final Component discovery;
    private final List<ServiceInstance> staticInstances;
    private final AdminOptions admin;
    private final InetSocketAddress push;
    private final byte[] resumeTicketKey;
    private final Duration drainTimeout;
    private final Duration shutdownTimeout;
    private final int workerThreads;
    private final int blockingThreads;
    private final int blockingQueueCapacity;
    private final Class<?> gameHandlers;
    private final Map<String, Class<?>> gameServices;
    private final GatewayIdentity identity;
    private final ClientAttestation attestation;

    /** A transport to listen with. */
    private static final class Listen {
        final String provider;
        final InetSocketAddress address;
        final Map<String, String> properties;

        Listen(String provider, InetSocketAddress address, Map<String, String> properties) {
            this.provider = provider;
            this.address = address;
            this.properties = properties;
        }
    }

    /** A provider name (null: the registry's default) and its properties. */
    private static final class Component {
        final String provider;
        final Map<String, String> properties;

        Component(String provider, Map<String, String> properties) {
            this.provider = provider;
            this.properties = Map.copyOf(properties);
        }
    }

    private JanusConfig(Loader l) {
        this.id = l.id;
        this.transports = List.copyOf(l.transports);
        this.session = l.session;
        this.routes = l.routes;
        this.router = l.router;
        this.directory = l.directory;
        this.tunnel = l.tunnel;
        this.authenticator = l.authenticator;
        this.discovery = l.discovery;
        this.staticInstances = l.staticInstances == null ? null : List.copyOf(l.staticInstances);
        this.admin = l.admin;
        this.push = l.push;
        this.resumeTicketKey = l.resumeTicketKey;
        this.drainTimeout = l.drainTimeout;
        this.shutdownTimeout = l.shutdownTimeout;
        this.workerThreads = l.workerThreads;
        this.blockingThreads = l.blockingThreads;
        this.blockingQueueCapacity = l.blockingQueueCapacity;
        this.gameHandlers = l.gameHandlers;
        this.gameServices = Map.copyOf(l.gameServices);
        this.identity = l.identity;
        this.attestation = l.attestation;
    }

    /**
     * Loads and validates a configuration directory.
     *
     * @param directory holds config.yaml and secret.yaml (required) and registry.yaml (optional)
     * @param environment the process environment ({@code System.getenv()}); only {@code JANUS_...}
     *        variables are read, and each must match a key
     * @return the configuration
     * @throws ConfigException listing every problem found, each naming its file and key path
     */
    public static JanusConfig load(Path directory, Map<String, String> environment) {
        requireNonNull(directory, "directory");
        requireNonNull(environment, "environment");
        Problems problems = new Problems();
        Environment env = new Environment(environment, problems);
        Map<String, Object> config = YamlFile.load(directory, ConfigKeys.CONFIG_FILE, true, problems);
        Map<String, Object> secret = YamlFile.load(directory, ConfigKeys.SECRET_FILE, true, problems);
        Map<String, Object> registry = YamlFile.load(directory, ConfigKeys.REGISTRY_FILE, false, problems);
        Loader loader = new Loader(problems, env);
        // A missing or unparsable file has its problem already; checking its keys would only add noise.
        if (secret != null) {
            loader.secrets(Node.root(ConfigKeys.SECRET_FILE, secret, env, problems));
        }
        if (config != null) {
            loader.config(Node.root(ConfigKeys.CONFIG_FILE, config, env, problems));
        }
        loader.registry(Node.root(ConfigKeys.REGISTRY_FILE, registry, env, problems));
        if (config != null && secret != null) {
            env.reportUnused(problems);
        }
        problems.throwIfAny();
        return new JanusConfig(loader);
    }

    /**
     * A gateway builder holding everything this configuration says. The caller may still change it
     * (add listeners, its own event loops) before {@code build()}.
     *
     * @param defaultGame the game handlers embedded as the {@value Gateway#DEFAULT_SERVICE} service
     *        when config.yaml names no {@code game.handlers} class; {@code null} for none
     * @return a new builder; each call builds fresh components
     * @throws IllegalStateException when a handlers class fails to construct or returns null
     */
    public Gateway.Builder newGatewayBuilder(Supplier<GameHandlers> defaultGame) {
        Gateway.Builder b = Gateway.builder()
                .identity(identity)
                .clientAttestation(attestation)
                .sessionOptions(session)
                .drainTimeout(drainTimeout)
                .shutdownTimeout(shutdownTimeout)
                .workerThreads(workerThreads)
                .blockingThreads(blockingThreads, blockingQueueCapacity);
        if (id != null) {
            b.id(id);
        }
        for (Listen listen : transports) {
            b.listen(listen.provider, listen.address, listen.properties);
        }
        b.authenticator(authenticator.provider, authenticator.properties);
        if (routes != null) {
            b.routes(routes);
        }
        if (router != null) {
            b.router(router.provider, router.properties);
        }
        if (directory != null) {
            b.directory(directory.provider, directory.properties);
        }
        if (tunnel != null) {
            b.tunnel(tunnel.provider, tunnel.properties);
        }
        if (staticInstances != null) {
            b.discovery(new StaticDiscovery(staticInstances));
        } else if (discovery != null) {
            b.discovery(discovery.provider, discovery.properties);
        }
        if (push != null) {
            b.pushService(push);
        }
        if (resumeTicketKey != null) {
            b.resumeTicketKey(resumeTicketKey);
        }
        if (admin != null) {
            b.admin(admin);
        }
        if (gameHandlers != null) {
            b.game(handlers(gameHandlers));
        } else if (defaultGame != null) {
            b.game(requireNonNull(defaultGame.get(), "defaultGame.get()"));
        }
        gameServices.forEach((name, type) -> b.service(name, handlers(type)));
        return b;
    }

    /** The configured gateway id, or null for a random one. */
    public String id() {
        return id;
    }

    /** The provider names of the transports, in the order config.yaml lists them. */
    public List<String> transportProviders() {
        return transports.stream().map(t -> t.provider).collect(Collectors.toList());
    }

    /** The module table of config.yaml's {@code routes}, or null when it names none. */
    public ModuleRoutes routes() {
        return routes;
    }

    /** The session limits and timeouts. */
    public SessionOptions sessionOptions() {
        return session;
    }

    /** The name of the {@code game.handlers} class, or null when config.yaml names none. */
    public String gameHandlersClass() {
        return gameHandlers == null ? null : gameHandlers.getName();
    }

    /** Whether config.yaml configures the admin endpoint. */
    public boolean hasAdmin() {
        return admin != null;
    }

    @Override
    public String toString() {
        return "JanusConfig{id=" + id + ", transports=" + transports.stream()
                .map(t -> t.provider + "@" + t.address).collect(Collectors.toList())
                + ", authenticator=" + authenticator.provider
                + ", router=" + (router == null ? "default" : router.provider)
                + ", directory=" + (directory == null ? "default" : directory.provider)
                + ", tunnel=" + (tunnel == null ? "default" : tunnel.provider)
                + ", discovery=" + (staticInstances != null ? "static" : discovery == null ? "default" : discovery.provider)
                + ", admin=" + (admin == null ? "off" : admin.socketAddress())
                + ", push=" + (push == null ? "off" : push)
                + ", game=" + (gameHandlers == null ? "default" : gameHandlers.getName())
                + ", certificate=" + identity.certificate().keyId() + "}";
    }

    private static GameHandlers handlers(Class<?> type) {
        Object supplier;
        try {
            supplier = type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("game handlers class " + type.getName() + " failed to construct", e);
        }
        Object handlers = ((Supplier<?>) supplier).get();
        if (!(handlers instanceof GameHandlers)) {
            throw new IllegalStateException("game handlers class " + type.getName() + " returned "
                    + (handlers == null ? "null" : handlers.getClass().getName()) + " (expected: GameHandlers)");
        }
        return (GameHandlers) handlers;
    }

    /** Reads the three files in order: secrets first, since config.yaml's checks need them. */
    private static final class Loader {
        final Problems problems;
        final Environment env;

        String id;
        final List<Listen> transports = new ArrayList<>();
        SessionOptions session = SessionOptions.defaults();
        ModuleRoutes routes;
        Component router;
        Component directory;
        Component tunnel;
        Component authenticator;
        Component discovery;
        List<ServiceInstance> staticInstances;
        AdminOptions admin;
        InetSocketAddress push;
        byte[] resumeTicketKey;
        Duration drainTimeout;
        Duration shutdownTimeout;
        int workerThreads;
        int blockingThreads;
        int blockingQueueCapacity;
        Class<?> gameHandlers;
        final Map<String, Class<?>> gameServices = new LinkedHashMap<>();
        GatewayIdentity identity;
        ClientAttestation attestation = ClientAttestation.NONE;

        boolean secretsRead;
        String tokenKeys;
        String adminToken;
        Map<String, String> secretAuthenticatorProperties = Map.of();

        Loader(Problems problems, Environment env) {
            this.problems = problems;
            this.env = env;
        }

        void secrets(Node root) {
            secretsRead = true;
            Node gateway = root.section("gateway");
            String seed = gateway.string("keySeed", null, true);
            String certificate = gateway.string("certificate", null, true);
            identity(root, gateway, seed, certificate);
            tokenKeys = root.string("tokenKeys", null, true);
            adminToken = root.string("adminToken", null, true);
            String ticketKey = root.string("resumeTicketKey", null, true);
            if (ticketKey != null && !ticketKey.isEmpty()) {
                byte[] key = decode(ticketKey);
                if (key == null || key.length != RESUME_TICKET_KEY_LENGTH) {
                    root.problem("resumeTicketKey", "expected an AES-256 key: " + RESUME_TICKET_KEY_LENGTH
                            + " bytes in standard base64");
                } else {
                    resumeTicketKey = key;
                }
            }
            List<String> appKeys = root.stringList("clientAttestationKeys", true);
            if (appKeys.size() > MAX_ENTRIES) {
                root.problem("clientAttestationKeys", appKeys.size() + " keys (expected: at most " + MAX_ENTRIES + ")");
            } else if (!appKeys.isEmpty()) {
                List<byte[]> keys = new ArrayList<>();
                for (int i = 0; i < appKeys.size(); i++) {
                    byte[] key = decode(appKeys.get(i));
                    if (key == null || key.length != SigningKey.PUBLIC_KEY_LENGTH) {
                        root.problem("clientAttestationKeys[" + i + "]", "expected an Ed25519 public key: "
                                + SigningKey.PUBLIC_KEY_LENGTH + " bytes in standard base64");
                    } else {
                        keys.add(key);
                    }
                }
                if (keys.size() == appKeys.size()) {
                    attestation = ClientAttestation.requireOneOf(keys);
                }
            }
            Node auth = root.section("authenticator");
            secretAuthenticatorProperties = auth.properties("properties");
            auth.finish();
            gateway.finish();
            root.finish();
        }

        private void identity(Node root, Node gateway, String seed, String certificate) {
            if (seed == null) {
                gateway.problem("keySeed", "missing (expected: the gateway's Ed25519 key seed, "
                        + SigningKey.SEED_LENGTH + " bytes in standard base64)");
            }
            if (certificate == null) {
                gateway.problem("certificate", "missing (expected: the gateway certificate the root key "
                        + "signed, GatewayCertificate.toBase64())");
            }
            if (seed == null || certificate == null) {
                return;
            }
            byte[] seedBytes = decode(seed.trim());
            SigningKey key = null;
            if (seedBytes == null || seedBytes.length != SigningKey.SEED_LENGTH) {
                gateway.problem("keySeed", "expected " + SigningKey.SEED_LENGTH + " bytes in standard base64, got "
                        + (seedBytes == null ? "a value that is not base64" : seedBytes.length + " bytes"));
            } else {
                key = SigningKey.fromSeed(seedBytes);
            }
            byte[] certBytes = decode(certificate.trim());
            GatewayCertificate cert = null;
            if (certBytes == null) {
                gateway.problem("certificate", "expected a certificate in standard base64, got a value that is not base64");
            } else {
                try {
                    cert = GatewayCertificate.parse(certBytes);
                } catch (RuntimeException e) {
                    gateway.problem("certificate", "not a gateway certificate: " + e.getMessage());
                }
            }
            if (cert != null && cert.notAfter().isBefore(Instant.now())) {
                gateway.problem("certificate", "expired at " + cert.notAfter()
                        + " (expected: a certificate valid now; issue a new one with the root key)");
                cert = null;
            }
            if (key != null && cert != null) {
                try {
                    identity = GatewayIdentity.of(key, cert);
                } catch (IllegalArgumentException e) {
                    gateway.problem("certificate", "certificate '" + cert.keyId() + "' is for another key than "
                            + "gateway.keySeed (expected: the certificate issued for this key)");
                }
            }
        }

        void config(Node root) {
            id = root.string("id", null);
            if (id != null && (id.isBlank() || id.length() > 64)) {
                root.problem("id", "expected 1 to 64 characters, got \"" + id + "\"");
                id = null;
            }
            transports(root);
            session(root.section("session"));
            routes(root.section("routes"));
            router = component(root.section("router"), RouterRegistry.getDefaultRegistry(), "router");
            directory = component(root.section("directory"), SessionDirectoryRegistry.getDefaultRegistry(),
                    "directory");
            tunnel = component(root.section("tunnel"), TunnelRegistry.getDefaultRegistry(), "tunnel");
            authenticator(root.section("authenticator"));
            admin(root.section("admin"));
            push(root.section("push"));
            drainTimeout = root.duration("drainTimeout", Duration.ofSeconds(30));
            shutdownTimeout = root.duration("shutdownTimeout", Duration.ofSeconds(5));
            workerThreads = root.integer("workerThreads", 0, 0, 1024);
            blockingThreads = root.integer("blockingThreads", 16, 1, 4096);
            blockingQueueCapacity = root.integer("blockingQueueCapacity", 10_000, 1, 1_000_000);
            game(root.section("game"));
            root.finish();
        }

        /** The module table: which game service serves each module, keyed by player or object id. */
        private void routes(Node r) {
            String defaultService = r.string("defaultService", null);
            List<Node> modules = r.list("modules");
            if (modules.size() > MAX_ENTRIES) {
                r.problem("modules", modules.size() + " routes (expected: at most " + MAX_ENTRIES + ")");
                r.finish();
                return;
            }
            ModuleRoutes.Builder b = ModuleRoutes.builder();
            boolean any = defaultService != null;
            if (defaultService != null) {
                b.defaultService(defaultService);
            }
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (Node m : modules) {
                int module = m.integer("module", -1, 1, 65_535);
                if (module == -1 && !m.has("module")) {
                    m.problem("module", "missing (expected: a module number from 1 to 65535)");
                } else if (module > 0 && !seen.add(module)) {
                    m.problem("module", "module " + module + " is routed twice");
                }
                String service = m.string("service", null);
                if (service == null || service.isBlank()) {
                    m.problem("service", "missing (expected: the name of the game service of the module)");
                }
                ModuleRoutes.Key key = m.enumValue("key", ModuleRoutes.Key.class, ModuleRoutes.Key.PLAYER);
                if (module > 0 && service != null && !service.isBlank()) {
                    b.route(module, service, key);
                    any = true;
                }
                m.finish();
            }
            r.finish();
            routes = any ? b.build() : null;
        }

        private void transports(Node root) {
            List<Node> list = root.list("transports");
            if (list.isEmpty()) {
                root.problem("transports", "missing (expected: a list of at least one {provider, host, port})");
            }
            if (list.size() > MAX_ENTRIES) {
                root.problem("transports", list.size() + " transports (expected: at most " + MAX_ENTRIES + ")");
                return;
            }
            for (Node t : list) {
                String provider = t.string("provider", null);
                if (provider == null) {
                    t.problem("provider", "missing (expected: one of " + names(TransportRegistry.getDefaultRegistry()) + ")");
                } else {
                    checkProvider(t, "provider", provider, TransportRegistry.getDefaultRegistry(), "transport");
                }
                String host = t.string("host", DEFAULT_TRANSPORT_HOST);
                int port = t.integer("port", -1, 0, 65535);
                if (port == -1 && !t.has("port")) {
                    t.problem("port", "missing (expected: an integer from 0 to 65535; 0 picks a free port)");
                }
                Map<String, String> properties = t.properties("properties");
                InetAddress address = resolve(t, "host", host);
                if (provider != null && address != null && port >= 0) {
                    transports.add(new Listen(provider, new InetSocketAddress(address, port), properties));
                }
                t.finish();
            }
        }

        private void session(Node s) {
            SessionOptions d = SessionOptions.defaults();
            SessionOptions.Builder b = d.toBuilder();
            set(s, "maxFrameLength", () -> b.maxFrameLength(s.integer("maxFrameLength", d.maxFrameLength(), 0, Integer.MAX_VALUE)));
            set(s, "loginTimeout", () -> b.loginTimeout(s.duration("loginTimeout", d.loginTimeout())));
            set(s, "idleTimeout", () -> b.idleTimeout(s.duration("idleTimeout", d.idleTimeout())));
            set(s, "heartbeatInterval", () -> b.heartbeatInterval(s.duration("heartbeatInterval", d.heartbeatInterval())));
            set(s, "requestTimeout", () -> b.requestTimeout(s.duration("requestTimeout", d.requestTimeout())));
            set(s, "maxPendingRequests", () -> b.maxPendingRequests(
                    s.integer("maxPendingRequests", d.maxPendingRequests(), 0, Integer.MAX_VALUE)));
            int low = s.integer("outboundLowWaterMark", d.outboundLowWaterMark(), 1, Integer.MAX_VALUE - 1);
            int high = s.integer("outboundHighWaterMark", d.outboundHighWaterMark(), 2, Integer.MAX_VALUE);
            set(s, "outboundHighWaterMark", () -> b.outboundWaterMarks(low, high));
            set(s, "maxOutboundBytes", () -> b.maxOutboundBytes(
                    s.integer("maxOutboundBytes", d.maxOutboundBytes(), 1, Integer.MAX_VALUE)));
            set(s, "maxConnections", () -> b.maxConnections(
                    s.integer("maxConnections", d.maxConnections(), 1, Integer.MAX_VALUE)));
            set(s, "maxConnectionsPerIp", () -> b.maxConnectionsPerIp(
                    s.integer("maxConnectionsPerIp", d.maxConnectionsPerIp(), 1, Integer.MAX_VALUE)));
            b.duplicateLoginPolicy(s.enumValue("duplicateLoginPolicy", DuplicateLoginPolicy.class, d.duplicateLoginPolicy()));
            set(s, "compressionThreshold", () -> b.compressionThreshold(
                    s.integer("compressionThreshold", d.compressionThreshold(), 0, Integer.MAX_VALUE)));
            set(s, "maxInflatedBytes", () -> b.maxInflatedBytes(
                    s.integer("maxInflatedBytes", d.maxInflatedBytes(), 0, Integer.MAX_VALUE)));
            set(s, "recordsPerKey", () -> b.recordsPerKey(s.integer("recordsPerKey", d.recordsPerKey(), 1, Long.MAX_VALUE)));
            double perIp = s.decimal("handshakesPerSecondPerIp", d.handshakesPerSecondPerIp(), 0);
            int burstPerIp = s.integer("handshakeBurstPerIp", d.handshakeBurstPerIp(), 1, Integer.MAX_VALUE);
            set(s, "handshakesPerSecondPerIp", () -> b.handshakeRatePerIp(perIp, burstPerIp));
            double total = s.decimal("handshakesPerSecond", d.handshakesPerSecond(), 0);
            set(s, "handshakesPerSecond", () -> b.handshakeRate(total));
            double rps = s.decimal("requestsPerSecond", d.requestsPerSecond(), 0);
            int burst = s.integer("requestBurst", d.requestBurst(), 1, Integer.MAX_VALUE);
            SessionOptions.RateLimitPolicy policy = s.enumValue("requestRatePolicy", SessionOptions.RateLimitPolicy.class,
                    d.requestRatePolicy());
            set(s, "requestsPerSecond", () -> b.requestRate(rps, burst, policy));
            set(s, "resumeWindow", () -> b.resumeWindow(s.duration("resumeWindow", d.resumeWindow(), true)));
            int replayPackets = s.integer("replayBufferPackets", d.replayBufferPackets(), 1, Integer.MAX_VALUE);
            int replayBytes = s.integer("replayBufferBytes", d.replayBufferBytes(), 1, Integer.MAX_VALUE);
            set(s, "replayBufferPackets", () -> b.replayBuffer(replayPackets, replayBytes));
            set(s, "replayMaxAge", () -> b.replayMaxAge(s.duration("replayMaxAge", d.replayMaxAge())));
            try {
                session = b.build();
            } catch (IllegalArgumentException e) {
                s.problem(null, e.getMessage());
            }
            s.finish();
        }

        /** Applies one builder call; its range check's message becomes a problem at the key. */
        private static void set(Node s, String key, Runnable setter) {
            try {
                setter.run();
            } catch (IllegalArgumentException e) {
                s.problem(key, e.getMessage());
            }
        }

        private Component component(Node n, ProviderRegistry<?> registry, String kind) {
            if (!n.present()) {
                n.finish();
                return null;
            }
            String provider = n.string("provider", null);
            Map<String, String> properties = n.properties("properties");
            n.finish();
            if (provider == null) {
                n.problem("provider", "missing (expected: one of " + names(registry) + ")");
                return null;
            }
            return checkProvider(n, "provider", provider, registry, kind) ? new Component(provider, properties) : null;
        }

        private void authenticator(Node n) {
            String provider = n.string("provider", DEFAULT_AUTHENTICATOR);
            Map<String, String> properties = new LinkedHashMap<>(n.properties("properties"));
            n.finish();
            for (String name : secretAuthenticatorProperties.keySet()) {
                if (properties.containsKey(name)) {
                    n.problem("properties." + name, "also set in " + ConfigKeys.SECRET_FILE
                            + " authenticator.properties (expected: in one file only)");
                }
            }
            properties.putAll(secretAuthenticatorProperties);
            if (provider.equals(SealedTokenAuthenticatorProvider.NAME)) {
                if (properties.containsKey(SealedTokenAuthenticatorProvider.KEYS)) {
                    n.problem("properties." + SealedTokenAuthenticatorProvider.KEYS, "token keys are secrets "
                            + "(expected: tokenKeys in " + ConfigKeys.SECRET_FILE + ")");
                    return;
                }
                if (tokenKeys == null) {
                    if (!secretsRead) {
                        return;
                    }
                    problems.add(ConfigKeys.SECRET_FILE, "tokenKeys", "missing (required by the 'sealed' authenticator; "
                            + "expected: id:BASE64KEY entries separated by ',')");
                    return;
                }
                try {
                    TokenKeys.parse(tokenKeys, null);
                } catch (IllegalArgumentException e) {
                    // TokenKeys' messages name entries by position and key id, never by key.
                    problems.add(ConfigKeys.SECRET_FILE, "tokenKeys", e.getMessage());
                    return;
                }
                properties.put(SealedTokenAuthenticatorProvider.KEYS, tokenKeys);
            }
            AuthenticatorRegistry registry = AuthenticatorRegistry.getDefaultRegistry();
            if (!checkProvider(n, "provider", provider, registry, "authenticator")) {
                return;
            }
            try {
                // Built once to check the properties now rather than at start; the gateway builds its own.
                AuthenticatorProvider p = registry.getProvider(provider);
                p.newAuthenticator(Map.copyOf(properties));
            } catch (RuntimeException e) {
                n.problem("properties", "refused by the '" + provider + "' authenticator: " + e.getMessage());
                return;
            }
            authenticator = new Component(provider, properties);
        }

        /** The push service: off unless config.yaml has a {@code push} section. */
        private void push(Node n) {
            String host = n.string("host", "127.0.0.1");
            int port = n.integer("port", 0, 0, 65535);
            n.finish();
            if (!n.present()) {
                return;
            }
            InetAddress address = resolve(n, "host", host);
            if (address != null) {
                push = new InetSocketAddress(address, port);
            }
        }

        private void admin(Node n) {
            String host = n.string("host", "127.0.0.1");
            int port = n.integer("port", 0, 0, 65535);
            n.finish();
            if (!n.present()) {
                return;
            }
            if (adminToken == null) {
                if (!secretsRead) {
                    return;
                }
                problems.add(ConfigKeys.SECRET_FILE, "adminToken", "missing (required because "
                        + ConfigKeys.CONFIG_FILE + " configures admin; expected: 1 to 1024 visible ASCII characters)");
                return;
            }
            InetAddress address = resolve(n, "host", host);
            if (address == null) {
                return;
            }
            try {
                admin = AdminOptions.builder().bindAddress(address).port(port).bearerToken(adminToken).build();
            } catch (IllegalArgumentException e) {
                // AdminOptions says where a token is malformed, never what it holds.
                problems.add(ConfigKeys.SECRET_FILE, "adminToken", e.getMessage());
            }
        }

        private void game(Node n) {
            String handlers = n.string("handlers", null);
            if (handlers != null) {
                gameHandlers = handlersClass(n, "handlers", handlers);
            }
            Map<String, String> services = n.properties("services");
            if (services.size() > MAX_ENTRIES) {
                n.problem("services", services.size() + " services (expected: at most " + MAX_ENTRIES + ")");
            } else {
                services.forEach((name, type) -> {
                    Class<?> c = handlersClass(n, "services." + name, type);
                    if (c != null) {
                        gameServices.put(name, c);
                    }
                });
            }
            n.finish();
        }

        private static Class<?> handlersClass(Node n, String key, String name) {
            Class<?> type;
            try {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                type = Class.forName(name.trim(), false, loader != null ? loader : JanusConfig.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                n.problem(key, "class " + name + " is not on the class path (expected: a class implementing "
                        + "Supplier<GameHandlers> with a public no-argument constructor)");
                return null;
            }
            Constructor<?> constructor = null;
            try {
                constructor = type.getConstructor();
            } catch (NoSuchMethodException e) {
                constructor = null;
            }
            if (!Supplier.class.isAssignableFrom(type) || constructor == null
                    || Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
                n.problem(key, "class " + name + " is not a public class implementing Supplier<GameHandlers> with "
                        + "a public no-argument constructor");
                return null;
            }
            return type;
        }

        void registry(Node root) {
            Node d = root.section("discovery");
            String provider = d.string("provider", null);
            Map<String, String> properties = d.properties("properties");
            d.finish();
            List<Node> list = root.list("instances");
            List<ServiceInstance> instances = new ArrayList<>();
            if (list.size() > MAX_ENTRIES * 16) {
                root.problem("instances", list.size() + " instances (expected: at most " + MAX_ENTRIES * 16
                        + "; use a discovery server for more)");
                list = List.of();
            }
            for (Node i : list) {
                String service = required(i, "service");
                String id = required(i, "id");
                String address = required(i, "address");
                Map<String, String> metadata = i.properties("metadata");
                i.finish();
                if (service != null && id != null && address != null) {
                    instances.add(ServiceInstance.of(service, id, address, metadata));
                }
            }
            root.finish();
            if (!root.present()) {
                return;
            }
            String name = provider == null ? StaticDiscoveryProvider.NAME : provider;
            if (name.equals(StaticDiscoveryProvider.NAME)) {
                if (!properties.isEmpty()) {
                    d.problem("properties", "the static provider takes instances, not properties "
                            + "(expected: an instances list)");
                }
                staticInstances = instances;
            } else {
                if (!list.isEmpty()) {
                    root.problem("instances", "only the static provider takes instances; '" + name
                            + "' finds them itself (expected: no instances, or provider: static)");
                }
                if (checkProvider(d, "provider", name, DiscoveryRegistry.getDefaultRegistry(), "discovery")) {
                    discovery = new Component(name, properties);
                }
            }
        }

        private static String required(Node n, String key) {
            String value = n.string(key, null);
            if (value == null || value.isBlank()) {
                n.problem(key, "missing (expected: a non-empty string)");
                return null;
            }
            return value;
        }

        private static boolean checkProvider(Node n, String key, String name, ProviderRegistry<?> registry,
                String kind) {
            for (JanusProvider p : registry.providers()) {
                if (p.name().equals(name)) {
                    return true;
                }
            }
            n.problem(key, "no " + kind + " provider named '" + name + "' on the class path (available: "
                    + names(registry) + ")");
            return false;
        }

        private static List<String> names(ProviderRegistry<?> registry) {
            return registry.providers().stream().map(JanusProvider::name).distinct().sorted()
                    .collect(Collectors.toList());
        }

        private static InetAddress resolve(Node n, String key, String host) {
            try {
                return InetAddress.getByName(host.trim());
            } catch (UnknownHostException e) {
                n.problem(key, "cannot resolve \"" + host + "\" (expected: an IP address or a resolvable host name)");
                return null;
            }
        }
    }

    private static byte[] decode(String base64) {
        try {
            return BASE64.decode(base64.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
