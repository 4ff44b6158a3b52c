package io.janus.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.session.DuplicateLoginPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link SessionOptions}: the safe defaults, argument validation and the builder round trip. */
class SessionOptionsTest {

    @Test
    void defaultsAreTheDocumentedSafeValues() {
        SessionOptions o = SessionOptions.defaults();

        assertThat(o.maxFrameLength()).isEqualTo(64 * 1024);
        assertThat(o.loginTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.maxPendingRequests()).isEqualTo(64);
        assertThat(o.outboundLowWaterMark()).isEqualTo(32 * 1024);
        assertThat(o.outboundHighWaterMark()).isEqualTo(64 * 1024);
        assertThat(o.maxOutboundBytes()).isEqualTo(1024 * 1024);
        assertThat(o.maxConnections()).isEqualTo(100_000);
        assertThat(o.maxConnectionsPerIp()).isEqualTo(512);
        assertThat(o.duplicateLoginPolicy()).isEqualTo(DuplicateLoginPolicy.KICK_OLD);
    }

    @Test
    void emptyBuilderBuildsTheDefaults() {
        assertThat(SessionOptions.builder().build()).usingRecursiveComparison().isEqualTo(SessionOptions.defaults());
    }

    @Test
    void maxFrameLengthOutOfRangeNamesTheFieldAndTheRange() {
        assertThatThrownBy(() -> SessionOptions.builder().maxFrameLength(63))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFrameLength: 63 (expected: 64 to 16777216)");
        assertThatThrownBy(() -> SessionOptions.builder().maxFrameLength(16 * 1024 * 1024 + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFrameLength: 16777217 (expected: 64 to 16777216)");
    }

    @Test
    void maxFrameLengthAcceptsBothEndsOfItsRange() {
        assertThat(SessionOptions.builder().maxFrameLength(64).build().maxFrameLength()).isEqualTo(64);
        assertThat(SessionOptions.builder().maxFrameLength(16 * 1024 * 1024).build().maxFrameLength())
                .isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void countLimitsBelowOneAreRefusedByName() {
        assertThatThrownBy(() -> SessionOptions.builder().maxPendingRequests(0))
                .hasMessage("maxPendingRequests: 0 (expected: 1 to 65536)");
        assertThatThrownBy(() -> SessionOptions.builder().maxConnections(0))
                .hasMessage("maxConnections: 0 (expected: 1 to 2147483647)");
        assertThatThrownBy(() -> SessionOptions.builder().maxConnectionsPerIp(-1))
                .hasMessage("maxConnectionsPerIp: -1 (expected: 1 to 2147483647)");
        assertThatThrownBy(() -> SessionOptions.builder().maxOutboundBytes(0))
                .hasMessage("maxOutboundBytes: 0 (expected: 1 to 2147483647)");
    }

    @Test
    void timeoutsMustBePositive() {
        assertThatThrownBy(() -> SessionOptions.builder().loginTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loginTimeout: PT0S (expected: > 0 and < 24 days)");
        assertThatThrownBy(() -> SessionOptions.builder().idleTimeout(Duration.ofSeconds(-1)))
                .hasMessageStartingWith("idleTimeout: PT-1S");
        assertThatThrownBy(() -> SessionOptions.builder().heartbeatInterval(Duration.ZERO))
                .hasMessageStartingWith("heartbeatInterval: ");
        assertThatThrownBy(() -> SessionOptions.builder().requestTimeout(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("requestTimeout");
    }

    @Test
    void timeoutsMustFitInAnIntOfMilliseconds() {
        assertThat(SessionOptions.builder().requestTimeout(Duration.ofDays(24)).build().requestTimeout())
                .isEqualTo(Duration.ofDays(24));
        assertThatThrownBy(() -> SessionOptions.builder().requestTimeout(Duration.ofDays(25)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestTimeout: PT600H (expected: > 0 and < 24 days)");
    }

    @Test
    void hugeTimeoutIsRefusedWithTheFieldName() {
        assertThatThrownBy(() -> SessionOptions.builder().loginTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("loginTimeout: ");
    }

    @Test
    void highWaterMarkMustExceedTheLowOne() {
        assertThatThrownBy(() -> SessionOptions.builder().outboundWaterMarks(100, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outboundHighWaterMark: 100 (expected: 101 to 2147483647)");
        assertThatThrownBy(() -> SessionOptions.builder().outboundWaterMarks(0, 100))
                .hasMessage("outboundLowWaterMark: 0 (expected: 1 to 2147483646)");
    }

    @Test
    void maximalLowWaterMarkIsRefusedWithoutOverflow() {
        // low + 1 would overflow: the low mark itself must be refused, not a negative bound accepted.
        assertThatThrownBy(() -> SessionOptions.builder().outboundWaterMarks(Integer.MAX_VALUE, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("outboundLowWaterMark: 2147483647");
        assertThatThrownBy(() -> SessionOptions.builder().outboundWaterMarks(Integer.MAX_VALUE - 1, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("outboundHighWaterMark: 5");
    }

    @Test
    void maxOutboundBytesMustExceedTheHighWaterMark() {
        SessionOptions.Builder b = SessionOptions.builder().outboundWaterMarks(1000, 2000).maxOutboundBytes(2000);

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxOutboundBytes: 2000 (expected: > outboundHighWaterMark 2000)");
    }

    @Test
    void heartbeatIntervalMustBeShorterThanTheIdleTimeout() {
        SessionOptions.Builder b = SessionOptions.builder()
                .idleTimeout(Duration.ofSeconds(5))
                .heartbeatInterval(Duration.ofSeconds(5));

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heartbeatInterval: PT5S (expected: < idleTimeout PT5S)");
    }

    @Test
    void duplicateLoginPolicyIsRequired() {
        assertThatThrownBy(() -> SessionOptions.builder().duplicateLoginPolicy(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("policy");
    }

    @Test
    void toBuilderRoundTripsEveryOption() {
        SessionOptions custom = SessionOptions.builder()
                .maxFrameLength(4096)
                .loginTimeout(Duration.ofSeconds(3))
                .idleTimeout(Duration.ofSeconds(60))
                .heartbeatInterval(Duration.ofSeconds(20))
                .requestTimeout(Duration.ofMillis(1500))
                .maxPendingRequests(8)
                .outboundWaterMarks(1000, 2000)
                .maxOutboundBytes(5000)
                .maxConnections(10)
                .maxConnectionsPerIp(2)
                .duplicateLoginPolicy(DuplicateLoginPolicy.REJECT_NEW)
                .build();

        SessionOptions copy = custom.toBuilder().build();

        assertThat(copy).usingRecursiveComparison().isEqualTo(custom);
        assertThat(copy.toString()).isEqualTo(custom.toString());
        assertThat(copy.maxFrameLength()).isEqualTo(4096);
        assertThat(copy.duplicateLoginPolicy()).isEqualTo(DuplicateLoginPolicy.REJECT_NEW);
    }

    @Test
    void changingACopyLeavesTheOriginalUntouched() {
        SessionOptions original = SessionOptions.defaults();

        SessionOptions changed = original.toBuilder().maxPendingRequests(1).build();

        assertThat(changed.maxPendingRequests()).isEqualTo(1);
        assertThat(original.maxPendingRequests()).isEqualTo(64);
        assertThat(SessionOptions.defaults().maxPendingRequests()).isEqualTo(64);
    }

    @Test
    void resumeIsOnWithBoundedReplayByDefaultAndCanBeTurnedOff() {
        SessionOptions o = SessionOptions.defaults();
        assertThat(o.resumeWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.replayBufferPackets()).isEqualTo(1024);
        assertThat(o.replayBufferBytes()).isEqualTo(1024 * 1024);

        SessionOptions off = o.toBuilder().resumeWindow(Duration.ZERO).replayBuffer(16, 4096).build();

        assertThat(off.resumeWindow()).isZero();
        assertThat(off.replayBufferPackets()).isEqualTo(16);
        assertThat(off.replayBufferBytes()).isEqualTo(4096);
        assertThat(off.toBuilder().build()).usingRecursiveComparison().isEqualTo(off);
        assertThat(off.toString()).contains("resumeWindow=PT0S", "replayBufferPackets=16", "replayBufferBytes=4096");
    }

    @Test
    void resumeLimitsAreChecked() {
        SessionOptions.Builder b = SessionOptions.builder();
        assertThatThrownBy(() -> b.resumeWindow(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resumeWindow");
        assertThatThrownBy(() -> b.resumeWindow(Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resumeWindow");
        assertThatThrownBy(() -> b.resumeWindow(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.replayBuffer(0, 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replayBufferPackets");
        assertThatThrownBy(() -> b.replayBuffer(16, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replayBufferBytes");
    }
}
