package io.janus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Proves that every benchmark of this module runs: each one, with each parameter value, produces a
 * positive score without an error. It runs them in this JVM for a fraction of a second each, so the
 * figures mean nothing and none is checked; docs/benchmarks.md says how to measure.
 */
class BenchmarksRunTest {

    private static final List<Class<?>> BENCHMARKS = List.of(
            HandshakeBenchmark.class, HandshakeStepsBenchmark.class, RecordBenchmark.class,
            FrameCodecBenchmark.class, RouterBenchmark.class, FanOutBenchmark.class,
            BroadcastBenchmark.class);

    @Test
    void everyBenchmarkProducesAResult() throws RunnerException {
        // A JMH run elsewhere on the machine (a developer measuring) must not fail this smoke test.
        String ignoreLock = System.setProperty("jmh.ignoreLock", "true");
        Options options = new OptionsBuilder()
                .include("^" + BenchmarksRunTest.class.getPackageName().replace(".", "\\.") + "\\.[A-Z]")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(300))
                .threads(1)
                .shouldFailOnError(true)
                .build();

        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } finally {
            if (ignoreLock == null) {
                System.clearProperty("jmh.ignoreLock");
            } else {
                System.setProperty("jmh.ignoreLock", ignoreLock);
            }
        }

        List<String> ran = new ArrayList<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark() + paramsOf(result);
            assertThat(result.getPrimaryResult().getScore()).as(name).isPositive();
            assertThat(result.getPrimaryResult().getSampleCount()).as(name).isPositive();
            ran.add(name);
        }
        assertThat(ran).containsExactlyInAnyOrderElementsOf(expectedRuns());
    }

    /** Every {@code @Benchmark} method of the listed classes, once per value of each {@code @Param}. */
    private static List<String> expectedRuns() {
        List<String> expected = new ArrayList<>();
        for (Class<?> type : BENCHMARKS) {
            List<String> suffixes = List.of("");
            Field[] fields = type.getFields();
            // JMH lists the parameters of a result by name; paramsOf sorts them the same way.
            Arrays.sort(fields, Comparator.comparing(Field::getName));
            for (Field field : fields) {
                Param param = field.getAnnotation(Param.class);
                if (param != null) {
                    List<String> next = new ArrayList<>();
                    for (String suffix : suffixes) {
                        for (String value : param.value()) {
                            next.add(suffix + " " + field.getName() + "=" + value);
                        }
                    }
                    suffixes = next;
                }
            }
            for (Method method : type.getMethods()) {
                if (method.isAnnotationPresent(Benchmark.class)) {
                    for (String suffix : suffixes) {
                        expected.add(type.getName() + "." + method.getName() + suffix);
                    }
                }
            }
        }
        assertThat(expected).as("benchmarks found by reflection").isNotEmpty();
        return expected;
    }

    private static String paramsOf(RunResult result) {
        return result.getParams().getParamsKeys().stream()
                .sorted()
                .map(key -> " " + key + "=" + result.getParams().getParam(key))
                .collect(Collectors.joining());
    }
}
