package io.janus.route.redis;

import io.janus.testing.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} process on a free loopback port, for tests. Started with no persistence
 * and bound to 127.0.0.1; {@link #stop()} kills it. Tests are skipped (an assumption) only when the
 * binary is absent.
 */
final class RedisServer {

    static final Path BINARY = Paths.get("/usr/bin/redis-server");
    private static final long START_TIMEOUT_MS = 10_000;

    private final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    /** Starts a server on a free port, or skips the calling test when redis-server is not installed. */
    static RedisServer start() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "redis-server not installed at " + BINARY);
        RedisServer server = new RedisServer(FreePorts.tcp());
        server.launch();
        return server;
    }

    int port() {
        return port;
    }

    RedisRouteOptions options() {
        return RedisRouteOptions.builder().host("127.0.0.1").port(port).build();
    }

    /** Starts the process again on the same port, after {@link #stop()}. */
    void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of(BINARY.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " on port " + port);
            }
            if (pings()) {
                return;
            }
            Thread.sleep(20);
        }
        stop();
        throw new IOException("redis-server did not answer PING on port " + port + " in " + START_TIMEOUT_MS + " ms");
    }

    private boolean pings() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the process and waits for it to exit. */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server on port " + port + " did not exit");
        }
        process = null;
    }
}
