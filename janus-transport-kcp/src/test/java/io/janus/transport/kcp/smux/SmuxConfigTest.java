package io.janus.transport.kcp.smux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings: xtaci/smux's defaults, validation at the boundary, and the client/version rule. */
class SmuxConfigTest {

    @Test
    void defaultsFollowXtaciSmuxAndKcptun() {
        SmuxConfig c = SmuxConfig.defaults();
        assertThat(c.version()).isEqualTo(1);
        assertThat(c.maxFrameSize()).isEqualTo(32_768);
        assertThat(c.receiveBuffer()).isEqualTo(4 * 1024 * 1024);
        assertThat(c.streamWindow()).isEqualTo(65_536);
        assertThat(c.keepAliveInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void outOfRangeSettingsAreRejectedWithTheExpectedRange() {
        assertThatThrownBy(() -> SmuxConfig.builder().version(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("version: 3 (expected: 0, 1 or 2)");
        assertThatThrownBy(() -> SmuxConfig.builder().maxFrameSize(65_536).build())
                .hasMessage("maxFrameSize: 65536 (expected: 1..65535)");
        assertThatThrownBy(() -> SmuxConfig.builder().maxStreams(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmuxConfig.builder().streamWindow(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmuxConfig.builder().receiveBuffer(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmuxConfig.builder().maxPendingWriteBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmuxConfig.builder().keepAliveInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmuxConfig.builder().keepAliveTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= keepAliveInterval");
        assertThatThrownBy(() -> SmuxConfig.builder().keepAliveInterval(null).build())
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void onlyServersMayAcceptTheClientsVersion() {
        SmuxConfig accept = SmuxConfig.builder().version(SmuxConfig.ACCEPT_CLIENT_VERSION).build();
        RecordingListener events = new RecordingListener();
        assertThatThrownBy(() -> SmuxSession.client(accept, ByteBufAllocator.DEFAULT, b -> b.release(), events, 0))
                .isInstanceOf(IllegalArgumentException.class);
        SmuxSession server = SmuxSession.server(accept, ByteBufAllocator.DEFAULT, b -> b.release(), events, 0);
        assertThat(server.version()).isZero();
        server.close();
    }
}
