package io.janus.bench;

import io.janus.bench.load.BroadcastRig;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.session.Session;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Wall time per delivery of a broadcast through a running gateway, end to end: one 64-byte push to
 * {@value #SESSIONS} real client sessions over TCP on 127.0.0.1 (two gateway event loops, one client
 * event loop, all in this JVM), timed until every client has opened its copy. Reported per delivery
 * ({@link OperationsPerInvocation}).
 *
 * <p>{@link #broadcast}: {@code Pusher.broadcast} (the packet encoded once, one task per event loop,
 * one seal and one flush per session). Baseline: {@link #pushEach}, one {@code Session.push} per
 * session, what a game did before the gateway had a broadcast (an encoding and a cross-thread task per
 * delivery). The clients' reads and AES-GCM opens share the cores with the gateway, as in scenario 4 of
 * docs/benchmarks.md; {@link FanOutBenchmark} gives the gateway's CPU alone.
 */
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {"-Dio.netty.leakDetection.level=DISABLED", "-Xms1g", "-Xmx1g"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BroadcastBenchmark {

    /** Receiving sessions. */
    static final int SESSIONS = 500;

    private BroadcastRig rig;
    private List<Session> sessions;
    private Push push;
    private long delivered;

    /**
     * Starts the gateway and its sessions.
     *
     * @throws Exception when they do not start
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        rig = BroadcastRig.start(SESSIONS, 2, 1);
        sessions = rig.sessions();
        push = BroadcastRig.push(new byte[64]);
        delivered = rig.delivered();
    }

    /** Closes the sessions and the gateway. */
    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
    }

    /**
     * Broadcasts once to every session and waits until every client has it.
     *
     * @return sessions that took the push
     * @throws Exception when the broadcast does not complete
     */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public int broadcast() throws Exception {
        int taken = rig.gateway().pusher().broadcast(push, Audience.all()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        delivered += taken;
        rig.awaitDelivered(delivered, 10_000);
        return taken;
    }

    /**
     * Baseline: pushes to each session in turn and waits until every client has it.
     *
     * @return sessions that took the push
     */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public int pushEach() {
        int taken = 0;
        for (Session session : sessions) {
            if (session.push(push)) {
                taken++;
            }
        }
        delivered += taken;
        rig.awaitDelivered(delivered, 10_000);
        return taken;
    }
}
