package io.janus.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Proves that a leaked buffer fails the test that leaked it, and that clean tests pass. */
class LeakDetectionExtensionTest {

    private static final String RUN_NESTED = "janus.testing.runLeakFixtures";

    @Test
    void leakedBufferFailsTheTestThatLeakedIt() {
        Events events = runFixture(LeakingFixture.class);

        events.assertStatistics(stats -> stats.started(1).failed(1).succeeded(0));
        List<String> messages = events.failed().stream()
                .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                        .map(Throwable::getMessage).orElse(""))
                .collect(Collectors.toList());
        assertThat(messages).singleElement().asString()
                .contains("Netty resource leak")
                .contains("LeakingFixture");
    }

    @Test
    void releasedBufferPasses() {
        Events events = runFixture(CleanFixture.class);

        events.assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
    }

    private static Events runFixture(Class<?> fixture) {
        System.setProperty(RUN_NESTED, "true");
        try {
            return EngineTestKit.engine("junit-jupiter")
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                    .selectors(selectClass(fixture))
                    .execute()
                    .testEvents();
        } finally {
            System.clearProperty(RUN_NESTED);
        }
    }

    /** Run only through the engine test kit above. */
    @EnabledIfSystemProperty(named = RUN_NESTED, matches = "true")
    static class LeakingFixture {
        @Test
        void leaks() {
            ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(16);
            leaked.writeLong(42);
            // Dropped without release(): the extension must fail this test.
        }
    }

    /** Run only through the engine test kit above. */
    @EnabledIfSystemProperty(named = RUN_NESTED, matches = "true")
    static class CleanFixture {
        @Test
        void releases() {
            ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(16);
            buf.writeLong(42);
            assertThat(buf.release()).isTrue();
        }
    }
}
