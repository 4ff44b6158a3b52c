package io.janus.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark server in its own JVM (same {@code java}, same class path), so that its CPU time and RSS
 * in {@code /proc} are its own. It speaks lines: {@code READY {json}} when it serves, then one answer
 * per command written to its standard input; closing the input stops it. Its standard error goes to
 * this process's.
 */
final class ChildProcess implements AutoCloseable {

    /** Lines kept unread; a child printing more than this without being read loses the oldest. */
    static final int MAX_QUEUED_LINES = 1024;

    private final String name;
    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(MAX_QUEUED_LINES);
    private final Map<String, Object> ready;

    private ChildProcess(String name, Process process) throws IOException, InterruptedException {
        this.name = name;
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    while (!lines.offer(line)) {
                        lines.poll();
                    }
                }
            } catch (IOException e) {
                // The child ended; await() reports it.
            }
        }, "child-" + name);
        reader.setDaemon(true);
        reader.start();
        this.ready = await("READY", 60);
    }

    /**
     * Starts {@code mainClass} in a new JVM.
     *
     * @param name for messages
     * @param jvmOptions options before the class, for example {@code -Xmx4g}
     * @param mainClass the class to run
     * @param args its arguments
     * @return the child, once it printed its ready line
     * @throws IOException when it cannot start or ends before it is ready
     * @throws InterruptedException when interrupted
     */
    static ChildProcess start(String name, List<String> jvmOptions, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + "/bin/java"));
        command.addAll(LeakDetection.childOption());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            return new ChildProcess(name, process);
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The ready line's values. */
    Map<String, Object> ready() {
        return ready;
    }

    /** The ready line's integer value of {@code key}. */
    int readyInt(String key) {
        return ((Double) requireNonNull(ready.get(key), key)).intValue();
    }

    /** The process id. */
    long pid() {
        return process.pid();
    }

    /**
     * Sends a command and waits for the answer line starting with {@code prefix}.
     *
     * @param command the line
     * @param prefix the answer's first word
     * @param timeoutSeconds how long to wait
     * @return the answer's values
     * @throws IOException when the child ended or did not answer in time
     * @throws InterruptedException when interrupted
     */
    Map<String, Object> command(String command, String prefix, int timeoutSeconds)
            throws IOException, InterruptedException {
        in.write(command + "\n");
        in.flush();
        return await(prefix, timeoutSeconds);
    }

    private Map<String, Object> await(String prefix, int timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix + " ")) {
                return FlatJson.parse(line.substring(prefix.length() + 1));
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new IOException(name + " ended with status " + process.exitValue() + " before " + prefix);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " printed no " + prefix + " line in " + timeoutSeconds + " s");
            }
        }
    }

    /** Closes its input and waits up to 15 seconds for it to end, then kills it. */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // Already gone.
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
