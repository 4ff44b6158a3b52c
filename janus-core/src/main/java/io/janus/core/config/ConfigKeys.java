package io.janus.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every key the loader knows, by file, and the environment variable that overrides each. A key path
 * joins map keys with {@code '.'}; {@code []} stands for any element of a list; a {@code properties}
 * key is a map of provider-specific strings. The loader refuses to read a key missing from this list,
 * so the list, the templates and docs/configuration.md cannot drift apart unnoticed (a test checks the
 * templates against it).
 *
 * <p>The environment variable of a key is {@code JANUS_}, then {@code SECRET_} for secret.yaml or
 * {@code REGISTRY_} for registry.yaml (nothing for config.yaml), then each path segment upper-cased
 * with everything but letters and digits removed, joined with {@code '_'}; a list element is named by
 * its index: {@code admin.port} is {@code JANUS_ADMIN_PORT}, {@code session.idleTimeout} is
 * {@code JANUS_SESSION_IDLETIMEOUT}, {@code transports[0].port} is {@code JANUS_TRANSPORTS_0_PORT},
 * secret.yaml's {@code adminToken} is {@code JANUS_SECRET_ADMINTOKEN}.
 */
public final class ConfigKeys {

    /** The main file: transports, session limits, components, admin endpoint, game handlers. */
    public static final String CONFIG_FILE = "config.yaml";
    /** The secrets: gateway key and certificate, token keys, admin token, client app keys. */
    public static final String SECRET_FILE = "secret.yaml";
    /** Service discovery: the provider and the static instances. Optional. */
    public static final String REGISTRY_FILE = "registry.yaml";

    /** The prefix of every overriding environment variable. */
    public static final String ENV_PREFIX = "JANUS_";

    private static final List<String> CONFIG_KEYS = List.of(
            "id",
            "transports",
            "transports[].provider",
            "transports[].host",
            "transports[].port",
            "transports[].properties",
            "session.maxFrameLength",
            "session.loginTimeout",
            "session.idleTimeout",
            "session.heartbeatInterval",
            "session.requestTimeout",
            "session.maxPendingRequests",
            "session.outboundLowWaterMark",
            "session.outboundHighWaterMark",
            "session.maxOutboundBytes",
            "session.maxConnections",
            "session.maxConnectionsPerIp",
            "session.duplicateLoginPolicy",
            "session.compressionThreshold",
            "session.maxInflatedBytes",
            "session.recordsPerKey",
            "session.handshakesPerSecondPerIp",
            "session.handshakeBurstPerIp",
            "session.handshakesPerSecond",
            "session.requestsPerSecond",
            "session.requestBurst",
            "session.requestRatePolicy",
            "session.resumeWindow",
            "session.replayBufferPackets",
            "session.replayBufferBytes",
            "session.replayMaxAge",
            "routes.defaultService",
            "routes.modules",
            "routes.modules[].module",
            "routes.modules[].service",
            "routes.modules[].key",
            "router.provider",
            "router.properties",
            "directory.provider",
            "directory.properties",
            "tunnel.provider",
            "tunnel.properties",
            "authenticator.provider",
            "authenticator.properties",
            "push.host",
            "push.port",
            "admin.host",
            "admin.port",
            "drainTimeout",
            "shutdownTimeout",
            "workerThreads",
            "blockingThreads",
            "blockingQueueCapacity",
            "game.handlers",
            "game.services");

    private static final List<String> SECRET_KEYS = List.of(
            "gateway.keySeed",
            "gateway.certificate",
            "tokenKeys",
            "adminToken",
            "resumeTicketKey",
            "clientAttestationKeys",
            "authenticator.properties");

    private static final List<String> REGISTRY_KEYS = List.of(
            "discovery.provider",
            "discovery.properties",
            "instances",
            "instances[].service",
            "instances[].id",
            "instances[].address",
            "instances[].metadata");

    private static final Map<String, List<String>> BY_FILE = Map.of(
            CONFIG_FILE, CONFIG_KEYS, SECRET_FILE, SECRET_KEYS, REGISTRY_FILE, REGISTRY_KEYS);

    private ConfigKeys() {
    }

    /**
     * The key paths of a file, in the order the documentation lists them.
     *
     * @param file {@link #CONFIG_FILE}, {@link #SECRET_FILE} or {@link #REGISTRY_FILE}
     * @return the key paths
     * @throws IllegalArgumentException for another file name
     */
    public static List<String> keys(String file) {
        List<String> keys = BY_FILE.get(requireNonNull(file, "file"));
        if (keys == null) {
            throw new IllegalArgumentException("file: " + file + " (expected: one of " + BY_FILE.keySet() + ")");
        }
        return keys;
    }

    /**
     * The environment variable that overrides a key.
     *
     * @param file the file of the key
     * @param path the key path with list indices, e.g. {@code transports[0].port}
     * @return the variable name, e.g. {@code JANUS_TRANSPORTS_0_PORT}
     */
    public static String envName(String file, String path) {
        keys(file);
        requireNonNull(path, "path");
        StringBuilder sb = new StringBuilder(ENV_PREFIX);
        if (file.equals(SECRET_FILE)) {
            sb.append("SECRET_");
        } else if (file.equals(REGISTRY_FILE)) {
            sb.append("REGISTRY_");
        }
        sb.append(normalize(path.replace("[", ".").replace("]", "").replace('.', '_')));
        return sb.toString();
    }

    /** Upper-cases and keeps letters, digits and '_' (the segment separator). */
    static String normalize(String segments) {
        StringBuilder sb = new StringBuilder(segments.length());
        for (char c : segments.toUpperCase(Locale.ROOT).toCharArray()) {
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Whether a path with list indices is in the catalogue of its file. */
    static boolean isKnown(String file, String path) {
        return keys(file).contains(path.replaceAll("\\[\\d+]", "[]"));
    }
}
