package io.janus.bench.load;

import com.google.protobuf.ByteString;
import io.janus.core.auth.TokenIssuer;
import io.janus.core.tunnel.grpc.GameServiceServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator: opens {@code --connections} sessions at {@code --ramp-up} a second, then sends
 * {@code --size}-byte echo requests for {@code --duration} seconds after {@code --warmup} seconds, either
 * closed loop (each connection sends its next request when the answer to the last one arrives) or open
 * loop at {@code --rate} requests a second in total. It prints a progress line every second, a final
 * table and a {@code SUMMARY {json}} line for the scenario runner.
 *
 * <p>Latency is recorded in an HdrHistogram (3 significant digits). Open loop measures each request from
 * the time it was due to be sent, not from when it was sent, so that a stalled target is charged for the
 * requests that queued behind the stall (the "coordinated omission" correction as described by Gil Tene
 * for HdrHistogram and wrk2). A connection holds at most {@code --max-in-flight} requests; a request due
 * above that is counted as an {@code IN_FLIGHT_LIMIT} error, not queued.
 *
 * <p>Targets: a Janus gateway ({@code --target}, {@code --root-key}, {@code --token-key}; echo at module
 * {@value BenchGateway#ECHO_MODULE}, seq {@value BenchGateway#ECHO_SEQ}), a {@link CeilingServer}
 * ({@code --raw}), or a server started in this JVM ({@code --embedded ceiling|echo|tunnel}). With
 * {@code --gateway-pid} the gateway's CPU seconds ({@code /proc/PID/stat} utime + stime) and RSS
 * ({@code /proc/PID/status} VmRSS) are read before and after the measurement.
 *
 * <pre>
 * java -cp janus-bench.jar io.janus.bench.load.LoadGenerator --embedded echo --connections 100 --duration 10
 * </pre>
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Drives echo traffic at a Janus gateway or a raw ceiling server and reports latency percentiles.")
public final class LoadGenerator implements Callable<Integer> {

    /** Latencies above this are recorded as this (60 s). */
    static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);

    @Option(names = "--target", description = "host:port of the gateway (its tcp or ws port) or ceiling server")
    String target;

    @Option(names = "--transport", defaultValue = "tcp", description = "tcp or ws (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--raw", description = "speak plain frames to a CeilingServer: no handshake, no crypto")
    boolean raw;

    @Option(names = "--embedded", description = "start the target in this JVM: ceiling, echo or tunnel")
    String embedded;

    @Option(names = "--connections", defaultValue = "100", description = "connections (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--ramp-up", defaultValue = "1000", description = "new connections per second (default: ${DEFAULT-VALUE})")
    double rampUp;

    @Option(names = "--size", defaultValue = "64", description = "request body bytes (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--rate", description = "open loop: requests per second in total; absent: closed loop")
    Double rate;

    /** Told when the measurement starts and ends; see {@link #run(PrintStream, java.util.function.Consumer, String...)}. */
    private java.util.function.Consumer<String> phases = phase -> { };

    @Option(names = "--duration", defaultValue = "10", description = "measured seconds (default: ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--warmup", defaultValue = "2", description = "unmeasured seconds of traffic first (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--gateway-pid", description = "read this process's CPU time and RSS from /proc")
    Long gatewayPid;

    @Option(names = "--root-key", description = "base64 root public key the sessions pin")
    String rootKey;

    @Option(names = "--token-key", description = "base64 token key the sessions' tokens are sealed with")
    String tokenKey;

    @Option(names = "--token-key-id", defaultValue = BenchSecrets.TOKEN_KEY_ID, description = "its key id (default: ${DEFAULT-VALUE})")
    String tokenKeyId;

    @Option(names = "--threads", defaultValue = "1", description = "client event loop threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--server-threads", defaultValue = "2", description = "with --embedded: the server's event loop threads (default: ${DEFAULT-VALUE})")
    int serverThreads;

    @Option(names = "--source-addresses", defaultValue = "1", description = "spread tcp connections over 127.0.0.1..N (default: ${DEFAULT-VALUE})")
    int sourceAddresses;

    @Option(names = "--max-in-flight", defaultValue = "64", description = "requests in flight per connection, open loop (default: ${DEFAULT-VALUE})")
    int maxInFlight;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    private PrintStream out = System.out;
    private Map<String, Object> summary;

    /**
     * Runs the command line and exits with its status.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        LeakDetection.productionDefault();
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    /**
     * Parses a command line and runs it in this JVM, for the scenario runner and tests.
     *
     * @param out where progress, the table and the summary go
     * @param args the command line
     * @return the summary
     * @throws Exception when the run cannot start
     */
    public static Map<String, Object> run(PrintStream out, String... args) throws Exception {
        return run(out, phase -> { }, args);
    }

    /**
     * As {@link #run(PrintStream, String...)}, telling {@code phases} when the measurement starts
     * ({@code "measure"}) and ends ({@code "end"}), on the generator's timing thread, so that the
     * caller can read the target's own counters over the measured seconds alone.
     *
     * @param out where progress, the table and the summary go
     * @param phases called at the start and the end of the measurement; should return quickly
     * @param args the command line
     * @return the summary
     * @throws Exception when the run cannot start
     */
    public static Map<String, Object> run(PrintStream out, java.util.function.Consumer<String> phases, String... args)
            throws Exception {
        LoadGenerator generator = new LoadGenerator();
        new CommandLine(generator).parseArgs(args);
        generator.out = out;
        generator.phases = java.util.Objects.requireNonNull(phases, "phases");
        if (generator.call() != 0) {
            throw new IllegalStateException("load generator failed: " + String.join(" ", args));
        }
        return generator.summary;
    }

    /** Runs the configured load; 0 on success, 2 for bad options. */
    @Override
    public Integer call() throws Exception {
        String problem = check();
        if (problem != null) {
            out.println("error: " + problem);
            return 2;
        }
        AutoCloseable server = null;
        GameServiceServer service = null;
        try {
            if (embedded != null) {
                InetAddress loopback = InetAddress.getLoopbackAddress();
                switch (embedded) {
                    case "ceiling": {
                        CeilingServer ceiling = CeilingServer.start(new InetSocketAddress(loopback, 0), serverThreads);
                        server = ceiling;
                        raw = true;
                        target = "127.0.0.1:" + ceiling.address().getPort();
                        break;
                    }
                    case "echo":
                    case "tunnel": {
                        String tunnelTo = null;
                        if (embedded.equals("tunnel")) {
                            service = BenchGateway.startService();
                            tunnelTo = "127.0.0.1:" + service.address().getPort();
                        }
                        BenchGateway gateway = BenchGateway.start(serverThreads, tunnelTo, transport.equals("ws"));
                        server = gateway;
                        int port = transport.equals("ws") ? gateway.gateway().address("ws").getPort() : gateway.port();
                        target = "127.0.0.1:" + port;
                        rootKey = gateway.secrets().rootKeyBase64();
                        tokenKey = gateway.secrets().tokenKeyBase64();
                        break;
                    }
                    default:
                        throw new AssertionError(embedded);
                }
                gatewayPid = ProcessHandle.current().pid();
            }
            summary = measure();
            return 0;
        } finally {
            if (server != null) {
                server.close();
            }
            if (service != null) {
                service.close();
            }
        }
    }

    private String check() {
        if (embedded != null && !List.of("ceiling", "echo", "tunnel").contains(embedded)) {
            return "--embedded: " + embedded + " (expected: ceiling, echo or tunnel)";
        }
        if (embedded == null && target == null) {
            return "--target host:port or --embedded is required";
        }
        if (!transport.equals("tcp") && !transport.equals("ws")) {
            return "--transport: " + transport + " (expected: tcp or ws)";
        }
        if (embedded == null && !raw && (rootKey == null || tokenKey == null)) {
            return "a gateway target needs --root-key and --token-key (or use --raw for a ceiling server)";
        }
        if (connections < 1 || size < 1 || size > 60 * 1024 || duration <= 0 || warmup < 0 || rampUp <= 0
                || threads < 1 || maxInFlight < 1 || sourceAddresses < 1 || serverThreads < 1) {
            return "--connections, --ramp-up, --size (1 to 61440), --duration, --threads, --max-in-flight and "
                    + "--source-addresses must be positive; --warmup not negative";
        }
        if (rate != null && !(rate > 0)) {
            return "--rate: " + rate + " (expected: > 0)";
        }
        if (sourceAddresses > 1 && transport.equals("ws") && !raw) {
            return "--source-addresses applies to tcp only";
        }
        return null;
    }

    private Map<String, Object> measure() throws Exception {
        int colon = target.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(target.substring(0, colon)),
                Integer.parseInt(target.substring(colon + 1)));
        TokenIssuer tokens = raw ? null : BenchSecrets.issuer(tokenKeyId, tokenKey);
        ErrorCounts errors = new ErrorCounts();
        int perConnection = rate == null ? 1 : maxInFlight;
        try (Fleet fleet = new Fleet(address, raw, transport, rootKey, tokens, threads,
                new SourceAddresses(sourceAddresses), perConnection, errors)) {
            ProcStats beforeConnect = gatewayPid == null ? null : ProcStats.tryRead(gatewayPid);
            long connectStart = System.nanoTime();
            long connectBudget = (long) ((connections / rampUp + 60) * 1e9);
            int opened = fleet.open(connections, rampUp, connectStart + connectBudget);
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            ProcStats afterConnect = gatewayPid == null ? null : ProcStats.tryRead(gatewayPid);
            if (!quiet) {
                out.printf("connected %d of %d in %.2f s (%.0f/s)%n", opened, connections, connectSeconds,
                        opened / connectSeconds);
            }
            List<Connection> conns = fleet.connections();
            if (conns.isEmpty()) {
                throw new IllegalStateException("no connection opened: " + errors.snapshot());
            }

            Recorder recorder = new Recorder(MAX_LATENCY_NANOS, 3);
            Histogram total = new Histogram(MAX_LATENCY_NANOS, 3);
            AtomicBoolean running = new AtomicBoolean(true);
            ByteString body = ByteString.copyFrom(new byte[size]);
            Thread openLoop = null;
            if (rate == null) {
                for (Connection c : conns) {
                    closedLoop(c, body, recorder, errors, running);
                }
            } else {
                openLoop = new Thread(() -> openLoop(conns, body, recorder, errors, running), "load-open-loop");
                openLoop.setDaemon(true);
                openLoop.start();
            }

            long start = System.nanoTime();
            long measureFrom = start + (long) (warmup * 1e9);
            long end = measureFrom + (long) (duration * 1e9);
            Histogram interval = null;
            ProcStats before = null;
            long errorsBefore = 0;
            long tick = start;
            boolean measuring = false;
            while (tick < end) {
                long next = tick + 1_000_000_000L;
                if (!measuring && next > measureFrom) {
                    next = measureFrom;
                }
                next = Math.min(next, end);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                double intervalSeconds = Math.max(1e-3, (next - tick) / 1e9);
                tick = next;
                interval = recorder.getIntervalHistogram(interval);
                if (measuring) {
                    total.add(interval);
                }
                if (!quiet && (measuring || interval.getTotalCount() > 0)) {
                    out.printf("%6.1f s  %s  %9.0f req/s  p50 %8.1f us  p99 %9.1f us  max %9.1f us  errors %d%n",
                            (tick - start) / 1e9, measuring ? "measure" : "warm-up",
                            interval.getTotalCount() / intervalSeconds, interval.getValueAtPercentile(50) / 1e3,
                            interval.getValueAtPercentile(99) / 1e3, interval.getMaxValue() / 1e3,
                            errors.total());
                }
                if (!measuring && tick >= measureFrom) {
                    measuring = true;
                    phases.accept("measure");
                    GcPauses.get().window(); // from here on: the measured seconds' pauses
                    before = gatewayPid == null ? null : ProcStats.tryRead(gatewayPid);
                    errorsBefore = errors.total();
                }
            }
            running.set(false);
            ProcStats after = gatewayPid == null ? null : ProcStats.tryRead(gatewayPid);
            Map<String, Object> ownPauses = GcPauses.get().window();
            phases.accept("end");
            if (openLoop != null) {
                openLoop.join(5_000);
            }
            double seconds = duration;
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("target", raw ? "ceiling" : "gateway");
            s.put("transport", raw ? "tcp-raw" : transport);
            s.put("loop", rate == null ? "closed" : "open");
            s.put("rate", rate == null ? 0 : rate);
            s.put("connections", opened);
            s.put("size", size);
            s.put("seconds", seconds);
            s.put("requests", total.getTotalCount());
            s.put("throughput", total.getTotalCount() / seconds);
            s.put("p50_us", total.getValueAtPercentile(50) / 1e3);
            s.put("p90_us", total.getValueAtPercentile(90) / 1e3);
            s.put("p99_us", total.getValueAtPercentile(99) / 1e3);
            s.put("p999_us", total.getValueAtPercentile(99.9) / 1e3);
            s.put("max_us", total.getMaxValue() / 1e3);
            s.put("mean_us", total.getMean() / 1e3);
            s.put("connect_seconds", connectSeconds);
            s.put("handshakes_per_s", opened / connectSeconds);
            s.put("errors", errors.total() - errorsBefore);
            s.put("errors_all", errors.total());
            errors.snapshot().forEach((kind, n) -> s.put("error_" + kind, n));
            s.put("generator_gc_pauses", ownPauses.get("gcPauses"));
            s.put("generator_gc_pause_ms", ownPauses.get("gcPauseMs"));
            s.put("generator_gc_max_pause_ms", ownPauses.get("gcMaxPauseMs"));
            if (beforeConnect != null && afterConnect != null) {
                s.put("gateway_cpu_connect_s", afterConnect.cpuSeconds() - beforeConnect.cpuSeconds());
                s.put("gateway_cpu_per_connect_us",
                        (afterConnect.cpuSeconds() - beforeConnect.cpuSeconds()) * 1e6 / Math.max(1, opened));
            }
            if (before != null && after != null) {
                double cpu = after.cpuSeconds() - before.cpuSeconds();
                s.put("gateway_cpu_s", cpu);
                s.put("gateway_cpu_per_request_us", cpu * 1e6 / Math.max(1, total.getTotalCount()));
                s.put("gateway_rss_kib", after.rssKib());
            }
            printTable(s);
            out.println("SUMMARY " + FlatJson.write(s));
            return s;
        }
    }

    private static void closedLoop(Connection c, ByteString body, Recorder recorder, ErrorCounts errors,
            AtomicBoolean running) {
        long sent = System.nanoTime();
        CompletableFuture<?> answer = c.request(body);
        answer.whenComplete((r, failure) -> {
            long now = System.nanoTime();
            if (failure != null) {
                errors.record(failure);
                if (!c.isActive()) {
                    return;
                }
            } else {
                recorder.recordValue(Math.min(now - sent, MAX_LATENCY_NANOS));
            }
            if (running.get()) {
                closedLoop(c, body, recorder, errors, running);
            }
        });
    }

    /** Sends at the rate from one thread; each request is timed from when it was due (see the class comment). */
    private void openLoop(List<Connection> conns, ByteString body, Recorder recorder, ErrorCounts errors,
            AtomicBoolean running) {
        double nanosPerRequest = 1e9 / rate;
        long start = System.nanoTime();
        long sent = 0;
        int next = 0;
        while (running.get()) {
            long now = System.nanoTime();
            // Request i is due at start + i * period: those due by now are 0 .. floor(elapsed / period).
            long due = (long) ((now - start) / nanosPerRequest) + 1;
            while (sent < due && running.get()) {
                long intended = start + (long) (sent * nanosPerRequest);
                Connection c = conns.get(next);
                next = next + 1 == conns.size() ? 0 : next + 1;
                sent++;
                c.request(body).whenComplete((r, failure) -> {
                    if (failure != null) {
                        errors.record(failure);
                    } else {
                        recorder.recordValue(Math.min(System.nanoTime() - intended, MAX_LATENCY_NANOS));
                    }
                });
            }
            long wait = start + (long) (sent * nanosPerRequest) - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, 1_000_000));
            }
        }
    }

    private void printTable(Map<String, Object> s) {
        out.println();
        out.printf("%-28s %s%n", "target", s.get("target") + " " + target + " (" + s.get("transport") + ")");
        out.printf("%-28s %s%n", "loop", s.get("loop") + (rate == null ? "" : " at " + rate + " req/s"));
        out.printf("%-28s %s of %d, %d-byte bodies%n", "connections", s.get("connections"), connections, size);
        out.printf("%-28s %,.0f req/s (%d in %.1f s)%n", "throughput", s.get("throughput"), s.get("requests"), duration);
        for (String p : List.of("p50", "p90", "p99", "p999", "max")) {
            out.printf("%-28s %,.1f us%n", "latency " + (p.equals("p999") ? "p99.9" : p), s.get(p + "_us"));
        }
        out.printf("%-28s %,.0f /s (%.2f s to connect)%n", raw ? "connections" : "handshakes + logins",
                s.get("handshakes_per_s"), s.get("connect_seconds"));
        out.printf("%-28s %s%n", "errors while measuring", s.get("errors"));
        s.forEach((k, v) -> {
            if (k.startsWith("error_")) {
                out.printf("%-28s %s%n", "  " + k.substring(6), v);
            }
        });
        out.printf("%-28s %d, %.1f ms in all, the longest %.1f ms%n", "generator's own GC pauses",
                s.get("generator_gc_pauses"), s.get("generator_gc_pause_ms"), s.get("generator_gc_max_pause_ms"));
        if (s.containsKey("gateway_cpu_s")) {
            out.printf("%-28s %.2f s (%.1f us per request), RSS %,d KiB%n", "gateway CPU while measuring",
                    s.get("gateway_cpu_s"), s.get("gateway_cpu_per_request_us"), s.get("gateway_rss_kib"));
        }
        if (s.containsKey("gateway_cpu_connect_s")) {
            out.printf("%-28s %.2f s (%.0f us per connection)%n", "gateway CPU while connecting",
                    s.get("gateway_cpu_connect_s"), s.get("gateway_cpu_per_connect_us"));
        }
        if (embedded != null) {
            out.println("(--embedded: the gateway figures are this JVM's, generator included)");
        }
    }
}
