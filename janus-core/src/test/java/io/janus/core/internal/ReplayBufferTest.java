package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Numbering, acknowledgements, bounds and releases of the per-session replay buffer (docs/protocol.md, section 14). */
class ReplayBufferTest {

    private final List<ByteBuf> appended = new ArrayList<>();
    private ReplayBuffer buffer = new ReplayBuffer(4, 100);

    private ByteBuf packet(int size, int fill) {
        ByteBuf b = Unpooled.buffer(size);
        for (int i = 0; i < size; i++) {
            b.writeByte(fill);
        }
        appended.add(b);
        return b;
    }

    @AfterEach
    void released() {
        buffer.release();
        for (ByteBuf b : appended) {
            assertThat(b.refCnt()).as("every appended packet is released").isZero();
        }
    }

    @Test
    void packetsAreNumberedFromOneInOrder() {
        assertThat(buffer.append(packet(10, 1))).isEqualTo(1);
        assertThat(buffer.append(packet(10, 2))).isEqualTo(2);
        assertThat(buffer.append(packet(10, 3))).isEqualTo(3);
        assertThat(buffer.sent()).isEqualTo(3);
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.bytes()).isEqualTo(30);
    }

    @Test
    void anAckFreesThePacketsUpToIt() {
        buffer.append(packet(10, 1));
        buffer.append(packet(20, 2));
        buffer.append(packet(30, 3));

        buffer.ack(2);

        assertThat(appended.get(0).refCnt()).isZero();
        assertThat(appended.get(1).refCnt()).isZero();
        assertThat(appended.get(2).refCnt()).isOne();
        assertThat(buffer.acked()).isEqualTo(2);
        assertThat(buffer.size()).isEqualTo(1);
        assertThat(buffer.bytes()).isEqualTo(30);
        buffer.ack(0);
        buffer.ack(2);
        assertThat(buffer.acked()).as("0 and a repeated ack change nothing").isEqualTo(2);
    }

    @Test
    void anAckAboveWhatWasSentIsAProtocolViolation() {
        buffer.append(packet(10, 1));
        assertThatThrownBy(() -> buffer.ack(2)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_VIOLATION)).hasMessageContaining("above");
        assertThatThrownBy(() -> buffer.ack(-1)).as("an unsigned ack beyond 2^63")
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void anAckBelowAnEarlierAckIsAProtocolViolation() {
        buffer.append(packet(10, 1));
        buffer.append(packet(10, 2));
        buffer.ack(2);
        assertThatThrownBy(() -> buffer.ack(1)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_VIOLATION)).hasMessageContaining("below");
    }

    @Test
    void passingThePacketBoundReleasesEverything() {
        for (int i = 1; i <= 4; i++) {
            assertThat(buffer.append(packet(1, i))).isEqualTo(i);
        }
        assertThat(buffer.append(packet(1, 5))).isEqualTo(-1);
        assertThat(buffer.isReleased()).isTrue();
        for (ByteBuf b : appended) {
            assertThat(b.refCnt()).isZero();
        }
        assertThat(buffer.append(packet(1, 6))).as("after the overflow, appends are released").isZero();
    }

    @Test
    void passingTheByteBoundReleasesEverything() {
        assertThat(buffer.append(packet(60, 1))).isEqualTo(1);
        assertThat(buffer.append(packet(40, 2))).as("exactly at the bound").isEqualTo(2);
        buffer.ack(1);
        assertThat(buffer.append(packet(60, 3))).as("room again after an ack").isEqualTo(3);
        assertThat(buffer.append(packet(1, 4))).isEqualTo(-1);
        assertThat(buffer.isReleased()).isTrue();
    }

    @Test
    void replayHandsOutByteIdenticalCopiesOfWhatTheClientLacks() {
        buffer.append(packet(5, 1));
        buffer.append(packet(5, 2));
        buffer.append(packet(5, 3));

        assertThat(buffer.accepts(1)).isTrue();
        List<ByteBuf> replay = buffer.replayAfter(1);

        assertThat(replay).hasSize(2);
        assertThat(replay.get(0)).isEqualTo(appended.get(1));
        assertThat(replay.get(1)).isEqualTo(appended.get(2));
        assertThat(appended.get(0).refCnt()).as("the packet the client has is freed").isZero();
        replay.forEach(ByteBuf::release);
        assertThat(appended.get(1).refCnt()).as("still kept until acked").isOne();
    }

    @Test
    void aResumeCountOutsideAckedToSentIsNotAccepted() {
        buffer.append(packet(5, 1));
        buffer.append(packet(5, 2));
        buffer.ack(1);
        assertThat(buffer.accepts(0)).isFalse();
        assertThat(buffer.accepts(1)).isTrue();
        assertThat(buffer.accepts(2)).isTrue();
        assertThat(buffer.accepts(3)).isFalse();
    }

    @Test
    void copiesAfterANumberAreThePacketsNumberedAboveIt() {
        buffer.append(packet(3, 1));
        buffer.append(packet(3, 2));
        buffer.append(packet(3, 3));
        buffer.ack(1);

        List<byte[]> copies = buffer.copyAfter(2);

        assertThat(copies).hasSize(1);
        assertThat(copies.get(0)).containsExactly(3, 3, 3);
        assertThat(buffer.copyAfter(1)).hasSize(2);
        assertThat(buffer.size()).as("copying keeps the packets").isEqualTo(2);
    }

    @Test
    void aHandedOverBufferContinuesTheNumberingAndTheAcks() {
        buffer.release();
        List<ByteBuf> handed = List.of(packet(10, 8), packet(10, 9));
        buffer = ReplayBuffer.restore(4, 100, 9, 7, 5, new ArrayList<>(handed));

        assertThat(buffer.sent()).isEqualTo(9);
        assertThat(buffer.acked()).isEqualTo(7);
        assertThat(buffer.clientPackets()).isEqualTo(5);
        assertThat(buffer.bytes()).isEqualTo(20);
        assertThat(buffer.accepts(6)).as("below the handed-over ack").isFalse();
        assertThat(buffer.append(packet(10, 10))).isEqualTo(10);
        buffer.ack(8);
        assertThat(handed.get(0).refCnt()).isZero();
        assertThat(buffer.replayAfter(8)).hasSize(2).allSatisfy(ByteBuf::release);
    }

    @Test
    void aHandedOverStateWhoseCountsDoNotAddUpOrPassTheBoundsIsRefusedAndReleased() {
        List<ByteBuf> two = List.of(packet(10, 1), packet(10, 2));
        assertThatThrownBy(() -> ReplayBuffer.restore(4, 100, 5, 2, 0, new ArrayList<>(two)))
                .isInstanceOf(IllegalArgumentException.class);
        List<ByteBuf> large = List.of(packet(60, 3), packet(60, 4));
        assertThatThrownBy(() -> ReplayBuffer.restore(4, 100, 2, 0, 0, new ArrayList<>(large)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bounds");
        assertThat(two).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void aPacketUnacknowledgedPastTheMaxAgeReleasesEverythingAtTheNextAppend() {
        long second = 1_000_000_000L;
        assertThat(buffer.append(packet(5, 1), 0, 10 * second)).isEqualTo(1);
        assertThat(buffer.append(packet(5, 2), 9 * second, 10 * second)).isEqualTo(2);
        buffer.ack(1);
        assertThat(buffer.append(packet(5, 3), 18 * second, 10 * second))
                .as("the oldest kept packet is 9 s old").isEqualTo(3);
        assertThat(buffer.append(packet(5, 4), 20 * second, 0)).as("no bound while detached").isEqualTo(4);
        assertThat(buffer.append(packet(5, 5), 20 * second, 10 * second)).isEqualTo(ReplayBuffer.TOO_OLD);
        assertThat(buffer.isReleased()).isTrue();
    }

    @Test
    void aReplayStartsTheAcknowledgementClockAgain() {
        long second = 1_000_000_000L;
        long start = System.nanoTime() - 100 * second;
        buffer.append(packet(5, 1), start, 10 * second);
        buffer.replayAfter(0).forEach(ByteBuf::release);
        assertThat(buffer.append(packet(5, 2), System.nanoTime(), 10 * second))
                .as("the replayed packet was sent again just now").isEqualTo(2);
    }
}
