package io.janus.bench.load;

import java.util.List;

/**
 * Netty's leak detection in the benchmark's processes: off unless the command line sets it.
 *
 * <p>Netty samples one buffer allocation in 128 for leak tracking by default ({@code SIMPLE}), and a
 * sampled buffer records a stack trace when it is made and when it is released; under the echo
 * benchmark that was 3.6% of the gateway's CPU and 3.7% of the generator's (async-profiler, steady
 * state, docs/benchmarks.md). A production gateway runs with it off (README, "JVM settings"), so the
 * benchmark measures that: every process of a run (ceiling, gateways, game service, generator) the
 * same. A {@code -Dio.netty.leakDetection.level} given on the command line wins, and the runner passes
 * its own setting to its child processes, so the test suite's PARANOID reaches them too.
 */
final class LeakDetection {

    static final String PROPERTY = "io.netty.leakDetection.level";

    private LeakDetection() {
    }

    /** Turns leak detection off unless set; call first thing in {@code main}, before Netty loads. */
    static void productionDefault() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "disabled");
        }
    }

    /** The JVM option that gives a child process this process's setting; empty when none is set. */
    static List<String> childOption() {
        String level = System.getProperty(PROPERTY);
        return level == null ? List.of() : List.of("-D" + PROPERTY + "=" + level);
    }
}
