package io.janus.discovery.etcd;

import io.janus.testing.FreePorts;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code etcd} process for tests, on free loopback ports with its data in a temporary directory.
 * It can be killed with SIGKILL and started again on the same ports, with its data kept or wiped.
 */
final class EtcdServer implements AutoCloseable {

    private static final Path BINARY = Paths.get("/usr/bin/etcd");

    private final int clientPort = FreePorts.tcp();
    private final int peerPort = FreePorts.tcp();
    private final Path root;
    private final Path dataDir;
    private final Path log;
    private Process process;

    private EtcdServer() throws IOException {
        this.root = Files.createTempDirectory("janus-etcd-");
        this.dataDir = root.resolve("data");
        this.log = root.resolve("etcd.log");
    }

    /** Starts etcd, or skips the calling test when the binary is absent. */
    static EtcdServer start() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "etcd binary not installed at " + BINARY);
        EtcdServer server = new EtcdServer();
        server.launch();
        return server;
    }

    int clientPort() {
        return clientPort;
    }

    String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    private void launch() {
        ProcessBuilder pb = new ProcessBuilder(BINARY.toString(),
                "--name", "janus-test",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "janus-test=http://127.0.0.1:" + peerPort)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitHealthy();
    }

    /** Waits until etcd serves requests: its /health endpoint answers true once it has a leader. */
    private void awaitHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                .timeout(Duration.ofMillis(500)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(50);
        }
        throw new IllegalStateException("etcd was not healthy on " + clientPort + " within 15 s; see " + log);
    }

    /** Starts etcd again if a failed test left it killed. */
    void ensureRunning() {
        if (!process.isAlive()) {
            launch();
        }
    }

    /** Kills etcd with SIGKILL and waits for it to be gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("etcd did not die");
        }
    }

    /**
     * Starts etcd again on the same ports and waits until it serves; {@code wipe} deletes its data first, as
     * a disk loss would.
     */
    void restart(boolean wipe) {
        if (wipe) {
            deleteTree(dataDir);
        }
        launch();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                kill9();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(root);
    }
}
