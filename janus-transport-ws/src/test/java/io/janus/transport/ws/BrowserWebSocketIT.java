package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.janus.api.Reason;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real browser against the transport: headless Chromium loads a page the transport serves from the
 * class path ({@code janus-test-web/browser.html}), opens WebSockets with its own Origin header
 * (the allowlist is off, so a browser origin must pass), sends a binary message and gets the Janus
 * HandshakeError back as a binary message, then sends a text message and sees close code 1003.
 * Skipped when no {@code chromium} is installed (Debian package {@code chromium}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrowserWebSocketIT {

    @TempDir
    Path profile;

    private Gateway gateway;
    private Process browser;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger transportLogger = (Logger) LoggerFactory.getLogger(WsServerSettings.LOGGER);

    private static Path chromium() {
        return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (browser != null) {
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly();
            browser.waitFor(10, TimeUnit.SECONDS);
        }
        transportLogger.detachAppender(logs);
        if (gateway != null) {
            gateway.close();
        }
    }

    private boolean reported(String what) {
        return logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("/report/" + what + ".html"));
    }

    @Test
    void chromiumConnectsSendsBinaryAndIsRefusedTextWith1003() throws Exception {
        Path chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "chromium is not installed");
        logs.start();
        transportLogger.addAppender(logs);
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(WsTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .staticResources("janus-test-web").build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        String page = "http://127.0.0.1:" + gateway.address("ws").getPort() + "/browser.html";

        browser = new ProcessBuilder(List.of(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-extensions", "--no-first-run",
                "--user-data-dir=" + profile, page))
                .redirectErrorStream(true)
                .redirectOutput(new File(profile.toFile(), "chromium.log"))
                .start();

        await().atMost(Duration.ofSeconds(60)).until(() -> reported("closed-1003") || reported("error"));
        assertThat(reported("error")).isFalse();
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().matches(".*/report/binary-\\d+\\.html.*")
                && !e.getFormattedMessage().contains("binary-not-binary"));
        assertThat(gateway.stats().sessionsClosed(Reason.HANDSHAKE_FAILED)).isEqualTo(1);
        assertThat(gateway.stats().sessionsClosed(Reason.WS_UNSUPPORTED_DATA)).isEqualTo(1);
        assertThat(gateway.stats().sessionsClosed(Reason.WS_ORIGIN_REFUSED)).isZero();
    }
}
