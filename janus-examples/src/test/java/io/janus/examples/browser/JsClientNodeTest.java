package io.janus.examples.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the JavaScript client's own tests ({@code node --test test/*.test.js} in {@code janus-client-js}): the protocol
 * test vectors of docs/protocol.md section 13 rebuilt with WebCrypto, the protobuf encoding, the
 * certificate and ServerHello checks, and the check that the chat demo serves the same client file.
 * Skipped when Node.js 20 or later is absent ({@code scripts/js-deps.sh} says how to get it).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JsClientNodeTest {

    @Test
    void nodeTestsOfTheJavaScriptClientPass() throws IOException, InterruptedException {
        Assumptions.assumeTrue(JsTools.node().isPresent(), "node (20 or later) is not installed: run scripts/js-deps.sh");
        Path dir = JsTools.clientDirectory();
        Path output = Files.createTempFile("janus-node-test", ".txt");
        Process node = null;
        try {
            // The unit test files only: test/e2e holds the browser driver, run by BrowserChatE2ETest.
            List<String> command = new ArrayList<>(List.of("node", "--test"));
            try (Stream<Path> files = Files.list(dir.resolve("test"))) {
                files.map(f -> "test/" + f.getFileName()).filter(f -> f.endsWith(".test.js")).sorted()
                        .forEach(command::add);
            }
            assertThat(command).hasSizeGreaterThan(2);
            node = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            boolean ended = node.waitFor(60, TimeUnit.SECONDS);
            String report = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(ended).as("node --test ended within 60 s; output so far:%n%s", report).isTrue();
            assertThat(node.exitValue()).as("node --test exit status; output:%n%s", report).isZero();
            assertThat(report).contains("# fail 0").containsPattern("# pass [1-9][0-9]*");
            assertThat(report).contains("root and gateway public keys follow from their seeds",
                    "records: login, answer, key update and the record after it");
        } finally {
            JsTools.kill(node);
            Files.deleteIfExists(output);
        }
    }
}
