package io.janus.core.fuzz;

import io.janus.testing.FuzzSeeds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every regression seed of janus-core's fuzz targets, {@code src/test/resources/fuzz-seeds/<target>/*.hex},
 * through the same check as the target's property (in every buffer shape where the property picks one
 * per try). A plain JUnit test: it runs in every build, leak extension included, and takes well under a
 * second. How to add a seed: {@code src/test/resources/fuzz-seeds/README.md}.
 */
class FuzzRegressionSeedsTest {

    @TestFactory
    Stream<DynamicTest> clientHello() {
        return replay(ClientHelloFuzzTest.TARGET, ClientHelloFuzzTest::check);
    }

    @TestFactory
    Stream<DynamicTest> serverHello() {
        return replay(ServerHelloFuzzTest.TARGET, ServerHelloFuzzTest::check);
    }

    @TestFactory
    Stream<DynamicTest> handshakeError() {
        return replay(HandshakeErrorFuzzTest.TARGET, HandshakeErrorFuzzTest::check);
    }

    @TestFactory
    Stream<DynamicTest> trafficCipher() {
        return replay(TrafficCipherFuzzTest.TARGET, TrafficCipherFuzzTest::check);
    }

    @TestFactory
    Stream<DynamicTest> packetCodec() {
        return replay(PacketCodecFuzzTest.TARGET, PacketCodecFuzzTest::check);
    }

    @TestFactory
    Stream<DynamicTest> compression() {
        return replay(CompressionFuzzTest.TARGET, CompressionFuzzTest::check);
    }

    @TestFactory
    Stream<DynamicTest> secureServer() {
        return replay(SecureServerHandlerFuzzTest.TARGET, SecureServerHandlerFuzzTest::check);
    }

    private static Stream<DynamicTest> replay(String target, Consumer<byte[]> check) {
        List<FuzzSeeds.Seed> seeds = FuzzSeeds.of(target);
        assertThat(seeds).as("seeds of %s", target).isNotEmpty();
        return seeds.stream().map(seed -> DynamicTest.dynamicTest(seed.name(), () -> check.accept(seed.bytes())));
    }
}
