package io.janus.bench.load;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.game.Audience;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Push;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.Session;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.tunnel.grpc.GameServiceServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gateway the load generator measures, in its own JVM so that its CPU time and RSS can be read from
 * {@code /proc}: an embedded echo game ({@code echo}), a gateway whose game runs behind the gRPC tunnel
 * ({@code tunnel}, with the address of a game service), or that game service alone ({@code service}).
 * Command {@value #ECHO_MODULE}/{@value #ECHO_SEQ} answers with the request's body.
 *
 * <p>The gateway's limits are raised for a benchmark: all connections come from loopback addresses at
 * thousands a second, so the per-address and global handshake limits, the per-address connection limit
 * and the per-session request rate would otherwise be what is measured. Everything else is the default.
 *
 * <pre>
 * java -cp janus-bench.jar io.janus.bench.load.BenchGateway echo [threads]
 * java -cp janus-bench.jar io.janus.bench.load.BenchGateway service
 * java -cp janus-bench.jar io.janus.bench.load.BenchGateway tunnel [threads] 127.0.0.1:PORT
 * </pre>
 *
 * <p>It prints {@code READY {json}} (port, pid, and for a gateway the keys the generator needs), then
 * reads commands from standard input, one a line, each answered by one line:
 * <ul>
 *   <li>{@code stats}: runs the garbage collector twice, then prints {@code STATS {json}} with the
 *       session count, heap used, direct and mapped buffer memory, RSS and CPU seconds;</li>
 *   <li>{@code push SIZE ROUNDS [each]}: pushes one SIZE-byte message to every session, ROUNDS times,
 *       with {@link Gateway#pusher()}'s broadcast (or, with {@code each}, one {@code Session.push} per
 *       session), and prints {@code PUSHED {json}};</li>
 * </ul>
 * and stops when its input ends.
 */
public final class BenchGateway implements AutoCloseable {

    /** The echo command's module. */
    public static final int ECHO_MODULE = 1;
    /** The echo command's seq. */
    public static final int ECHO_SEQ = 1;
    /** The module of benchmark pushes. */
    public static final int PUSH_MODULE = 2;
    /** The service name the tunnel routes to. */
    public static final String SERVICE = "echo";

    private final BenchSecrets secrets;
    private final Gateway gateway;

    private BenchGateway(BenchSecrets secrets, Gateway gateway) {
        this.secrets = secrets;
        this.gateway = gateway;
    }

    /** The echo game: one non-blocking handler, which runs on the event loop. */
    public static GameHandlers echoGame() {
        return GameHandlers.builder().onNonBlocking(ECHO_MODULE, ECHO_SEQ, req -> req.body()).build();
    }

    /**
     * The session options of a benchmark gateway: defaults, but for the limits that would cap a load
     * test from loopback (see the class comment), and idle sessions kept for 10 minutes.
     */
    public static SessionOptions options() {
        return SessionOptions.builder()
                .maxConnections(250_000)
                .maxConnectionsPerIp(250_000)
                .handshakeRate(1_000_000)
                .handshakeRatePerIp(1_000_000, 1_000_000)
                .requestRate(10_000_000, 10_000_000, SessionOptions.RateLimitPolicy.REJECT)
                .maxPendingRequests(1024)
                .idleTimeout(Duration.ofMinutes(10))
                .heartbeatInterval(Duration.ofMinutes(1))
                .build();
    }

    /**
     * Starts a gateway on loopback ports; blocks until it serves.
     *
     * @param threads worker threads
     * @param tunnelTo {@code null} for the embedded echo game, else a game service's {@code host:port}
     * @param withWebSocket whether to listen on WebSocket (default path) as well as TCP
     * @return the running gateway
     * @throws Exception when it does not start within 15 seconds
     */
    public static BenchGateway start(int threads, String tunnelTo, boolean withWebSocket) throws Exception {
        BenchSecrets secrets = BenchSecrets.generate();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Gateway.Builder builder = Gateway.builder()
                .identity(secrets.gatewayIdentity())
                .authenticator(secrets.authenticator())
                .sessionOptions(options())
                .workerThreads(threads)
                .shutdownTimeout(Duration.ofSeconds(2))
                .listen("tcp", new InetSocketAddress(loopback, 0), Map.of());
        if (withWebSocket) {
            builder.listen("ws", new InetSocketAddress(loopback, 0), Map.of());
        }
        if (tunnelTo == null) {
            builder.game(echoGame());
        } else {
            builder.tunnel("grpc", Map.of())
                    .discovery(new StaticDiscovery(List.of(ServiceInstance.of(SERVICE, "bench-service", tunnelTo,
                            Map.of()))))
                    .routes(ModuleRoutes.builder().defaultService(SERVICE).build());
        }
        Gateway gateway = builder.build();
        try {
            gateway.start().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            gateway.close();
            throw e;
        }
        return new BenchGateway(secrets, gateway);
    }

    /**
     * Starts the echo game as a remote game service on a loopback port.
     *
     * @return the running service
     * @throws Exception when it does not start within 15 seconds
     */
    public static GameServiceServer startService() throws Exception {
        GameServiceServer service = GameServiceServer.builder()
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .instanceId("bench-service")
                .service(SERVICE, echoGame())
                .build();
        try {
            service.start().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            service.close();
            throw e;
        }
        return service;
    }

    /** The gateway. */
    public Gateway gateway() {
        return gateway;
    }

    /** The keys the generator needs. */
    public BenchSecrets secrets() {
        return secrets;
    }

    /** The TCP port. */
    public int port() {
        return gateway.address("tcp").getPort();
    }

    /**
     * Pushes one message of {@code size} bytes to every session, {@code rounds} times: with
     * {@code Pusher.broadcast} to {@link Audience#all()} (the packet encoded once per round, one task per
     * event loop), or, with {@code each}, with one {@code Session.push} per session as the gateway did
     * before it had a broadcast (one encoding and one cross-thread task per delivery).
     *
     * @param size body bytes
     * @param rounds how many times each session gets it
     * @param each push to each session in turn rather than broadcast
     * @return sessions, pushes taken, the mode and the milliseconds until every push was queued
     * @throws Exception when a broadcast does not complete within a minute
     */
    public Map<String, Object> push(int size, int rounds, boolean each) throws Exception {
        Push push = Push.of(PUSH_MODULE, 1, ByteString.copyFrom(new byte[size]));
        int sessions = gateway.sessions().size();
        long start = System.nanoTime();
        long taken = 0;
        if (each) {
            List<Session> all = List.copyOf(gateway.sessions().sessions());
            for (int r = 0; r < rounds; r++) {
                for (Session session : all) {
                    // Session.push is what the Pusher calls after its registry lookup; taken means queued.
                    if (session.push(push)) {
                        taken++;
                    }
                }
            }
        } else {
            List<CompletableFuture<Integer>> counts = new ArrayList<>(rounds);
            for (int r = 0; r < rounds; r++) {
                counts.add(gateway.pusher().broadcast(push, Audience.all()).toCompletableFuture());
            }
            for (CompletableFuture<Integer> count : counts) {
                taken += count.get(60, TimeUnit.SECONDS);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("sessions", sessions);
        result.put("pushes", taken);
        result.put("mode", each ? "each" : "broadcast");
        result.put("millis", (System.nanoTime() - start) / 1e6);
        return result;
    }

    /**
     * Heap bytes allocated so far by this JVM's live threads (HotSpot's per-thread counters, no
     * collection forced) and the requests the gateway has taken: two readings give the allocation per
     * request.
     *
     * @param gateway the gateway, or {@code null} for a game service
     * @return {@code allocatedBytes}, {@code requests}, and the {@link GcPauses} since the last call
     */
    public static Map<String, Object> allocation(BenchGateway gateway) {
        long bytes = 0;
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads instanceof com.sun.management.ThreadMXBean) {
            com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) threads;
            for (long allocated : hotspot.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                bytes += Math.max(0, allocated);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("allocatedBytes", bytes);
        result.put("requests", gateway == null ? 0 : gateway.gateway.stats().requests());
        // And the collection pauses since the previous reading: the runner reads at the start and the
        // end of a measurement, so the second reading covers the measured seconds.
        result.putAll(GcPauses.get().window());
        return result;
    }

    /**
     * Memory and CPU of this JVM after two garbage collections.
     *
     * @param sessions the session count to report
     * @return the figures
     */
    public static Map<String, Object> memory(int sessions) {
        System.gc();
        System.gc();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("sessions", sessions);
        result.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            direct += pool.getMemoryUsed();
        }
        // Netty's pooled direct memory is allocated without the JDK's accounting when it can be; count it too.
        result.put("directUsed", direct + nettyDirect());
        ProcStats proc = ProcStats.tryRead(ProcessHandle.current().pid());
        result.put("rssKib", proc == null ? -1 : proc.rssKib());
        result.put("cpuSeconds", proc == null ? -1 : proc.cpuSeconds());
        return result;
    }

    private static long nettyDirect() {
        long used = io.netty.util.internal.PlatformDependent.usedDirectMemory();
        return used < 0 ? 0 : used;
    }

    @Override
    public void close() {
        gateway.close();
    }

    /**
     * Runs a benchmark gateway or game service until standard input ends.
     *
     * @param args {@code echo [threads]}, {@code tunnel [threads] host:port} or {@code service}
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        LeakDetection.productionDefault();
        GcPauses.get(); // counts from the start
        String mode = args.length > 0 ? args[0] : "echo";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        PrintStream out = System.out;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("pid", ProcessHandle.current().pid());
        if (mode.equals("service")) {
            GameServiceServer service = startService();
            try {
                ready.put("port", service.address().getPort());
                out.println("READY " + FlatJson.write(ready));
                out.flush();
                serveCommands(in, out, null);
            } finally {
                service.close();
            }
            return;
        }
        if (!mode.equals("echo") && !mode.equals("tunnel")) {
            throw new IllegalArgumentException("mode: " + mode + " (expected: echo, tunnel or service)");
        }
        String tunnelTo = mode.equals("tunnel") ? requireNonNull(args.length > 2 ? args[2] : null, "host:port") : null;
        try (BenchGateway gateway = start(threads, tunnelTo, true)) {
            ready.put("port", gateway.port());
            ready.put("wsPort", gateway.gateway().address("ws").getPort());
            ready.put("rootKey", gateway.secrets.rootKeyBase64());
            ready.put("tokenKeyId", BenchSecrets.TOKEN_KEY_ID);
            ready.put("tokenKey", gateway.secrets.tokenKeyBase64());
            out.println("READY " + FlatJson.write(ready));
            out.flush();
            serveCommands(in, out, gateway);
        }
    }

    private static void serveCommands(BufferedReader in, PrintStream out, BenchGateway gateway) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split(" +");
            switch (words[0]) {
                case "stats":
                    out.println("STATS " + FlatJson.write(memory(gateway == null ? 0 : gateway.gateway.sessions().size())));
                    break;
                case "alloc":
                    out.println("ALLOC " + FlatJson.write(allocation(gateway)));
                    break;
                case "push":
                    out.println("PUSHED " + (gateway == null ? "{}"
                            : FlatJson.write(gateway.push(Integer.parseInt(words[1]), Integer.parseInt(words[2]),
                                    words.length > 3 && words[3].equals("each")))));
                    break;
                default:
                    out.println("ERROR unknown command: " + line);
            }
            out.flush();
        }
    }
}
