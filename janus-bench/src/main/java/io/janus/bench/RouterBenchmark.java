package io.janus.bench;

import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.routing.HashRing;
import io.janus.core.routing.InMemoryRouter;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * CPU time of the routing decision every tunnelled request takes: {@link HashRing#pick(long)} alone,
 * and {@link InMemoryRouter#route} (module rule, discovery snapshot, health filter, ring), with 8 and 64
 * instances of one service. Keys vary per call (a counter run through the ring), so that the ring's
 * binary search is not always answered from the same cache line. Baseline: {@link #mixOnly}, the key
 * arithmetic alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouterBenchmark {

    /** Instances of the routed service. */
    @Param({"8", "64"})
    public int instances;

    private HashRing ring;
    private InMemoryRouter router;
    private SessionInfo session;
    private long key;

    /** Builds the ring and a router over static discovery. */
    @Setup
    public void setUp() {
        List<ServiceInstance> list = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            list.add(ServiceInstance.of("game", "game-" + i, "10.0.0." + (i + 1) + ":9000", Map.of()));
        }
        ring = HashRing.of(list);
        router = new InMemoryRouter(new StaticDiscovery(list),
                ModuleRoutes.builder().route(1, "game", ModuleRoutes.Key.OBJECT).build());
        session = new SessionInfo(1, "bench-gateway", "tcp", "127.0.0.1:1", Identity.of(42));
    }

    /** Closes the router. */
    @TearDown
    public void tearDown() {
        router.close();
    }

    private long nextKey() {
        key += 0x9E3779B97F4A7C15L;
        return key ^ (key >>> 29);
    }

    /**
     * One ring lookup.
     *
     * @return the instance
     */
    @Benchmark
    public ServiceInstance ringPick() {
        return ring.pick(nextKey());
    }

    /**
     * One routing decision by object id.
     *
     * @return the instance
     */
    @Benchmark
    public ServiceInstance route() {
        return router.route(session, 1, nextKey()).toCompletableFuture().getNow(null);
    }

    /**
     * Baseline: the key arithmetic alone.
     *
     * @return the key
     */
    @Benchmark
    public long mixOnly() {
        return nextKey();
    }
}
