package io.janus.examples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.JanusClient;
import io.janus.examples.config.TestSecrets;
import io.janus.examples.demo.DemoGame;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher: {@code --check} in this JVM, and serving in a child JVM started like
 * {@code java -jar janus-launcher.jar --config DIR}, reached by the Java client over loopback TCP and
 * drained by a real SIGTERM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {

    private static final String CONFIG = "transports:\n  - provider: tcp\n    host: 127.0.0.1\n    port: 0\n"
            + "admin:\n  host: 127.0.0.1\n  port: 0\n"
            + "drainTimeout: 5s\nshutdownTimeout: 2s\n";

    private static final Pattern LISTENING = Pattern.compile("janus: tcp listening on .*:(\\d+)$");

    @TempDir
    Path dir;

    private final TestSecrets secrets = new TestSecrets();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) throws InterruptedException {
        return Launcher.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void checkAcceptsAValidConfiguration() throws Exception {
        TestSecrets.write(dir, CONFIG, secrets.secretYaml(""), null);

        assertThat(run(Map.of(), "--config", dir.toString(), "--check")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("janus: configuration OK: JanusConfig{")
                .doesNotContain(secrets.keySeed()).doesNotContain("test-admin-token");
    }

    @Test
    void checkPrintsEveryProblemAndFails() throws Exception {
        TestSecrets.write(dir, CONFIG.replace("port: 0\nadmin", "port: 99999\nadmin") + "session:\n  idleTimeout: abc\n",
                "gateway: {}\n", null);

        assertThat(run(Map.of("JANUS_ADMIN_PORT", "x"), "--config", dir.toString(), "--check")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("configuration problems:")
                .contains("config.yaml: transports[0].port: expected an integer from 0 to 65535, got 99999")
                .contains("config.yaml: session.idleTimeout: expected a duration like 30s")
                .contains("config.yaml: admin.port (from JANUS_ADMIN_PORT): expected an integer from 0 to 65535, got \"x\"")
                .contains("secret.yaml: gateway.keySeed: missing")
                .contains("secret.yaml: tokenKeys: missing");
    }

    @Test
    void badArgumentsExitWithTwo() throws Exception {
        assertThat(run(Map.of())).isEqualTo(2);
        assertThat(run(Map.of(), "--config")).isEqualTo(2);
        assertThat(run(Map.of(), "--config", dir.resolve("missing").toString())).isEqualTo(2);
        assertThat(run(Map.of(), "--bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: java -jar janus-launcher.jar");
    }

    @Test
    void servesTheDemoGameFromConfigurationAndDrainsOnSigterm() throws Exception {
        TestSecrets.write(dir, CONFIG, secrets.secretYaml(""), null);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Launcher.class.getName(), "--config", dir.toString())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("JANUS_"));
        builder.environment().put("JANUS_SESSION_IDLETIMEOUT", "60s");
        Process process = builder.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>(10_000);
        List<String> seen = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.offer(line);
                }
            } catch (java.io.IOException e) {
                // The process ended.
            }
        }, "launcher-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int port = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (port < 0 && System.nanoTime() < deadline) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line != null) {
                    seen.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port = Integer.parseInt(m.group(1));
                    }
                }
                assertThat(process.isAlive() || !lines.isEmpty()).as("the launcher is running; output: %s", seen).isTrue();
            }
            assertThat(port).as("a listening line within 40 s; output: %s", seen).isPositive();

            try (JanusClient client = JanusClient.builder().pinnedRootKey(secrets.rootPublicKey()).threads(1)
                    .requestTimeout(Duration.ofSeconds(5)).build()) {
                ClientSession session = client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        secrets.tokenIssuer().issue(5, Duration.ofMinutes(5))).orTimeout(10, TimeUnit.SECONDS).join();
                assertThat(session.request(DemoGame.ECHO_MODULE, DemoGame.ECHO, ByteString.copyFromUtf8("hello"))
                        .orTimeout(5, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("hello");
                assertThat(session.loginResponse().getIdleTimeoutMs()).as("JANUS_SESSION_IDLETIMEOUT applied").isEqualTo(60_000);

                process.destroy(); // SIGTERM

                CloseReason closed = session.closeFuture().orTimeout(15, TimeUnit.SECONDS).join();
                assertThat(closed.reason()).isEqualTo(Reason.SERVER_DRAIN);
                assertThat(closed.byServer()).isTrue();
            }
            assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("the launcher exits after draining").isTrue();
            assertThat(process.exitValue()).as("the exit status of a JVM ended by SIGTERM").isEqualTo(143);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
