package io.janus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PacketLedgerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static Packet packet(int index, int bodyBytes) {
        return Packet.newBuilder().setModule(1).setSeq(1).setIndex(index)
                .setBody(ByteString.copyFrom(new byte[bodyBytes])).build();
    }

    @Test
    void countsGatewayPacketsAndAcksOnlyNews() {
        PacketLedger ledger = new PacketLedger(16, 1 << 20);
        assertThat(ledger.takeAck()).isZero(); // nothing received: no news

        ledger.onReceived(0);
        ledger.onReceived(0);

        assertThat(ledger.received()).isEqualTo(2);
        assertThat(ledger.takeAck()).isEqualTo(2);
        assertThat(ledger.takeAck()).as("no news since the last ack").isZero();
        ledger.onReceived(0);
        assertThat(ledger.takeAck()).isEqualTo(3);
    }

    @Test
    void anAckIsDueAfter32UnackedPackets() {
        PacketLedger ledger = new PacketLedger(16, 1 << 20);
        for (int i = 1; i < PacketLedger.ACK_EVERY; i++) {
            ledger.onReceived(0);
            assertThat(ledger.ackDue(0)).as("after %s packets", i).isFalse();
        }
        ledger.onReceived(0);

        assertThat(ledger.ackDue(0)).isTrue();
        ledger.takeAck();
        assertThat(ledger.ackDue(0)).isFalse();
    }

    @Test
    void anAckIsDueOneSecondAfterTheOldestUnackedPacket() {
        PacketLedger ledger = new PacketLedger(16, 1 << 20);
        assertThat(ledger.ackDeadlineNanos()).isEqualTo(-1);

        ledger.onReceived(100 * MS);
        ledger.onReceived(900 * MS); // a later packet does not move the deadline

        assertThat(ledger.ackDeadlineNanos()).isEqualTo(1100 * MS);
        assertThat(ledger.ackDue(1099 * MS)).isFalse();
        assertThat(ledger.ackDue(1100 * MS)).isTrue();
        ledger.takeAck();
        assertThat(ledger.ackDeadlineNanos()).isEqualTo(-1);
        ledger.onReceived(2000 * MS); // the next unacked packet starts a new clock
        assertThat(ledger.ackDeadlineNanos()).isEqualTo(3000 * MS);
    }

    @Test
    void aResumeCountsAsAnAck() {
        PacketLedger ledger = new PacketLedger(16, 1 << 20);
        ledger.onReceived(0);
        ledger.onReceived(0);

        ledger.ackedByResume(ledger.received());

        assertThat(ledger.takeAck()).isZero();
        assertThat(ledger.ackDue(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void numbersClientPacketsAndFreesThemWhenConfirmed() {
        PacketLedger ledger = new PacketLedger(16, 1 << 20);
        assertThat(ledger.record(packet(1, 10))).isEqualTo(1);
        assertThat(ledger.record(packet(0, 10))).isEqualTo(2);
        assertThat(ledger.record(packet(2, 10))).isEqualTo(3);

        ledger.confirm(2); // the answer to packet 2 proves 1 and 2 were processed

        assertThat(ledger.confirmed()).isEqualTo(2);
        assertThat(ledger.keptPackets()).isEqualTo(1);
        assertThat(ledger.keptBytes()).isEqualTo(packet(2, 10).getSerializedSize());
        ledger.confirm(1); // an older answer arriving late changes nothing
        assertThat(ledger.keptPackets()).isEqualTo(1);
    }

    @Test
    void aResumeReturnsExactlyThePacketsTheGatewayDidNotProcessInOrder() {
        PacketLedger ledger = new PacketLedger(16, 1 << 20);
        for (int i = 1; i <= 5; i++) {
            ledger.record(packet(i, i));
        }
        ledger.confirm(1);

        List<Packet> resend = ledger.resumeFrom(3);

        assertThat(resend).extracting(Packet::getIndex).containsExactly(4, 5);
        assertThat(ledger.confirmed()).isEqualTo(3);
        assertThat(ledger.resumeFrom(5)).isEmpty();
        assertThat(ledger.keptBytes()).isZero();
    }

    @Test
    void aResumeCountOutsideWhatWasSentAndConfirmedIsAProtocolViolation() {
        PacketLedger ledger = new PacketLedger(16, 1 << 20);
        ledger.record(packet(1, 1));
        ledger.record(packet(2, 1));
        ledger.confirm(1);

        assertThatThrownBy(() -> ledger.resumeFrom(0)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_VIOLATION));
        assertThatThrownBy(() -> ledger.resumeFrom(3)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_VIOLATION));
        assertThatThrownBy(() -> ledger.confirm(3)).isInstanceOf(ProtocolException.class);
        assertThat(ledger.keptPackets()).as("nothing freed by a bad count").isEqualTo(1);
    }

    @Test
    void packetsPastTheBoundAreNumberedAndSentButNotKeptUntilTheGatewayConfirmsPastThem() {
        PacketLedger ledger = new PacketLedger(4, 1 << 20);
        for (int i = 1; i <= 4; i++) {
            assertThat(ledger.hasRoom(10)).isTrue();
            ledger.record(packet(i, 1));
            assertThat(ledger.lastKept()).isTrue();
        }
        assertThat(ledger.halfFull()).isTrue();
        assertThat(ledger.hasRoom(10)).isFalse();

        assertThat(ledger.record(packet(5, 1))).isEqualTo(5);
        assertThat(ledger.record(packet(6, 1))).isEqualTo(6);

        assertThat(ledger.lastKept()).isFalse();
        assertThat(ledger.keptPackets()).as("the bound holds").isEqualTo(4);
        assertThat(ledger.canResend()).isFalse();
        ledger.confirm(5);
        assertThat(ledger.canResend()).as("6 is still unconfirmed and not kept").isFalse();
        ledger.confirm(6);
        assertThat(ledger.canResend()).isTrue();
        assertThat(ledger.keptPackets()).isZero();
        ledger.record(packet(7, 1));
        assertThat(ledger.lastKept()).isTrue();
        assertThat(ledger.resumeFrom(6)).extracting(Packet::getIndex).containsExactly(7);
    }

    @Test
    void aResumeThatWouldNeedAPacketThatWasNotKeptIsAReplayOverflow() {
        PacketLedger byBytes = new PacketLedger(1000, 100);
        byBytes.record(packet(1, 60));
        assertThat(byBytes.halfFull()).isTrue();
        byBytes.record(packet(2, 60)); // does not fit: sent without a copy
        byBytes.record(packet(3, 10));

        assertThat(byBytes.lastKept()).isTrue();
        assertThatThrownBy(() -> byBytes.resumeFrom(1)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.REPLAY_OVERFLOW));
        // Had the gateway processed 2, what follows could be resent.
        assertThat(byBytes.resumeFrom(2)).extracting(Packet::getIndex).containsExactly(3);
    }
}
