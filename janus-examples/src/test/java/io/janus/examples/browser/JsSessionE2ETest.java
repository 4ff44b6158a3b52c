package io.janus.examples.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.examples.demo.DemoGame;
import io.janus.examples.demo.DemoSecrets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * janus-client.js under Node.js against a real gateway over WebSocket
 * ({@code janus-client-js/test/e2e/session-scenarios.mjs}, with the npm package ws as the WebSocket):
 * login refusals carry the authenticator's reason, a foreign root key is {@code CERTIFICATE_INVALID},
 * requests, concurrent answers, heartbeat, game statuses, logout, and the {@code SERVER_DRAIN} kick
 * with its reconnect address when the test drains the gateway.
 *
 * <p>Skipped when node or the npm packages are missing ({@code scripts/js-deps.sh} installs them).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JsSessionE2ETest {

    private static final String RECONNECT = "127.0.0.1:7777";

    private Gateway gateway;
    private Process node;

    @AfterEach
    void stop() {
        JsTools.kill(node);
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theClientLogsInRequestsIsRefusedWithReasonsAndSeesTheDrainKick() throws Exception {
        Path clientDir = JsTools.clientDirectory();
        Assumptions.assumeTrue(JsTools.node().isPresent(), "node (20 or later) is not installed: run scripts/js-deps.sh");
        Assumptions.assumeTrue(Files.isRegularFile(clientDir.resolve("node_modules/ws/package.json")),
                "the npm package ws is not installed in janus-client-js/node_modules: run scripts/js-deps.sh");

        DemoSecrets secrets = DemoSecrets.generate();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        gateway = Gateway.builder()
                .identity(secrets.gatewayIdentity())
                .listen("ws", new InetSocketAddress(loopback, 0), Map.of("path", "/janus"))
                .authenticator(secrets.authenticator())
                .game(new DemoGame().handlers())
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().get(10, TimeUnit.SECONDS);

        String url = "ws://127.0.0.1:" + gateway.address("ws").getPort() + "/janus";
        Map<String, String> results = drive(clientDir, List.of("test/e2e/session-scenarios.mjs", url,
                Base64.getEncoder().encodeToString(secrets.rootPublicKey()),
                secrets.tokenIssuer().issue(11, Duration.ofMinutes(5)),
                secrets.tokenIssuer().issue(12, Duration.ofMinutes(5))), line -> {
                    if (line.equals("READY_FOR_DRAIN")) {
                        gateway.drain(RECONNECT); // never blocks; the kick reaches the client
                    }
                });

        assertThat(results.get("badToken")).contains("\"ok\":false", "\"reason\":201", "\"reasonName\":\"TOKEN_INVALID\"");
        assertThat(results.get("otherRoot")).contains("\"reason\":111", "\"reasonName\":\"CERTIFICATE_INVALID\"");
        assertThat(results.get("login")).contains("\"playerId\":11", "\"heartbeatIntervalMs\":10000",
                "\"maxPendingRequests\":64");
        assertThat(results.get("echo")).isEqualTo("\"ping\"");
        assertThat(results.get("echoes")).isEqualTo("true");
        assertThat(results.get("heartbeat")).containsPattern("\"rtt\":[0-9]+");
        assertThat(results.get("sayOutsideRoom")).contains("\"reasonName\":\"GAME_ERROR\"", "\"status\":1001",
                "not in room 9");
        assertThat(results.get("unknownModule")).contains("\"ok\":false").containsPattern(
                "\"reasonName\":\"(HANDLER_NOT_FOUND|NO_ROUTE)\"");
        assertThat(results.get("replayedToken")).contains("\"reasonName\":\"TOKEN_REPLAYED\"");
        assertThat(results.get("logout")).contains("\"reason\":306", "\"reasonName\":\"LOGGED_OUT\"");
        assertThat(results.get("afterClose")).contains("\"error\":\"SessionClosedError\"");
        assertThat(results.get("drain")).contains("\"reason\":304", "\"reasonName\":\"SERVER_DRAIN\"",
                "\"byServer\":true", "\"reconnectAddress\":\"" + RECONNECT + "\"");
        assertThat(results.get("afterDrain")).contains("\"isSessionClosed\":true");
    }

    @Test
    void heartbeatsKeepTheSessionKeyUpdatesGoUnnoticedAndDeclinedCompressionHolds() throws Exception {
        Path clientDir = JsTools.clientDirectory();
        Assumptions.assumeTrue(JsTools.node().isPresent(), "node (20 or later) is not installed: run scripts/js-deps.sh");
        Assumptions.assumeTrue(Files.isRegularFile(clientDir.resolve("node_modules/ws/package.json")),
                "the npm package ws is not installed in janus-client-js/node_modules: run scripts/js-deps.sh");

        DemoSecrets secrets = DemoSecrets.generate();
        int idleMillis = 1200;
        gateway = Gateway.builder()
                .identity(secrets.gatewayIdentity())
                .listen("ws", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Map.of("path", "/janus"))
                .authenticator(secrets.authenticator())
                .game(new DemoGame().handlers())
                .sessionOptions(SessionOptions.builder()
                        .heartbeatInterval(Duration.ofMillis(300))
                        .idleTimeout(Duration.ofMillis(idleMillis))
                        .recordsPerKey(4) // the gateway sends a key update every 4 records
                        .compressionThreshold(64) // would compress the 3000-byte answers if the client accepted
                        .build())
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().get(10, TimeUnit.SECONDS);

        String url = "ws://127.0.0.1:" + gateway.address("ws").getPort() + "/janus";
        Map<String, String> results = drive(clientDir, List.of("test/e2e/long-session.mjs", url,
                Base64.getEncoder().encodeToString(secrets.rootPublicKey()),
                secrets.tokenIssuer().issue(21, Duration.ofMinutes(5)), Integer.toString(idleMillis)), line -> { });

        assertThat(results.get("login")).contains("\"heartbeatIntervalMs\":300", "\"idleTimeoutMs\":" + idleMillis);
        assertThat(results.get("echoesAcrossKeyUpdates")).isEqualTo("30");
        assertThat(results.get("afterIdle")).contains("\"active\":true").containsPattern("\"rttMillis\":[0-9]+");
        assertThat(results.get("closed")).contains("\"reason\":0", "\"reasonName\":\"OK\"", "\"byServer\":false");
        assertThat(gateway.stats().logins()).isEqualTo(1);
    }

    /**
     * Runs a driver script with node in the client directory and collects its {@code RESULT name json}
     * lines until {@code END}, handing every line to {@code onLine} first. Bounded: 60 s and 100 lines.
     */
    private Map<String, String> drive(Path clientDir, List<String> script, Consumer<String> onLine)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add("node");
        command.addAll(script);
        node = new ProcessBuilder(command).directory(clientDir.toFile()).redirectErrorStream(true).start();
        Process process = node;
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(256); // bounded: drivers print ~20 lines
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.offer(line);
                }
            } catch (IOException e) {
                lines.offer("FAIL read: " + e);
            }
        }, "node-stdout");
        reader.setDaemon(true);
        reader.start();

        Map<String, String> results = new HashMap<>();
        List<String> all = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && all.size() < 100) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            all.add(line);
            onLine.accept(line);
            if (line.startsWith("RESULT ")) {
                String[] parts = line.split(" ", 3);
                results.put(parts[1], parts[2]);
            } else if (line.equals("END")) {
                break;
            }
        }
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("node ended: %s", all).isTrue();
        assertThat(all).as("driver output").noneMatch(l -> l.startsWith("FAIL")).contains("END");
        assertThat(process.exitValue()).as("driver output %s", all).isZero();
        return results;
    }
}
