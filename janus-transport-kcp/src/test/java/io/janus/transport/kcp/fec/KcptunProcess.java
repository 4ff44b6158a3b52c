package io.janus.transport.kcp.fec;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A kcptun-client or kcptun-server process started for a test and stopped by it (bounded waits). */
final class KcptunProcess implements AutoCloseable {

    static final Path CLIENT = Path.of("/usr/bin/kcptun-client");
    static final Path SERVER = Path.of("/usr/bin/kcptun-server");

    private final Process process;
    private final File log;

    private KcptunProcess(Process process, File log) {
        this.process = process;
        this.log = log;
    }

    static boolean installed(Path binary) {
        return Files.isExecutable(binary);
    }

    /** Starts a binary with the common flags for {@code --crypt none --nocomp}, FEC 10 + 3, mode fast. */
    static KcptunProcess start(Path binary, String... addressFlags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(addressFlags));
        command.addAll(List.of("--crypt", "none", "--nocomp", "--datashard", "10", "--parityshard", "3",
                "--mode", "fast", "--quiet"));
        File log = File.createTempFile("kcptun-", ".log");
        log.deleteOnExit();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log)).start();
        return new KcptunProcess(process, log);
    }

    /** Connects to a TCP port the process listens on, retrying for at most {@code timeoutMillis}. */
    Socket connect(int port, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        IOException last = null;
        for (int attempt = 0; attempt < 200 && System.nanoTime() < deadline; attempt++) {
            if (!process.isAlive()) {
                throw new IOException("kcptun exited with " + process.exitValue() + ": " + log());
            }
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
                TimeUnit.MILLISECONDS.sleep(25); // polling a port that is not open yet: nothing to await
            }
        }
        throw new IOException("kcptun did not listen on " + port + " within " + timeoutMillis + " ms: " + log(),
                last);
    }

    String log() {
        try {
            return Files.readString(log.toPath());
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
