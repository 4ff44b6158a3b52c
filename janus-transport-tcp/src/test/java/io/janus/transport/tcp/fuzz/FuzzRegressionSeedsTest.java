package io.janus.transport.tcp.fuzz;

import io.janus.testing.FuzzSeeds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every regression seed of this module's fuzz targets, {@code src/test/resources/fuzz-seeds/<target>/*.hex},
 * through the same check as the target's property. A plain JUnit test: it runs in every build, leak
 * extension included. How to add a seed: {@code src/test/resources/fuzz-seeds/README.md}.
 */
class FuzzRegressionSeedsTest {

    @TestFactory
    Stream<DynamicTest> frameDecoder() {
        List<FuzzSeeds.Seed> seeds = FuzzSeeds.of(FrameDecoderFuzzTest.TARGET);
        assertThat(seeds).isNotEmpty();
        return seeds.stream().map(seed -> DynamicTest.dynamicTest(seed.name(),
                () -> FrameDecoderFuzzTest.check(seed.bytes())));
    }
}
