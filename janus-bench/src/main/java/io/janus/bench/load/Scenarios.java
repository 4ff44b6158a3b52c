package io.janus.bench.load;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the scenarios of docs/benchmarks.md in one run and prints each gateway figure next to the
 * ceiling's: the {@link CeilingServer}, an echo {@link BenchGateway}, a game service with a gateway
 * tunnelling to it, each in its own JVM (their CPU and RSS read from /proc), driven by the
 * {@link LoadGenerator} in this JVM.
 *
 * <ol>
 *   <li>embedded echo, closed loop: gateway throughput / ceiling throughput (goal at least 0.6);</li>
 *   <li>echo through the gRPC tunnel: the same ratio (goal at least 0.3);</li>
 *   <li>idle authenticated sessions: heap plus direct memory per session from the gateway JVM's
 *       MemoryMXBean and BufferPoolMXBeans, after garbage collection (goal at most 4 KiB), and RSS;</li>
 *   <li>broadcast of one 64-byte push to those sessions with {@code Pusher.broadcast}: deliveries a
 *       second counted at the clients (goal at least 500,000); then, for comparison, the same with one
 *       {@code Session.push} per session;</li>
 *   <li>gateway CPU per handshake (with its login), from /proc while the idle sessions connect (goal at
 *       most 200 us);</li>
 *   <li>open loop at half the gateway's closed-loop throughput, against both: p99 added by the gateway
 *       (goal at most 1 ms).</li>
 * </ol>
 */
@Command(name = "scenarios", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the benchmark scenarios against a ceiling and a gateway in the same run.")
public final class Scenarios implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "10", description = "measured seconds per load run (default: ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--warmup", defaultValue = "15", description = "warm-up seconds per load run; the JIT compiles a new "
            + "gateway JVM's hot paths for about its first 30 s (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--connections", defaultValue = "1000", description = "sessions of scenarios 1, 2 and 6 (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--size", defaultValue = "64", description = "request bytes (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--idle-sessions", defaultValue = "10000", description = "sessions of scenarios 3 and 4; 100000 for the issue's figure (default: ${DEFAULT-VALUE})")
    int idleSessions;

    @Option(names = "--ramp-up", defaultValue = "2000", description = "new connections per second (default: ${DEFAULT-VALUE})")
    double rampUp;

    @Option(names = "--warmup-sessions", defaultValue = "2000", description = "sessions opened and closed before scenario 3's baseline (default: ${DEFAULT-VALUE})")
    int warmupSessions;

    @Option(names = "--idle-wait", defaultValue = "12", description = "seconds the idle sessions stay idle before "
            + "scenario 3 measures them: a session quiet for 5 to 10 s drops its cipher engines (default: ${DEFAULT-VALUE})")
    int idleWait;

    @Option(names = "--broadcast-rounds", defaultValue = "10", description = "pushes to every session in scenario 4 (default: ${DEFAULT-VALUE})")
    int broadcastRounds;

    @Option(names = "--broadcast-warmup", defaultValue = "5", description = "unmeasured runs of scenario 4, each "
            + "way, before the measured one (default: ${DEFAULT-VALUE})")
    int broadcastWarmup;

    @Option(names = "--server-threads", defaultValue = "2", description = "event loop threads of the ceiling and the gateways (default: ${DEFAULT-VALUE})")
    int serverThreads;

    @Option(names = "--client-threads", split = ",", defaultValue = "1,2", description = "event loop threads of the "
            + "generator: each closed-loop figure is the best of a run with each count, for the ceiling and the gateway "
            + "alike, so that neither is held back by a generator thread; the fleets of scenarios 3 to 5 use the "
            + "largest (default: ${DEFAULT-VALUE})")
    List<Integer> clientThreads;

    @Option(names = "--server-heap", defaultValue = "2g", description = "-Xmx of the server JVMs (default: ${DEFAULT-VALUE})")
    String serverHeap;

    @Option(names = "--gateway-jvm", description = "one more option of the gateway JVMs (not the ceiling's), "
            + "repeatable: a garbage collector, -XX:StartFlightRecording=... (default: none)")
    List<String> gatewayJvm = new ArrayList<>();

    @Option(names = "--only", split = ",", description = "scenarios to run, e.g. 1,2,6 (default: all)")
    List<Integer> only;

    private PrintStream out = System.out;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final List<String[]> table = new ArrayList<>();

    /**
     * Runs the scenarios and exits with 0, or 1 when a run failed.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        LeakDetection.productionDefault();
        System.exit(new CommandLine(new Scenarios()).execute(args));
    }

    /**
     * Parses a command line and runs it in this JVM.
     *
     * @param out where the output goes
     * @param args the command line
     * @return the results by name
     * @throws Exception when a scenario fails
     */
    public static Map<String, Object> run(PrintStream out, String... args) throws Exception {
        Scenarios scenarios = new Scenarios();
        new CommandLine(scenarios).parseArgs(args);
        scenarios.out = out;
        scenarios.call();
        return scenarios.results;
    }

    private boolean wanted(int scenario) {
        return only == null || only.contains(scenario);
    }

    /** Runs the chosen scenarios and prints the table; 0 when every run completed. */
    @Override
    public Integer call() throws Exception {
        List<String> ceilingJvm = List.of("-Xmx" + serverHeap, "-Xms" + serverHeap);
        List<String> jvm = new ArrayList<>(ceilingJvm);
        jvm.addAll(gatewayJvm);
        String threads = Integer.toString(serverThreads);
        Map<String, Object> ceiling = null;
        Map<String, Object> echo = null;
        if (wanted(1) || wanted(2) || wanted(6)) {
            try (ChildProcess c = ChildProcess.start("ceiling", ceilingJvm, CeilingServer.class, "0", threads)) {
                ceiling = best("ceiling", c, null);
                if (wanted(1) || wanted(6)) {
                    try (ChildProcess g = ChildProcess.start("gateway", jvm, BenchGateway.class, "echo", threads)) {
                        echo = best("gateway", g, g);
                        if (wanted(1)) {
                            row("1", "embedded echo, " + connections + " sessions, closed loop", "throughput / ceiling",
                                    ratio(echo, ceiling, "throughput"), ">= 0.6", ratio(echo, ceiling, "throughput") >= 0.6,
                                    String.format("%,.0f vs %,.0f req/s (best of generator threads %s: %s vs %s)",
                                            echo.get("throughput"), ceiling.get("throughput"), clientThreads,
                                            echo.get("all_throughputs"), ceiling.get("all_throughputs")));
                            results.put("s1_ceiling", ceiling);
                            results.put("s1_gateway", echo);
                        }
                        if (wanted(6)) {
                            double rate = Math.max(100, ((Double) echo.get("throughput")) / 2);
                            // With the generator threads that gave the gateway its maximum, for both.
                            int threads6 = ((Number) echo.get("client_threads")).intValue();
                            Map<String, Object> g6 = load(g, g, rate, threads6);
                            Map<String, Object> c6 = load(c, null, rate, threads6);
                            double added = ((Double) g6.get("p99_us")) - ((Double) c6.get("p99_us"));
                            results.put("s6_gateway", g6);
                            results.put("s6_ceiling", c6);
                            row("6", String.format("open loop at %,.0f req/s (half the gateway's maximum)", rate),
                                    "p99 added (us)", added, "<= 1000", added <= 1000,
                                    String.format("p99 %,.0f vs %,.0f us; p50 %,.0f vs %,.0f us; GC pauses while "
                                            + "measuring: gateway %s, generator %s (ceiling run: %s)", g6.get("p99_us"),
                                            c6.get("p99_us"), g6.get("p50_us"), c6.get("p50_us"),
                                            pauses(g6, "gateway"), pauses(g6, "generator"), pauses(c6, "generator")));
                        }
                    }
                }
                if (wanted(2)) {
                    try (ChildProcess s = ChildProcess.start("service", jvm, BenchGateway.class, "service");
                            ChildProcess g = ChildProcess.start("tunnel gateway", jvm, BenchGateway.class, "tunnel",
                                    threads, "127.0.0.1:" + s.readyInt("port"))) {
                        Map<String, Object> tunnel = best("tunnel gateway", g, g);
                        results.put("s2_gateway", tunnel);
                        results.put("s2_ceiling", ceiling);
                        row("2", "echo through the gRPC tunnel, " + connections + " sessions", "throughput / ceiling",
                                ratio(tunnel, ceiling, "throughput"), ">= 0.3", ratio(tunnel, ceiling, "throughput") >= 0.3,
                                String.format("%,.0f req/s (best of generator threads %s: %s); the game service's JVM "
                                        + "is not in the gateway's CPU", tunnel.get("throughput"), clientThreads,
                                        tunnel.get("all_throughputs")));
                    }
                }
            }
        }
        if (wanted(3) || wanted(4) || wanted(5)) {
            idleAndBroadcast(jvm, threads);
        }
        print();
        return 0;
    }

    /** "N, longest X ms" of the pauses a summary recorded for {@code who}; "?" when it has none. */
    private static String pauses(Map<String, Object> summary, String who) {
        Object n = summary.get(who + "_gc_pauses");
        Object max = summary.get(who + "_gc_max_pause_ms");
        return n == null || max == null ? "?"
                : String.format("%d, longest %.1f ms", ((Number) n).longValue(), ((Number) max).doubleValue());
    }

    /** The largest of {@code --client-threads}: the fleets of scenarios 3 to 5. */
    private int fleetThreads() {
        return clientThreads.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /**
     * Closed loop against a child once per generator thread count; the run with the most throughput,
     * with {@code client_threads} (its count) and {@code all_throughputs} (every run's) added. One
     * generator thread can be the bottleneck itself (a Janus client seals and opens every record too:
     * with one thread the generator's loop was 92% busy while the gateway's two were 45% busy each, in an
     * async-profiler sample; docs/benchmarks.md), so each target gets its best, the ceiling included.
     */
    private Map<String, Object> best(String name, ChildProcess target, ChildProcess gateway) throws Exception {
        Map<String, Object> best = null;
        List<String> all = new ArrayList<>();
        for (int threads : clientThreads) {
            Map<String, Object> run = load(target, gateway, null, threads);
            all.add(String.format("%,.0f at %d", ((Number) run.get("throughput")).doubleValue(), threads));
            if (best == null || ((Number) run.get("throughput")).doubleValue()
                    > ((Number) best.get("throughput")).doubleValue()) {
                best = new LinkedHashMap<>(run);
                best.put("client_threads", threads);
            }
        }
        best.put("all_throughputs", String.join(", ", all));
        out.printf("== %s, closed loop: %s req/s (generator threads); best at %s%n", name, best.get("all_throughputs"),
                best.get("client_threads"));
        return best;
    }

    /** Runs the generator against a child; {@code gateway} null means the ceiling (raw frames). */
    private Map<String, Object> load(ChildProcess target, ChildProcess gateway, Double rate, int threads)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--target", "127.0.0.1:" + target.readyInt("port"),
                "--connections", Integer.toString(connections),
                "--ramp-up", Double.toString(rampUp),
                "--size", Integer.toString(size),
                "--duration", Double.toString(duration),
                "--warmup", Double.toString(warmup),
                "--threads", Integer.toString(threads),
                "--gateway-pid", Long.toString(target.pid()),
                "--quiet"));
        if (gateway == null) {
            args.add("--raw");
        } else {
            args.addAll(List.of("--root-key", (String) gateway.ready().get("rootKey"),
                    "--token-key", (String) gateway.ready().get("tokenKey")));
        }
        if (rate != null) {
            args.addAll(List.of("--rate", Double.toString(rate)));
        }
        out.println("== load " + String.join(" ", args));
        Map<String, Map<String, Object>> alloc = new java.util.HashMap<>();
        java.util.function.Consumer<String> phases = phase -> {
            if (gateway != null) {
                try {
                    alloc.put(phase, gateway.command("alloc", "ALLOC", 10));
                } catch (Exception e) {
                    out.println("== no allocation reading from the gateway: " + e);
                }
            }
        };
        Map<String, Object> summary = LoadGenerator.run(out, phases, args.toArray(new String[0]));
        if (alloc.containsKey("measure") && alloc.containsKey("end")) {
            // Heap allocated per request by the gateway JVM while measuring: what drives its young
            // collections, and so the pauses in the latency tail.
            double requests = (Double) alloc.get("end").get("requests") - (Double) alloc.get("measure").get("requests");
            double bytes = (Double) alloc.get("end").get("allocatedBytes")
                    - (Double) alloc.get("measure").get("allocatedBytes");
            summary = new LinkedHashMap<>(summary);
            summary.put("gateway_alloc_per_request_bytes", bytes / Math.max(1, requests));
            Map<String, Object> end = alloc.get("end");
            if (end.containsKey("gcPauses")) {
                summary.put("gateway_gc_pauses", end.get("gcPauses"));
                summary.put("gateway_gc_pause_ms", end.get("gcPauseMs"));
                summary.put("gateway_gc_max_pause_ms", end.get("gcMaxPauseMs"));
                out.printf("== gateway GC pauses while measuring: %.0f, %.1f ms in all, the longest %.1f ms%n",
                        end.get("gcPauses"), end.get("gcPauseMs"), end.get("gcMaxPauseMs"));
            }
            out.printf("== gateway allocated %.0f bytes per request while measuring (%,.0f requests)%n",
                    bytes / Math.max(1, requests), requests);
        }
        return summary;
    }

    private void idleAndBroadcast(List<String> jvm, String threads) throws Exception {
        List<String> bigJvm = new ArrayList<>(jvm);
        try (ChildProcess g = ChildProcess.start("gateway", bigJvm, BenchGateway.class, "echo", threads)) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), g.readyInt("port"));
            ErrorCounts errors = new ErrorCounts();
            // Warm up: load the classes and compile the handshake path, so that neither the baseline
            // memory nor the CPU per handshake is the JVM starting up.
            try (Fleet warm = new Fleet(address, false, "tcp", (String) g.ready().get("rootKey"),
                    BenchSecrets.issuer(BenchSecrets.TOKEN_KEY_ID, (String) g.ready().get("tokenKey")),
                    fleetThreads(), new SourceAddresses(1), 1, errors)) {
                int warmed = warm.open(warmupSessions, rampUp, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                out.printf("== warm-up: %d sessions opened and closed%n", warmed);
            }
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, Object> before = g.command("stats", "STATS", 60);
            while (((Double) before.get("sessions")) > 0 && System.nanoTime() < closeDeadline) {
                TimeUnit.MILLISECONDS.sleep(200);
                before = g.command("stats", "STATS", 60);
            }
            // About 28,000 ephemeral ports per source address; 64 addresses leave room for 1.8 million.
            try (Fleet fleet = new Fleet(address, false, "tcp", (String) g.ready().get("rootKey"),
                    BenchSecrets.issuer(BenchSecrets.TOKEN_KEY_ID, (String) g.ready().get("tokenKey")),
                    fleetThreads(), new SourceAddresses(64), 1, errors)) {
                ProcStats cpu0 = ProcStats.read(g.pid());
                Map<String, Double> threads0 = ProcStats.threadCpuSeconds(g.pid());
                long start = System.nanoTime();
                int opened = fleet.open(idleSessions, rampUp, start + (long) ((idleSessions / rampUp + 120) * 1e9));
                double seconds = (System.nanoTime() - start) / 1e9;
                ProcStats cpu1 = ProcStats.read(g.pid());
                Map<String, Double> threads1 = ProcStats.threadCpuSeconds(g.pid());
                out.printf("== %d of %d idle sessions in %.1f s (%.0f/s), errors %s%n", opened, idleSessions,
                        seconds, opened / seconds, errors.snapshot());
                // Idle means idle: a session without a record for 5 to 10 s holds less (QuietSessions).
                TimeUnit.SECONDS.sleep(idleWait);
                Map<String, Object> after = g.command("stats", "STATS", 60);
                results.put("s3_before", before);
                results.put("s3_after", after);
                results.put("s3_opened", opened);
                double sessions = ((Double) after.get("sessions"));
                double memory = ((Double) after.get("heapUsed")) + ((Double) after.get("directUsed"))
                        - ((Double) before.get("heapUsed")) - ((Double) before.get("directUsed"));
                double perSession = memory / Math.max(1, sessions);
                double rssPerSession = (((Double) after.get("rssKib")) - ((Double) before.get("rssKib"))) * 1024
                        / Math.max(1, sessions);
                if (wanted(3)) {
                    row("3", String.format("%,.0f idle sessions", sessions), "heap+direct per session (B)",
                            perSession, "<= 4096", perSession <= 4096,
                            String.format("heap %,.0f -> %,.0f B, direct %,.0f -> %,.0f B; RSS %,.0f -> %,.0f KiB (%,.0f B per session)",
                                    before.get("heapUsed"), after.get("heapUsed"), before.get("directUsed"),
                                    after.get("directUsed"), before.get("rssKib"), after.get("rssKib"), rssPerSession));
                }
                double cpuPerHandshake = (cpu1.cpuSeconds() - cpu0.cpuSeconds()) * 1e6 / Math.max(1, opened);
                results.put("s5_cpu_per_handshake_us", cpuPerHandshake);
                results.put("s5_handshakes_per_s", opened / seconds);
                // Where the CPU went: the event loops' own work, the JIT compiling it (a cost of the
                // first minutes of a gateway's life, not of a handshake) and the garbage collector.
                StringBuilder byKind = new StringBuilder();
                for (Map.Entry<String, Double> kind : threads1.entrySet()) {
                    double us = (kind.getValue() - threads0.getOrDefault(kind.getKey(), 0.0)) * 1e6 / Math.max(1, opened);
                    results.put("s5_" + kind.getKey() + "_cpu_per_handshake_us", us);
                    byKind.append(String.format("; %s %.0f us", kind.getKey(), us));
                }
                if (wanted(5)) {
                    row("5", String.format("%,d handshakes + logins at up to %,.0f/s", opened, rampUp),
                            "gateway CPU per handshake (us)", cpuPerHandshake, "<= 200", cpuPerHandshake <= 200,
                            String.format("%.2f CPU s in %.1f s; includes accept, TCP, login and token check%s",
                                    cpu1.cpuSeconds() - cpu0.cpuSeconds(), seconds, byKind));
                }
                if (wanted(4)) {
                    // Pusher.broadcast is the scenario; one Session.push per session, as the gateway did
                    // before it had a broadcast, is measured in the same run for comparison. Both ways
                    // run once first, unmeasured, so that neither pays for the JIT compiling its path.
                    warmUpPushes(g, fleet, opened);
                    double perSecond = broadcast(g, fleet, opened, false);
                    row("4", String.format("64-byte broadcast to %,d sessions x %d", opened, broadcastRounds),
                            "deliveries per second", perSecond, ">= 500000", perSecond >= 500_000,
                            (String) results.get("s4_note"));
                    double eachPerSecond = broadcast(g, fleet, opened, true);
                    results.put("s4_each_deliveries_per_s", eachPerSecond);
                    out.printf("== scenario 4 with one Session.push per session instead: %,.0f deliveries/s (%s)%n",
                            eachPerSecond, results.get("s4_each_note"));
                }
            }
        }
    }

    /**
     * {@code --broadcast-warmup} unmeasured runs of each way of pushing, each as large as the measured
     * one, so that the JIT has compiled both paths before they are measured: with one warm-up round,
     * the measured run was mostly interpreted and C1 code (run 6).
     */
    private void warmUpPushes(ChildProcess g, Fleet fleet, int opened) throws Exception {
        for (int i = 0; i < broadcastWarmup; i++) {
            double b = broadcast(g, fleet, opened, false);
            double e = broadcast(g, fleet, opened, true);
            out.printf("== scenario 4 warm-up %d: broadcast %,.0f deliveries/s (%s); a push per session %,.0f/s (%s)%n",
                    i + 1, b, results.get("s4_note"), e, results.get("s4_each_note"));
        }
    }

    /** Pushes to every session of the fleet, {@code --broadcast-rounds} times; deliveries a second at the clients. */
    private double broadcast(ChildProcess g, Fleet fleet, int opened, boolean each) throws Exception {
        String key = each ? "s4_each" : "s4";
        long expected = (long) opened * broadcastRounds;
        long pushesBefore = fleet.pushes();
        ProcStats cpu0 = ProcStats.read(g.pid());
        ProcStats clients0 = ProcStats.read(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        Map<String, Object> pushed = g.command("push 64 " + broadcastRounds + (each ? " each" : ""), "PUSHED", 60);
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (fleet.pushes() - pushesBefore < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        long got = fleet.pushes() - pushesBefore;
        // The gateway's CPU per delivery: what the gateway spends, without the clients that share the cores.
        double cpuUs = (ProcStats.read(g.pid()).cpuSeconds() - cpu0.cpuSeconds()) * 1e6 / Math.max(1, got);
        results.put(key + "_gateway_cpu_per_delivery_us", cpuUs);
        // And the clients': this JVM (the fleet reads and opens every record), over the same interval;
        // with both on one machine, the two together bound the deliveries a second.
        double clientUs = (ProcStats.read(ProcessHandle.current().pid()).cpuSeconds() - clients0.cpuSeconds()) * 1e6
                / Math.max(1, got);
        results.put(key + "_clients_cpu_per_delivery_us", clientUs);
        double took = (Math.max(fleet.lastPushNanos(), t0) - t0) / 1e9;
        results.put(key + "_pushed", pushed);
        results.put(key + "_deliveries", got);
        results.put(key + "_seconds", took);
        results.put(key + "_note", String.format("%,d of %,d delivered in %.3f s; gateway loop %.0f ms; gateway CPU %.2f us"
                + " per delivery, the clients' %.2f us", got, expected, took, pushed.get("millis"), cpuUs, clientUs));
        return got / took;
    }

    private static double ratio(Map<String, Object> a, Map<String, Object> b, String key) {
        return ((Double) a.get(key)) / ((Double) b.get(key));
    }

    private void row(String id, String scenario, String figure, double value, String goal, boolean met, String note) {
        table.add(new String[] {id, scenario, figure, String.format(value >= 100 ? "%,.0f" : "%.2f", value), goal,
            met ? "met" : "MISSED", note});
        results.put("s" + id + "_value", value);
        results.put("s" + id + "_met", met);
    }

    private void print() {
        out.println();
        out.println("| # | scenario | figure | value | goal | | detail |");
        out.println("| --- | --- | --- | --- | --- | --- | --- |");
        table.sort((a, b) -> a[0].compareTo(b[0]));
        for (String[] r : table) {
            out.println("| " + String.join(" | ", r) + " |");
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        results.forEach((k, v) -> {
            if (v instanceof Map) {
                ((Map<?, ?>) v).forEach((kk, vv) -> flat.put(k + "." + kk, vv));
            } else {
                flat.put(k, v);
            }
        });
        out.println("SCENARIOS " + FlatJson.write(flat));
    }
}
