package io.janus.route.redis;

import io.janus.testing.FreePorts;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A Redis Cluster of real {@code redis-server} processes (masters only, no replicas) on free loopback
 * ports, for tests of this module. {@link #start()} launches three nodes with
 * {@code --cluster-enabled yes}, each with its {@code nodes-PORT.conf} in a temporary directory, gives
 * each an equal range of the 16384 hash slots ({@code CLUSTER ADDSLOTSRANGE}), joins them
 * ({@code CLUSTER MEET}) and waits until every node reports {@code cluster_state:ok}. {@link #close()}
 * kills every node and deletes the directory.
 *
 * <p>Slots are assigned with commands rather than {@code redis-cli --cluster create}, so the harness
 * needs the server only (not redis-tools) and does not wait for redis-cli's fixed one-second polls.
 * Node {@code i} of {@code n} owns slots {@code [i * 16384 / n, (i + 1) * 16384 / n)}.
 *
 * <p>A node may be stopped ({@link #stop(int)}) and started again ({@link #restart(int)}) on the same
 * ports: it reloads its nodes file, so it rejoins with its slots but without its data (no
 * persistence). The nodes run with {@code cluster-require-full-coverage no}, so the other masters keep
 * serving their slots while one is down, and a short {@code cluster-node-timeout} of
 * {@value #NODE_TIMEOUT_MS} ms. Tests are skipped (an assumption) only when redis-server is absent.
 * Each node takes two free ports, its client port and its cluster bus port ({@code --cluster-port}), as
 * the default bus port (client port + 10000) may be taken or above 65535. Not thread-safe except
 * {@link #shared()}: drive it from the test thread.
 */
final class RedisCluster implements AutoCloseable {

    /** Hash slots of a Redis Cluster. */
    static final int SLOTS = 16384;
    static final int NODE_TIMEOUT_MS = 2000;
    private static final long START_TIMEOUT_MS = 10_000;
    private static final long FORM_TIMEOUT_MS = 20_000;

    private static RedisCluster shared;

    private final Path dir;
    private final int[] ports;
    private final int[] busPorts;
    private final Process[] processes;
    private final int[] slotOwners = new int[SLOTS];
    private final RedisClient admin;

    private RedisCluster(Path dir, int[] ports, int[] busPorts) {
        this.dir = dir;
        this.ports = ports;
        this.busPorts = busPorts;
        this.processes = new Process[ports.length];
        for (int node = 0; node < ports.length; node++) {
            for (int slot = firstSlot(node); slot < firstSlot(node + 1); slot++) {
                slotOwners[slot] = node;
            }
        }
        this.admin = RedisClient.create();
    }

    /**
     * The cluster of three masters shared by the test classes of this JVM run: started by the first
     * caller (about 4 s, most of it Redis' own delay before a restarted master takes writes), killed
     * and deleted when the JVM exits. Tests on it use keys of their own and never stop its nodes; a test
     * that stops nodes starts a cluster of its own with {@link #start()}.
     */
    static synchronized RedisCluster shared() throws IOException, InterruptedException {
        if (shared == null) {
            RedisCluster cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "redis-cluster-shutdown"));
            shared = cluster;
        }
        return shared;
    }

    /** Starts a cluster of three masters, or skips the calling test when redis-server is not installed. */
    static RedisCluster start() throws IOException, InterruptedException {
        return start(3);
    }

    /** Starts a cluster of {@code masters} masters (1 to 16). */
    static RedisCluster start(int masters) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(RedisServer.BINARY),
                "redis-server not installed at " + RedisServer.BINARY);
        if (masters < 1 || masters > 16) {
            throw new IllegalArgumentException("masters: " + masters + " (expected: 1-16)");
        }
        Set<Integer> taken = new HashSet<>();
        int[] ports = new int[masters];
        int[] busPorts = new int[masters];
        for (int i = 0; i < masters; i++) {
            ports[i] = freePort(taken);
            busPorts[i] = freePort(taken);
        }
        RedisCluster cluster = new RedisCluster(Files.createTempDirectory("janus-redis-cluster-"), ports, busPorts);
        try {
            for (int i = 0; i < masters; i++) {
                cluster.launch(i);
            }
            cluster.form();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static int freePort(Set<Integer> taken) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = FreePorts.tcp();
            if (taken.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no distinct free port in 100 attempts");
    }

    /** How many masters. */
    int size() {
        return ports.length;
    }

    /** The client port of node {@code i}. */
    int port(int node) {
        return ports[node];
    }

    /** Which node owns a hash slot: the layout of {@link #form()}, changed by {@link #moveSlot}. */
    int nodeOfSlot(int slot) {
        return slotOwners[slot];
    }

    /** Which node owns a key, by its hash slot (CRC16 of the key or its hash tag, modulo 16384). */
    int nodeOfKey(String key) {
        return nodeOfSlot(SlotHash.getSlot(key));
    }

    private int firstSlot(int node) {
        return node * SLOTS / ports.length;
    }

    /**
     * Options of a cluster client seeded with every node, with a 1 s topology refresh and a 1 s command
     * timeout so that tests notice a dead node quickly.
     */
    RedisRouteOptions options() {
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int port : ports) {
            seeds.add(InetSocketAddress.createUnresolved("127.0.0.1", port));
        }
        return RedisRouteOptions.builder().cluster(seeds).commandTimeout(Duration.ofSeconds(1))
                .topologyRefreshPeriod(Duration.ofSeconds(1)).build();
    }

    /** Options of a standalone client of one node (for per-node checks). */
    RedisRouteOptions nodeOptions(int node) {
        return RedisRouteOptions.builder().host("127.0.0.1").port(ports[node]).build();
    }

    /** Runs synchronous commands on one node over a connection opened for the call. */
    <T> T onNode(int node, Function<RedisCommands<String, String>, T> commands) {
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(ports[node])
                .withTimeout(Duration.ofSeconds(5)).build();
        try (StatefulRedisConnection<String, String> connection = admin.connect(StringCodec.UTF8, uri)) {
            return commands.apply(connection.sync());
        }
    }

    /**
     * Moves an empty hash slot to another node as {@code redis-cli --cluster reshard} does (cluster
     * specification, "Live resharding"): the target marks it importing, the source migrating, then every
     * node is told the new owner, the target first so that it bumps its config epoch.
     */
    void moveSlot(int slot, int toNode) {
        int fromNode = slotOwners[slot];
        String fromId = onNode(fromNode, RedisCommands::clusterMyId);
        String toId = onNode(toNode, RedisCommands::clusterMyId);
        long keys = onNode(fromNode, redis -> redis.clusterCountKeysInSlot(slot));
        if (keys != 0) {
            throw new IllegalStateException("slot " + slot + " holds " + keys + " keys (expected: empty)");
        }
        onNode(toNode, redis -> redis.clusterSetSlotImporting(slot, fromId));
        onNode(fromNode, redis -> redis.clusterSetSlotMigrating(slot, toId));
        onNode(toNode, redis -> redis.clusterSetSlotNode(slot, toId));
        onNode(fromNode, redis -> redis.clusterSetSlotNode(slot, toId));
        for (int i = 0; i < ports.length; i++) {
            if (i != toNode && i != fromNode && processes[i] != null) {
                onNode(i, redis -> redis.clusterSetSlotNode(slot, toId));
            }
        }
        slotOwners[slot] = toNode;
    }

    /** Counts the keys of node {@code i} matching a glob pattern (SCAN, bounded to 100000 keys). */
    long keysOnNode(int node, String pattern) {
        return onNode(node, redis -> {
            long n = 0;
            ScanIterator<String> keys = ScanIterator.scan(redis, ScanArgs.Builder.matches(pattern).limit(1000));
            for (int i = 0; i < 100_000 && keys.hasNext(); i++) {
                keys.next();
                n++;
            }
            return n;
        });
    }

    /** How many times node {@code i} ran a command since its last {@code CONFIG RESETSTAT} (INFO commandstats). */
    long calls(int node, String command) {
        String stats = onNode(node, redis -> redis.info("commandstats"));
        String prefix = "cmdstat_" + command.toLowerCase(Locale.ROOT) + ":calls=";
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                int end = line.indexOf(',', prefix.length());
                return Long.parseLong(line.substring(prefix.length(), end < 0 ? line.length() : end));
            }
        }
        return 0;
    }

    /** Resets the command statistics of every running node. */
    void resetStats() {
        for (int i = 0; i < ports.length; i++) {
            if (processes[i] != null) {
                onNode(i, RedisCommands::configResetstat);
            }
        }
    }

    /** Whether node {@code i} runs (it was not stopped, or was restarted). */
    boolean isRunning(int node) {
        return processes[node] != null;
    }

    /** Kills node {@code i} and waits for it to exit. Its slots are unserved until {@link #restart(int)}. */
    void stop(int node) throws InterruptedException {
        Process process = processes[node];
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server on port " + ports[node] + " did not exit");
        }
        processes[node] = null;
    }

    /** Starts node {@code i} again (after {@link #stop(int)}) and waits until the cluster is ok again. */
    void restart(int node) throws IOException, InterruptedException {
        stop(node);
        launch(node);
        awaitOk();
    }

    private void launch(int node) throws IOException, InterruptedException {
        int port = ports[node];
        Process process = new ProcessBuilder(List.of(RedisServer.BINARY.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--cluster-enabled", "yes",
                "--cluster-port", Integer.toString(busPorts[node]),
                "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
                "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS),
                "--cluster-require-full-coverage", "no",
                "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
                .start();
        processes[node] = process;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " on port " + port
                        + ": " + log(port));
            }
            if (pings(node)) {
                return;
            }
            Thread.sleep(20);
        }
        stop(node);
        throw new IOException("redis-server did not answer PING on port " + port + " in " + START_TIMEOUT_MS + " ms");
    }

    private boolean pings(int node) {
        try {
            return "PONG".equals(onNode(node, RedisCommands::ping));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private String log(int port) {
        try {
            return Files.readString(dir.resolve("redis-" + port + ".log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Gives each node its slots and a distinct config epoch, joins them, and waits for the state ok. */
    private void form() throws InterruptedException {
        for (int i = 0; i < ports.length; i++) {
            int node = i;
            Range<Integer> range = Range.create(firstSlot(node), firstSlot(node + 1) - 1);
            // The same layout as slotOwners.
            onNode(node, redis -> {
                redis.clusterSetConfigEpoch(node + 1);
                return redis.clusterAddSlotsRange(range);
            });
        }
        for (int i = 1; i < ports.length; i++) {
            int node = i;
            // CLUSTER MEET ip port cluster-bus-port: the bus port is not port + 10000 here.
            onNode(0, redis -> redis.dispatch(CommandType.CLUSTER, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("MEET").add("127.0.0.1").add(ports[node])
                            .add(busPorts[node])));
        }
        awaitOk();
    }

    /** Waits until every running node says {@code cluster_state:ok} and knows every node and slot. */
    void awaitOk() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FORM_TIMEOUT_MS);
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (int i = 0; i < ports.length && ok; i++) {
                if (processes[i] == null) {
                    continue;
                }
                try {
                    last = onNode(i, RedisCommands::clusterInfo);
                } catch (RuntimeException e) {
                    last = e.toString();
                    ok = false;
                    break;
                }
                ok = last.contains("cluster_state:ok")
                        && last.contains("cluster_slots_ok:" + SLOTS)
                        && last.contains("cluster_known_nodes:" + ports.length);
            }
            if (ok) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("cluster not ok after " + FORM_TIMEOUT_MS + " ms: " + last);
    }

    /** Kills every node, deletes the directory and shuts the admin client down. */
    @Override
    public void close() throws InterruptedException {
        try {
            for (int i = 0; i < processes.length; i++) {
                stop(i);
            }
        } finally {
            admin.shutdown();
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    @Override
    public String toString() {
        return "RedisCluster{ports=" + Arrays.toString(ports) + "}";
    }
}
