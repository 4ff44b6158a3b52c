package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.admin.AdminOptions;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.spi.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator's admin endpoint over real HTTP: health, readiness, connection statistics and Prometheus
 * metrics that match what clients did, the bearer token of the mutating endpoints (missing, wrong,
 * right, not configured), kicking a player, 404 and 405, and one request per connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminEndpointTest {

    private static final String TOKEN = "t0ken-for-tests-only";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Gateway gateway;
    private JanusClient client;

    private static Gateway.Builder builder(AdminOptions admin) {
        return Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .admin(admin)
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2));
    }

    @BeforeEach
    void start() {
        gateway = builder(AdminOptions.builder().bearerToken(TOKEN).build()).build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().build();
    }

    @AfterEach
    void stop() {
        gateway.close();
        client.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(gateway, path)).GET());
    }

    private HttpResponse<String> post(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(gateway, path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(Gateway gateway, String path) {
        InetSocketAddress admin = gateway.adminAddress();
        return URI.create("http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort() + path);
    }

    private ClientSession connect(long player) {
        return client.connect(gateway.address("tcp"), "player-" + player).orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static void assertJson(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).contains("application/json; charset=utf-8");
        assertThat(response.headers().firstValue("connection")).contains("close");
        assertThat(response.body()).startsWith("{").endsWith("}");
    }

    @Test
    void bindsLoopbackOnAFreePortByDefault() {
        assertThat(gateway.adminAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(gateway.adminAddress().getPort()).isPositive();
    }

    @Test
    void healthSaysAlive() throws Exception {
        HttpResponse<String> health = get("/health");

        assertJson(health, 200);
        assertThat(health.body()).contains("\"status\":\"alive\"", "\"gateway\":\"" + gateway.id() + "\"",
                "\"state\":\"started\"");
    }

    @Test
    void readyWhenStartedAndEveryRoutedServiceHasAnInstance() throws Exception {
        HttpResponse<String> ready = get("/ready");

        assertJson(ready, 200);
        assertThat(ready.body()).isEqualTo("{\"ready\":true,\"state\":\"started\",\"unavailableServices\":[]}");
        assertThat(gateway.isReady()).isTrue();
    }

    @Test
    void notReadyBeforeStartNorWhileARoutedServiceHasNoInstance() throws Exception {
        StaticDiscovery discovery = new StaticDiscovery();
        Gateway routed = builder(AdminOptions.defaults())
                .discovery(discovery)
                .routes(ModuleRoutes.builder().route(6, "room", ModuleRoutes.Key.OBJECT).build())
                .build();
        try {
            assertThat(routed.isReady()).isFalse();
            assertThat(routed.state()).isEqualTo(Gateway.State.NEW);

            routed.start().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(routed.unavailableServices()).containsExactly("room");
            assertThat(routed.isReady()).isFalse();
            HttpResponse<String> notReady = send(HttpRequest.newBuilder(uri(routed, "/ready")).GET());
            assertJson(notReady, 503);
            assertThat(notReady.body()).isEqualTo(
                    "{\"ready\":false,\"state\":\"started\",\"unavailableServices\":[\"room\"]}");

            ServiceInstance room = ServiceInstance.of("room", "room-1", "127.0.0.1:9000", Map.of());
            discovery.register(room);
            assertThat(routed.unavailableServices()).isEmpty();
            assertThat(send(HttpRequest.newBuilder(uri(routed, "/ready")).GET()).statusCode()).isEqualTo(200);

            discovery.deregister(room);
            assertThat(routed.isReady()).isFalse();
            assertThat(send(HttpRequest.newBuilder(uri(routed, "/ready")).GET()).statusCode()).isEqualTo(503);
        } finally {
            routed.close();
        }
    }

    @Test
    void connectionStatsCountSessionsHandshakesLoginsAndFailuresByReason() throws Exception {
        ClientSession one = connect(1);
        connect(2);
        assertThatThrownBy(() -> client.connect(gateway.address("tcp"), "bogus").orTimeout(10, TimeUnit.SECONDS)
                .join()).isInstanceOf(CompletionException.class);
        assertThatThrownBy(() -> one.request(TestGame.MODULE, TestGame.GAME_ERROR, TestGame.intBody(0))
                .orTimeout(10, TimeUnit.SECONDS).join()).hasMessageContaining("game says no");
        one.request(TestGame.MODULE, TestGame.ECHO, TestGame.intBody(7)).orTimeout(10, TimeUnit.SECONDS).join();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> stats = get("/stats/connections");
            assertJson(stats, 200);
            assertThat(stats.body()).contains(
                    "\"gateway\":\"" + gateway.id() + "\"",
                    "\"state\":\"started\"",
                    "\"sessions\":{\"total\":2,\"players\":2,\"byTransport\":{\"tcp\":2}}",
                    "\"connectionsAccepted\":3",
                    "\"handshakes\":{\"total\":3,",
                    "\"windowSeconds\":10,\"failed\":{}}",
                    "\"logins\":2",
                    "\"requests\":2",
                    "\"failures\":{\"connections\":{\"TOKEN_INVALID\":1},\"requests\":{\"GAME_ERROR\":1}}");
            Matcher rate = Pattern.compile("\"perSecond\":([0-9.E-]+)").matcher(stats.body());
            assertThat(rate.find()).isTrue();
            // Three handshakes within the last ten seconds.
            assertThat(Double.parseDouble(rate.group(1))).isEqualTo(0.3);
        });
    }

    @Test
    void metricsAreThePrometheusTextFormatWithTheCountsOfWhatHappened() throws Exception {
        ClientSession one = connect(1);
        connect(2);
        connect(3);
        assertThatThrownBy(() -> client.connect(gateway.address("tcp"), "bogus").orTimeout(10, TimeUnit.SECONDS)
                .join()).isInstanceOf(CompletionException.class);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> one.request(TestGame.MODULE, TestGame.GAME_ERROR, TestGame.intBody(0))
                    .orTimeout(10, TimeUnit.SECONDS).join()).hasMessageContaining("game says no");
        }
        assertThatThrownBy(() -> one.request(TestGame.MODULE, 99, TestGame.intBody(0))
                .orTimeout(10, TimeUnit.SECONDS).join()).isInstanceOf(CompletionException.class);
        one.close();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> metrics = get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type"))
                    .contains("text/plain; version=0.0.4; charset=utf-8");
            List<String> lines = metrics.body().lines().toList();
            assertThat(lines).contains(
                    "# HELP janus_connections_accepted_total Connections accepted since start.",
                    "# TYPE janus_connections_accepted_total counter",
                    "janus_connections_accepted_total 4",
                    "# TYPE janus_handshakes_total counter",
                    "janus_handshakes_total 4",
                    "# TYPE janus_logins_total counter",
                    "janus_logins_total 3",
                    "# TYPE janus_requests_total counter",
                    "janus_requests_total 3",
                    "# TYPE janus_sessions_closed_total counter",
                    "janus_sessions_closed_total{reason=\"token_invalid\"} 1",
                    "janus_sessions_closed_total{reason=\"logged_out\"} 1",
                    "janus_sessions_closed_total{reason=\"kicked\"} 0",
                    "# TYPE janus_requests_failed_total counter",
                    "janus_requests_failed_total{reason=\"game_error\"} 2",
                    "janus_requests_failed_total{reason=\"handler_not_found\"} 1",
                    "# TYPE janus_sessions gauge",
                    "janus_sessions{transport=\"tcp\"} 2",
                    "# TYPE janus_ready gauge",
                    "janus_ready 1");
            assertThat(metrics.body()).endsWith("\n");
        });
    }

    @Test
    void drainRefusesRequestsWithoutTheRightBearerToken() throws Exception {
        HttpResponse<String> missing = post("/drain", null);
        assertJson(missing, 401);
        assertThat(missing.headers().firstValue("www-authenticate")).contains("Bearer realm=\"janus-admin\"");
        assertThat(missing.body()).contains("bearer token required");

        assertJson(post("/drain", "Basic " + TOKEN), 401);
        assertJson(post("/drain", "Bearer "), 401);

        HttpResponse<String> wrong = post("/drain", "Bearer " + TOKEN + "x");
        assertJson(wrong, 403);
        assertThat(wrong.body()).contains("invalid bearer token").doesNotContain(TOKEN);
        assertJson(post("/drain", "Bearer " + TOKEN.substring(1)), 403);

        assertThat(gateway.state()).isEqualTo(Gateway.State.STARTED);
        assertThat(gateway.isReady()).isTrue();
    }

    @Test
    void drainWithTheRightTokenIsAcceptedAndKicksClientsWithTheReconnectAddress() throws Exception {
        ClientSession session = connect(1);

        HttpResponse<String> accepted = post("/drain?reconnectAddress=127.0.0.1:17000", "bearer " + TOKEN);

        assertJson(accepted, 202);
        assertThat(accepted.body()).isEqualTo("{\"draining\":true,\"reconnectAddress\":\"127.0.0.1:17000\"}");
        CloseReason closed = session.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(closed.reason()).isEqualTo(Reason.SERVER_DRAIN);
        assertThat(closed.reconnectAddress()).isEqualTo("127.0.0.1:17000");
        gateway.terminationFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(gateway.state()).isEqualTo(Gateway.State.STOPPED);
    }

    @Test
    void mutatingEndpointsAreRefusedWhenNoTokenIsConfigured() throws Exception {
        Gateway tokenless = builder(AdminOptions.defaults()).build();
        try {
            tokenless.start().orTimeout(10, TimeUnit.SECONDS).join();
            for (String path : List.of("/drain", "/sessions/1/kick")) {
                for (String authorization : new String[] {null, "Bearer " + TOKEN, "Bearer "}) {
                    HttpRequest.Builder request = HttpRequest.newBuilder(uri(tokenless, path))
                            .POST(HttpRequest.BodyPublishers.noBody());
                    if (authorization != null) {
                        request.header("Authorization", authorization);
                    }
                    HttpResponse<String> refused = send(request);
                    assertJson(refused, 403);
                    assertThat(refused.body()).isEqualTo("{\"error\":\"admin token not configured\"}");
                }
            }
            assertThat(tokenless.state()).isEqualTo(Gateway.State.STARTED);
        } finally {
            tokenless.close();
        }
    }

    @Test
    void kickClosesThePlayersSessionWithKicked() throws Exception {
        ClientSession target = connect(41);
        ClientSession bystander = connect(42);

        HttpResponse<String> wrong = post("/sessions/41/kick", "Bearer nope");
        assertJson(wrong, 403);
        assertJson(post("/sessions/41/kick", null), 401);
        assertThat(target.isActive()).isTrue();

        HttpResponse<String> kicked = post("/sessions/41/kick?message=cheating%20%22detected%22", "Bearer " + TOKEN);

        assertJson(kicked, 200);
        assertThat(kicked.body()).isEqualTo("{\"kicked\":true,\"playerId\":41,\"sessionId\":" + target.sessionId()
                + "}");
        CloseReason closed = target.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(closed.reason()).isEqualTo(Reason.KICKED);
        assertThat(closed.message()).isEqualTo("cheating \"detected\"");
        assertThat(closed.byServer()).isTrue();
        assertThat(bystander.isActive()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(Reason.KICKED) == 1);

        HttpResponse<String> gone = post("/sessions/41/kick", "Bearer " + TOKEN);
        assertJson(gone, 404);
        assertThat(gone.body()).isEqualTo("{\"error\":\"no session for player 41 on this gateway\",\"playerId\":41}");
        assertJson(post("/sessions/nobody/kick", "Bearer " + TOKEN), 400);
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws Exception {
        HttpResponse<String> unknown = get("/nope");
        assertJson(unknown, 404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"no such endpoint: /nope\"}");
        assertJson(get("/sessions/1"), 404);
        assertJson(post("/stats", "Bearer " + TOKEN), 404);

        HttpResponse<String> postHealth = post("/health", "Bearer " + TOKEN);
        assertJson(postHealth, 405);
        assertThat(postHealth.headers().firstValue("allow")).contains("GET");
        for (String path : List.of("/ready", "/stats/connections", "/metrics")) {
            assertJson(post(path, null), 405);
        }
        HttpResponse<String> getDrain = get("/drain");
        assertJson(getDrain, 405);
        assertThat(getDrain.headers().firstValue("allow")).contains("POST");
        assertJson(get("/sessions/1/kick"), 405);
        assertJson(send(HttpRequest.newBuilder(uri(gateway, "/health")).DELETE()), 405);
        assertThat(gateway.state()).isEqualTo(Gateway.State.STARTED);
    }

    @Test
    void everyAnswerClosesItsConnection() throws Exception {
        try (Socket socket = rawAdminSocket()) {
            OutputStream out = socket.getOutputStream();
            // Two requests on one connection: the first is answered, then the connection closes.
            out.write(("GET /health HTTP/1.1\r\nHost: admin\r\n\r\n"
                    + "GET /ready HTTP/1.1\r\nHost: admin\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readUntilClosed(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("connection: close\r\n")
                    .contains("\"status\":\"alive\"").doesNotContain("\"ready\"");
        }
    }

    @Test
    void oversizedBodiesAreRefused() throws Exception {
        try (Socket socket = rawAdminSocket()) {
            OutputStream out = socket.getOutputStream();
            // Refused on the headers alone, before any of the body is sent.
            out.write(("POST /drain HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readUntilClosed(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 413 ");
        }
        assertThat(gateway.state()).isEqualTo(Gateway.State.STARTED);
    }

    private Socket rawAdminSocket() throws IOException {
        Socket socket = new Socket();
        socket.connect(gateway.adminAddress(), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Reads until the server closes the connection; a read timeout (no close) fails the test. */
    private static String readUntilClosed(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketException e) {
            // Reset after the answer (we had unread bytes in flight): what arrived is what counts.
            throw new AssertionError("connection reset before the answer was read", e);
        }
    }
}
