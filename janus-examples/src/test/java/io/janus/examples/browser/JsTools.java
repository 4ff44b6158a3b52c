package io.janus.examples.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds what the JavaScript tests need: the {@code janus-client-js} directory of the repository, a
 * {@code node} executable, the npm dev dependencies and the system Chromium. {@code scripts/js-deps.sh}
 * installs the missing ones.
 */
final class JsTools {

    /** The system Chromium of the Debian package {@code chromium}. */
    static final List<Path> CHROMIUM = List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));

    private JsTools() {
    }

    /** The repository's {@code janus-client-js} directory, seen from the module's working directory. */
    static Path clientDirectory() {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("janus-client-js");
            if (Files.isRegularFile(candidate.resolve("janus-client.js"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no janus-client-js directory above " + here);
    }

    /** The {@code node} on the PATH, when it runs and is version 20 or later. */
    static Optional<String> node() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                version = out.readLine();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            if (p.exitValue() != 0 || version == null || !version.startsWith("v")) {
                return Optional.empty();
            }
            int major = Integer.parseInt(version.substring(1, version.indexOf('.')));
            return major >= 20 ? Optional.of("node") : Optional.empty();
        } catch (IOException | NumberFormatException | StringIndexOutOfBoundsException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The system Chromium, when installed. */
    static Optional<Path> chromium() {
        return CHROMIUM.stream().filter(Files::isExecutable).findFirst();
    }

    /** Whether {@code npm ci} has installed playwright-core in the client directory. */
    static boolean hasPlaywright(Path clientDirectory) {
        return Files.isRegularFile(clientDirectory.resolve("node_modules/playwright-core/package.json"));
    }

    /** Kills a process and its descendants (Chromium's renderers), waiting a bounded time. */
    static void kill(Process process) {
        if (process == null) {
            return;
        }
        try (Stream<ProcessHandle> children = process.descendants()) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
