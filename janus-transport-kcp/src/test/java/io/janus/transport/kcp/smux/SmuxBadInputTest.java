package io.janus.transport.kcp.smux;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile or broken peers, fed as raw bytes to a server session: each refusal carries its reason code
 * to the listener and to {@link SmuxStats}, and nothing leaks.
 */
class SmuxBadInputTest {

    private static final HexFormat HEX = HexFormat.of();

    private final List<ByteBuf> sent = new ArrayList<>();
    private final RecordingListener events = new RecordingListener();
    private SmuxSession server;

    private void start(SmuxConfig config) {
        server = SmuxSession.server(config, ByteBufAllocator.DEFAULT, sent::add, events, 0);
        events.session = server;
    }

    @AfterEach
    void release() {
        if (server != null) {
            server.close();
        }
        sent.forEach(ByteBuf::release);
    }

    private void feed(String hex) {
        byte[] b = HEX.parseHex(hex.replace(" ", ""));
        server.onBytes(ByteBufAllocator.DEFAULT.buffer(b.length).writeBytes(b));
    }

    private static String header(int version, int cmd, int length, int sid) {
        ByteBuf b = ByteBufAllocator.DEFAULT.buffer(8);
        try {
            SmuxFrame.writeHeader(b, version, cmd, length, sid);
            return io.netty.buffer.ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    private void assertFailed(Reason reason) {
        assertThat(events.failure).as("session failure").isNotNull();
        assertThat(events.failure.reason()).isEqualTo(reason);
        assertThat(server.isClosed()).isTrue();
        assertThat(server.stats().failure()).isEqualTo(reason);
        assertThat(server.streamCount()).isZero();
    }

    @Test
    void pshForAStreamNeverOpenedFailsTheSession() {
        start(SmuxConfig.defaults());
        feed(header(1, SmuxFrame.CMD_SYN, 0, 3));
        feed(header(1, SmuxFrame.CMD_PSH, 2, 7) + "abcd");
        assertFailed(Reason.SMUX_UNKNOWN_STREAM);
        assertThat(events.failure).hasMessageContaining("stream 7, which was never opened");
    }

    @Test
    void framesForAStreamOfTheServersOwnParityItNeverOpenedFailTheSession() {
        start(SmuxConfig.builder().version(2).build());
        feed(header(2, SmuxFrame.CMD_UPD, 8, 2) + "0000000000000100");
        assertFailed(Reason.SMUX_UNKNOWN_STREAM);
    }

    @Test
    void frameForStreamZeroFailsTheSession() {
        start(SmuxConfig.defaults());
        feed(header(1, SmuxFrame.CMD_FIN, 0, 0));
        assertFailed(Reason.SMUX_UNKNOWN_STREAM);
    }

    @Test
    void framesForARecentlyClosedStreamAreDroppedAndCounted() {
        start(SmuxConfig.defaults());
        feed(header(1, SmuxFrame.CMD_SYN, 0, 3));
        server.closeStream(3);
        // The peer had not yet read our FIN: its data and its own FIN still arrive.
        feed(header(1, SmuxFrame.CMD_PSH, 3, 3) + "616263" + header(1, SmuxFrame.CMD_FIN, 0, 3));
        assertThat(server.isClosed()).isFalse();
        assertThat(server.stats().framesForClosedStreams()).isEqualTo(2);
        assertThat(server.stats().bytesForClosedStreams()).isEqualTo(3);
        assertThat(events.data).isEmpty();
    }

    @Test
    void synWithTheWrongParityFailsTheSession() {
        start(SmuxConfig.defaults());
        feed(header(1, SmuxFrame.CMD_SYN, 0, 4));
        assertFailed(Reason.SMUX_BAD_STREAM_ID);
        assertThat(events.failure).hasMessageContaining("expected: a nonzero odd id");
    }

    @Test
    void synForStreamZeroFailsTheSession() {
        start(SmuxConfig.defaults());
        feed(header(1, SmuxFrame.CMD_SYN, 0, 0));
        assertFailed(Reason.SMUX_BAD_STREAM_ID);
    }

    @Test
    void synForAnOpenStreamFailsTheSession() {
        start(SmuxConfig.defaults());
        feed(header(1, SmuxFrame.CMD_SYN, 0, 5) + header(1, SmuxFrame.CMD_SYN, 0, 5));
        assertFailed(Reason.SMUX_BAD_STREAM_ID);
        assertThat(events.failure).hasMessageContaining("already open");
    }

    @Test
    void synsOutOfIdOrderAreAcceptedAsXtaciMaySendThem() {
        start(SmuxConfig.defaults());
        feed(header(1, SmuxFrame.CMD_SYN, 0, 7) + header(1, SmuxFrame.CMD_SYN, 0, 5));
        assertThat(events.opened).containsExactly(7, 5);
        assertThat(server.isClosed()).isFalse();
    }

    @Test
    void tooManyStreamsAreRefusedWithAReasonAndAFin() {
        start(SmuxConfig.builder().maxStreams(1).build());
        feed(header(1, SmuxFrame.CMD_SYN, 0, 3) + header(1, SmuxFrame.CMD_SYN, 0, 5));
        assertThat(events.opened).containsExactly(3);
        assertThat(events.refused).containsExactly(5);
        assertThat(events.refusals.get(0).reason()).isEqualTo(Reason.SMUX_TOO_MANY_STREAMS);
        assertThat(server.stats().streamsRefused()).isEqualTo(1);
        assertThat(io.netty.buffer.ByteBufUtil.hexDump(sent.get(0))).isEqualTo(header(1, SmuxFrame.CMD_FIN, 0, 5));
    }

    @Test
    void version2PeerSendingBeyondItsWindowFailsTheSession() {
        start(SmuxConfig.builder().version(2).maxFrameSize(65_535).build());
        events.autoConsume = false;
        feed(header(2, SmuxFrame.CMD_SYN, 0, 3));
        // 262144 bytes are allowed before the first UPD: four frames of 65535 and one of 4.
        for (int i = 0; i < 4; i++) {
            feed(header(2, SmuxFrame.CMD_PSH, 65_535, 3) + "00".repeat(65_535));
        }
        feed(header(2, SmuxFrame.CMD_PSH, 4, 3) + "00000000");
        assertThat(server.isClosed()).isFalse();
        feed(header(2, SmuxFrame.CMD_PSH, 1, 3) + "00");
        assertFailed(Reason.SMUX_FLOW_CONTROL_VIOLATION);
    }

    @Test
    void version1PeerFloodingPastTwiceTheReceiveBufferFailsTheSession() {
        start(SmuxConfig.builder().receiveBuffer(1000).build());
        events.autoConsume = false;
        feed(header(1, SmuxFrame.CMD_SYN, 0, 3));
        feed(header(1, SmuxFrame.CMD_PSH, 1000, 3) + "00".repeat(1000));
        assertThat(events.pauses).containsExactly(true);
        feed(header(1, SmuxFrame.CMD_PSH, 1000, 3) + "00".repeat(1000));
        assertThat(server.isClosed()).isFalse();
        feed(header(1, SmuxFrame.CMD_PSH, 1, 3) + "00");
        assertFailed(Reason.SMUX_FLOW_CONTROL_VIOLATION);
    }

    @Test
    void updAcknowledgingMoreThanWasSentFailsTheSession() {
        start(SmuxConfig.builder().version(2).build());
        feed(header(2, SmuxFrame.CMD_SYN, 0, 3));
        server.write(3, ByteBufAllocator.DEFAULT.buffer().writeZero(10));
        feed(header(2, SmuxFrame.CMD_UPD, 8, 3) + "0b000000" + "00000100");
        assertFailed(Reason.SMUX_BAD_WINDOW_UPDATE);
    }

    @Test
    void headerErrorsReachTheListenerAndStats() {
        start(SmuxConfig.builder().version(SmuxConfig.ACCEPT_CLIENT_VERSION).build());
        feed("0903000000000000");
        assertFailed(Reason.SMUX_BAD_VERSION);
    }

    @Test
    void versionChangeWithinASessionFailsIt() {
        start(SmuxConfig.builder().version(SmuxConfig.ACCEPT_CLIENT_VERSION).build());
        feed(header(2, SmuxFrame.CMD_NOP, 0, 0) + header(1, SmuxFrame.CMD_NOP, 0, 0));
        assertFailed(Reason.SMUX_BAD_VERSION);
    }

    @Test
    void dataPendingInAFailedSessionIsReleased() {
        start(SmuxConfig.builder().version(2).build());
        events.autoConsume = false;
        // A valid stream with queued writes and an incomplete frame held by the decoder, then garbage.
        feed(header(2, SmuxFrame.CMD_SYN, 0, 3));
        server.write(3, ByteBufAllocator.DEFAULT.buffer().writeZero(SmuxConfig.INITIAL_PEER_WINDOW + 10));
        feed(header(2, SmuxFrame.CMD_PSH, 100, 3) + "0000");
        feed("00".repeat(98) + "ff00000000000000");
        assertFailed(Reason.SMUX_BAD_VERSION);
        assertThat(events.received(3)).hasSize(100);
        // LeakDetectionExtension (PARANOID) fails this test if the queued write or held bytes leaked.
    }
}
