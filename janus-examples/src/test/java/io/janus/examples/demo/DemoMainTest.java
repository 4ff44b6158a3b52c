package io.janus.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.Gateway;
import io.janus.core.game.GameHandlers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scripted demo, run in this JVM as {@code java -jar janus-demo.jar} runs it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DemoMainTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void scriptedDemoCompletesAndPrintsEachStep() throws InterruptedException {
        int status = DemoMain.run(new String[] {"--port", "0"}, out, err);

        assertThat(status).as("exit status; stderr: %s", err()).isZero();
        assertThat(err()).isEmpty();
        assertThat(out()).containsSubsequence(
                "[alice] connected: session=",
                ", player=1",
                "[bob] connected: session=",
                ", player=2",
                "[mallory] login refused: TOKEN_INVALID",
                "[eve] login with a used token refused: TOKEN_REPLAYED",
                "[alice] echo -> hello",
                "[alice] nickname -> player 1: nickname=Alice, logins=1",
                "[bob] nickname -> player 2: nickname=Bob, logins=1",
                "[bob] profile -> player 2: nickname=Bob, logins=1",
                "[alice] nickname 'Alice the Magnificent' refused: status 1003",
                "[alice] joined room 7 (1 member)",
                "[bob] joined room 7 (2 members)",
                "[bob] said hi (delivered to 2 members)",
                "[alice] got push: Bob: hi",
                "[alice] left room 7",
                "[alice] say refused: status 1001",
                "[alice] logged out: LOGGED_OUT",
                "[bob] logged out: LOGGED_OUT",
                "demo completed: 17 steps in ",
                "gateway stats: connections=4, logins=2, requests=10, failed requests={GAME_ERROR=2}");
    }

    @Test
    void theSameScriptPassesWithTheGameInARemoteGameService() throws InterruptedException {
        int status = DemoMain.run(new String[] {"--port", "0", "--remote"}, out, err);

        assertThat(status).as("exit status; stderr: %s", err()).isZero();
        assertThat(out()).containsSubsequence(
                "game service ",
                "[alice] echo -> hello",
                "[bob] said hi (delivered to 2 members)",
                "[alice] got push: Bob: hi",
                "[alice] say refused: status 1001",
                "demo completed: 17 steps in ",
                "gateway stats: connections=4, logins=2, requests=10, failed requests={GAME_ERROR=2}");
    }

    @Test
    void theGameServiceMainServesUntilStopped() throws Exception {
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Integer> status = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return DemoServiceMain.run(new String[] {"--port", "0", "--id", "demo-1"}, out, err, stop);
            } catch (InterruptedException e) {
                return -1;
            }
        });
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> out().contains("demo game service demo-1 serving 'game' on "));
        stop.countDown();
        assertThat(status.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(DemoServiceMain.run(new String[] {"--port", "x"}, out, err, stop)).isEqualTo(2);
        assertThat(DemoServiceMain.run(new String[] {"--bogus", "1"}, out, err, stop)).isEqualTo(2);
    }

    @Test
    void helpPrintsTheUsage() throws InterruptedException {
        assertThat(DemoMain.run(new String[] {"--help"}, out, err)).isZero();
        assertThat(out()).startsWith("usage: java -jar janus-demo.jar");
    }

    @Test
    void badArgumentsExitWithStatusTwoAndTheUsage() throws InterruptedException {
        assertThat(DemoMain.run(new String[] {"--port", "http"}, out, err)).isEqualTo(2);
        assertThat(DemoMain.run(new String[] {"--port", "70000"}, out, err)).isEqualTo(2);
        assertThat(DemoMain.run(new String[] {"--port"}, out, err)).isEqualTo(2);
        assertThat(DemoMain.run(new String[] {"--verbose"}, out, err)).isEqualTo(2);
        assertThat(err()).contains("--port: http (expected: 0 to 65535)", "--port needs a value",
                "unknown argument: --verbose", "usage:");
        assertThat(out()).isEmpty();
    }

    @Test
    void scriptFailsFastNamingTheStepWhenTheGameIsMissing() {
        // A gateway without the demo game: logins work, the first request fails with HANDLER_NOT_FOUND.
        DemoSecrets secrets = DemoSecrets.generate();
        try (Gateway gateway = Gateway.builder()
                .listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Map.of())
                .identity(secrets.gatewayIdentity())
                .authenticator(secrets.authenticator())
                .game(GameHandlers.builder().build())
                .build()) {
            gateway.start().orTimeout(5, TimeUnit.SECONDS).join();
            DemoClient script = new DemoClient(gateway.address("tcp"), secrets.rootPublicKey(),
                    secrets.tokenIssuer(), out);

            assertThatThrownBy(script::run)
                    .isInstanceOf(DemoClient.DemoFailedException.class)
                    .hasMessageContaining("step 'alice: echo' failed")
                    .hasMessageContaining("HANDLER_NOT_FOUND");
        }
        assertThat(out()).contains("[alice] connected").doesNotContain("demo completed");
    }
}
