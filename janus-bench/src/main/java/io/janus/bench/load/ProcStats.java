package io.janus.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One reading of a Linux process's CPU time and resident memory from {@code /proc} (proc(5)): user plus
 * system time from fields 14 and 15 of {@code /proc/PID/stat}, in clock ticks of {@link #TICKS_PER_SECOND},
 * and {@code VmRSS} from {@code /proc/PID/status}. Immutable.
 */
public final class ProcStats {

    /** USER_HZ: clock ticks per second of {@code /proc/PID/stat}; 100 on every Linux/x86-64 kernel. */
    public static final int TICKS_PER_SECOND = 100;

    private final long cpuTicks;
    private final long rssKib;

    private ProcStats(long cpuTicks, long rssKib) {
        this.cpuTicks = cpuTicks;
        this.rssKib = rssKib;
    }

    /**
     * Reads a process's figures now.
     *
     * @param pid the process id
     * @return the reading
     * @throws IOException when /proc cannot be read (not Linux, or the process ended)
     */
    public static ProcStats read(long pid) throws IOException {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: " + pid + " (expected: > 0)");
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // after[0] is field 3 (state), so field N is after[N - 3].
        long ticks = Long.parseLong(after[14 - 3]) + Long.parseLong(after[15 - 3]);
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.substring(6).trim().split(" +")[0]);
            }
        }
        return new ProcStats(ticks, rss);
    }

    /**
     * Reads a process's figures, or returns {@code null} when /proc has none for it.
     *
     * @param pid the process id
     * @return the reading, or {@code null}
     */
    public static ProcStats tryRead(long pid) {
        try {
            return read(pid);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * User plus system CPU time of a process's live threads, by kind, in seconds: {@code loops} (threads
     * named {@code janus-*}: the gateway's event loops and its own executors), {@code jit} (the JIT
     * compiler threads), {@code gc} (the garbage collector's threads and the VM thread). A thread that
     * ended is in none of them but still in the process's {@link #cpuSeconds()}: the JDK stops idle
     * compiler threads, so what the process spent beyond these three is "other".
     *
     * @param pid the process id
     * @return seconds by kind; empty when /proc has no threads for it
     */
    public static java.util.Map<String, Double> threadCpuSeconds(long pid) {
        java.util.Map<String, Double> kinds = new java.util.LinkedHashMap<>();
        kinds.put("loops", 0.0);
        kinds.put("jit", 0.0);
        kinds.put("gc", 0.0);
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
                double seconds = (Long.parseLong(after[14 - 3]) + Long.parseLong(after[15 - 3]))
                        / (double) TICKS_PER_SECOND;
                String kind = name.startsWith("janus-") ? "loops"
                        : name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? "jit"
                        : name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread")
                                || name.startsWith("ZWorker") || name.startsWith("ZDriver") || name.startsWith("ZDirector")
                                || name.startsWith("Parallel") ? "gc"
                        : null;
                if (kind != null) {
                    kinds.merge(kind, seconds, Double::sum);
                }
            }
        } catch (IOException | RuntimeException e) {
            return java.util.Map.of();
        }
        return kinds;
    }

    /** User plus system CPU time, in seconds. */
    public double cpuSeconds() {
        return cpuTicks / (double) TICKS_PER_SECOND;
    }

    /** Resident set size in KiB, or -1 when the status file has none. */
    public long rssKib() {
        return rssKib;
    }

    @Override
    public String toString() {
        return "ProcStats{cpuSeconds=" + cpuSeconds() + ", rssKib=" + rssKib + "}";
    }
}
