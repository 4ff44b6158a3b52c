package io.janus.examples.tokens;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.janus.core.auth.TokenIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login service's role in a small form: an HTTP endpoint (JDK {@code com.sun.net.httpserver}) that
 * checks a demo credential and issues a sealed login token with {@link TokenIssuer}
 * (docs/protocol.md, section 10) for the gateway's {@code sealed} authenticator.
 *
 * <pre>
 * POST /tokens   Content-Type: application/json   {"username": "alice", "password": "..."}
 * 200 {"token": "...", "playerId": 1, "zone": 0, "expiresInSeconds": 300}
 * </pre>
 *
 * <p>Status codes (RFC 9110, section 15): 400 malformed JSON or missing fields, 401 wrong credentials
 * (the same answer for an unknown user and a wrong password), 404 another path, 405 another method,
 * 413 a body over {@value #MAX_BODY_BYTES} bytes, 415 not JSON. Passwords are compared in constant
 * time. Requests run on a bounded pool of {@value #THREADS} threads with a queue of
 * {@value #QUEUE} (when full, the HTTP dispatcher thread serves the request itself, which slows
 * accepting). A real login service adds TLS, rate limits and a user store; the demo accounts are
 * in memory.
 */
public final class TokenEndpoint implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(TokenEndpoint.class);

    /** The path tokens are issued on. */
    public static final String PATH = "/tokens";
    /** The largest request body read. */
    public static final int MAX_BODY_BYTES = 4096;
    static final int THREADS = 2;
    static final int QUEUE = 64;

    /** A demo account: its password and who it logs in as. */
    public static final class Account {
        private final byte[] passwordHash;
        private final long playerId;
        private final int zone;

        /**
         * Creates an account.
         *
         * @param password the password
         * @param playerId the player it logs in as
         * @param zone the player's zone
         */
        public Account(String password, long playerId, int zone) {
            this.passwordHash = sha256(requireNonNull(password, "password"));
            this.playerId = playerId;
            this.zone = zone;
        }

        @Override
        public String toString() {
            return "Account{playerId=" + playerId + ", zone=" + zone + "}";
        }
    }

    private static final Account NOBODY = new Account("\u0000no-account", 0, 0);

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final TokenIssuer issuer;
    private final Map<String, Account> accounts;
    private final Duration ttl;

    private TokenEndpoint(HttpServer server, ThreadPoolExecutor executor, TokenIssuer issuer,
            Map<String, Account> accounts, Duration ttl) {
        this.server = server;
        this.executor = executor;
        this.issuer = issuer;
        this.accounts = accounts;
        this.ttl = ttl;
    }

    /**
     * Binds and starts the endpoint.
     *
     * @param address where to listen; port 0 picks a free one
     * @param issuer seals the tokens, with the keys the gateways hold
     * @param accounts the demo accounts by user name; copied
     * @param ttl how long a token is valid
     * @return the running endpoint
     * @throws IOException when the address cannot be bound
     */
    public static TokenEndpoint start(InetSocketAddress address, TokenIssuer issuer, Map<String, Account> accounts,
            Duration ttl) throws IOException {
        requireNonNull(address, "address");
        requireNonNull(issuer, "issuer");
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
        }
        HttpServer server = HttpServer.create(address, 64);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "token-endpoint");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        TokenEndpoint endpoint = new TokenEndpoint(server, executor, issuer, Map.copyOf(accounts), ttl);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            serve(exchange);
        } catch (RuntimeException e) {
            logger.warn("Token endpoint failed", e);
            if (exchange.getResponseCode() == -1) {
                // Nothing sent yet: the client gets an answer rather than a cut connection.
                respond(exchange, 500, Map.of("error", "internal error"));
            }
        } finally {
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        if (!PATH.equals(exchange.getRequestURI().getPath())) {
            respond(exchange, 404, Map.of("error", "not found; tokens are issued on POST " + PATH));
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            respond(exchange, 405, Map.of("error", "method not allowed; use POST"));
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            respond(exchange, 415, Map.of("error", "expected Content-Type: application/json"));
            return;
        }
        byte[] body = readBounded(exchange.getRequestBody());
        if (body == null) {
            respond(exchange, 413, Map.of("error", "body larger than " + MAX_BODY_BYTES + " bytes"));
            return;
        }
        Map<String, String> fields;
        try {
            fields = FlatJson.parseObject(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString());
        } catch (IllegalArgumentException | CharacterCodingException e) {
            respond(exchange, 400, Map.of("error", "malformed JSON: " + e.getMessage()));
            return;
        }
        String username = fields.get("username");
        String password = fields.get("password");
        if (username == null || password == null) {
            respond(exchange, 400, Map.of("error", "expected the fields username and password"));
            return;
        }
        Account account = accounts.getOrDefault(username, NOBODY);
        // Compared even for an unknown user, so the answer time does not tell which users exist.
        boolean matches = MessageDigest.isEqual(account.passwordHash, sha256(password)) && account != NOBODY;
        if (!matches) {
            respond(exchange, 401, Map.of("error", "invalid credentials"));
            return;
        }
        String token = issuer.issue(account.playerId, account.zone, "", ttl);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token", token);
        answer.put("playerId", account.playerId);
        answer.put("zone", account.zone);
        answer.put("expiresInSeconds", ttl.toSeconds());
        respond(exchange, 200, answer);
    }

    /** Reads at most {@link #MAX_BODY_BYTES}; null when the body is longer. */
    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private static void respond(HttpExchange exchange, int status, Map<String, ?> fields) throws IOException {
        @SuppressWarnings("unchecked")
        byte[] json = FlatJson.write((Map<String, Object>) fields).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops accepting and waits up to a second for requests in flight. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "TokenEndpoint{address=" + address() + ", accounts=" + accounts.size() + "}";
    }
}
