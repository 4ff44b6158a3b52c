package io.janus.examples.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.core.Gateway;
import io.janus.examples.demo.DemoGame;
import io.janus.examples.demo.DemoSecrets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser end to end: a gateway with TCP and WebSocket embedding {@link DemoGame} serves the chat
 * demo page ({@code janus-demo/chat}); the system Chromium, headless and driven by playwright-core
 * ({@code janus-client-js/test/e2e/browser-chat.mjs}), opens the page, which runs janus-client.js: the
 * handshake with WebCrypto, the login with a sealed token, joining room 7 and saying a message. A Java
 * {@link ClientSession} over TCP in the same room receives that message as a push and answers with its
 * own message, which the page must show as a push. A screenshot is saved to
 * {@code target/browser-e2e.png}.
 *
 * <p>Skipped, with the reason, when node, the npm packages or Chromium are missing
 * ({@code scripts/js-deps.sh} installs them).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrowserChatE2ETest {

    private static final long ROOM = 7;
    private static final String BROWSER_SAYS = "hello from the browser";
    private static final String JAVA_SAYS = "hello from java";
    private static final long STEP_SECONDS = 20;

    private Gateway gateway;
    private JanusClient client;
    private Process node;

    @AfterEach
    void stop() {
        JsTools.kill(node);
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theChatPageConnectsLogsInChatsAndReceivesAPushFromAJavaSession() throws Exception {
        Path clientDir = JsTools.clientDirectory();
        Assumptions.assumeTrue(JsTools.node().isPresent(), "node (20 or later) is not installed: run scripts/js-deps.sh");
        Assumptions.assumeTrue(JsTools.hasPlaywright(clientDir),
                "playwright-core is not installed in janus-client-js/node_modules: run scripts/js-deps.sh");
        Path chromium = JsTools.chromium().orElse(null);
        Assumptions.assumeTrue(chromium != null, "chromium is not installed (" + JsTools.CHROMIUM
                + "): run scripts/js-deps.sh");

        DemoSecrets secrets = DemoSecrets.generate();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        gateway = Gateway.builder()
                .identity(secrets.gatewayIdentity())
                .listen("tcp", new InetSocketAddress(loopback, 0), Map.of())
                .listen("ws", new InetSocketAddress(loopback, 0), Map.of("path", "/janus", "staticResources",
                        "janus-demo/chat"))
                .authenticator(secrets.authenticator())
                .game(new DemoGame().handlers())
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().get(10, TimeUnit.SECONDS);

        // The Java player (player 2) joins the room first and answers the browser's message.
        client = JanusClient.builder().pinnedRootKey(secrets.rootPublicKey()).requestTimeout(Duration.ofSeconds(10))
                .build();
        ClientSession java = client.connect(new InetSocketAddress(loopback, gateway.address("tcp").getPort()),
                secrets.tokenIssuer().issue(2, Duration.ofMinutes(5))).get(STEP_SECONDS, TimeUnit.SECONDS);
        BlockingQueue<String> javaPushes = new LinkedBlockingQueue<>(64); // bounded: offer drops beyond
        CompletableFuture<String> reply = new CompletableFuture<>();
        java.onPush(push -> {
            String text = push.getBody().toStringUtf8();
            javaPushes.offer(push.getModule() + "/" + push.getSeq() + "/" + push.getObj() + ": " + text);
            if (text.endsWith(": " + BROWSER_SAYS) && !reply.isDone()) {
                // Answer from the push callback without blocking the event loop.
                java.request(DemoGame.CHAT_MODULE, DemoGame.SAY, ROOM, ByteString.copyFromUtf8(JAVA_SAYS))
                        .whenComplete((answer, failure) -> {
                            if (failure != null) {
                                reply.completeExceptionally(failure);
                            } else {
                                reply.complete(answer.toStringUtf8());
                            }
                        });
            }
        });
        assertThat(java.request(DemoGame.CHAT_MODULE, DemoGame.JOIN, ROOM, ByteString.EMPTY)
                .get(STEP_SECONDS, TimeUnit.SECONDS).toStringUtf8()).isEqualTo("joined room 7 (1 member)");

        // The browser player (player 1) gets its token and the pinned root key in the page's query.
        int wsPort = gateway.address("ws").getPort();
        String page = "http://127.0.0.1:" + wsPort + "/index.html?room=" + ROOM
                + "&root=" + URLEncoder.encode(Base64.getEncoder().encodeToString(secrets.rootPublicKey()),
                        StandardCharsets.UTF_8)
                + "&token=" + URLEncoder.encode(secrets.tokenIssuer().issue(1, Duration.ofMinutes(5)),
                        StandardCharsets.UTF_8);
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path screenshot = target.resolve("browser-e2e.png");
        Files.deleteIfExists(screenshot);
        Path nodeLog = target.resolve("browser-e2e-node.log");
        node = new ProcessBuilder(List.of("node", "test/e2e/browser-chat.mjs", page, screenshot.toString(),
                chromium.toString()))
                .directory(clientDir.toFile())
                .redirectError(nodeLog.toFile())
                .start();
        List<String> lines = readLines(node, STEP_SECONDS * 3);
        boolean ended = node.waitFor(STEP_SECONDS, TimeUnit.SECONDS);
        String diagnostics = "driver output " + lines + "; stderr in " + nodeLog + ":\n"
                + Files.readString(nodeLog, StandardCharsets.UTF_8);

        assertThat(ended).as("the driver ended; %s", diagnostics).isTrue();
        assertThat(lines).as(diagnostics).startsWith("JOINED", "SAID");
        assertThat(lines.get(lines.size() - 1)).as(diagnostics).startsWith("DONE ")
                .contains("push|player-2: " + JAVA_SAYS, "push|player-1: " + BROWSER_SAYS,
                        "joined room 7 (2 members)", "in room 7 as player 1");
        assertThat(node.exitValue()).as(diagnostics).isZero();

        // The Java session saw the browser's message as a chat push, and its own answer was delivered to both.
        assertThat(javaPushes.poll(STEP_SECONDS, TimeUnit.SECONDS)).isEqualTo(DemoGame.CHAT_MODULE + "/"
                + DemoGame.CHAT_MESSAGE + "/" + ROOM + ": player-1: " + BROWSER_SAYS);
        assertThat(reply.get(STEP_SECONDS, TimeUnit.SECONDS)).isEqualTo("delivered to 2 members");
        assertThat(screenshot).isRegularFile();
        assertThat(Files.size(screenshot)).isGreaterThan(1000);
        assertThat(gateway.stats().logins()).isEqualTo(2);
        java.close();
    }

    /** Reads the driver's stdout lines until it closes it, bounded in time by the driver's own cut-off. */
    private static List<String> readLines(Process process, long seconds) throws Exception {
        CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
            List<String> read = new java.util.ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null && read.size() < 100) {
                    read.add(line);
                }
            } catch (IOException e) {
                read.add("(read failed: " + e + ")");
            }
            return read;
        });
        return lines.get(seconds, TimeUnit.SECONDS);
    }
}
