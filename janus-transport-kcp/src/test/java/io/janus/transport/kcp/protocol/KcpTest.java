package io.janus.transport.kcp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The KCP engine on its own: windows, fast retransmit, dead links and malformed segments. */
class KcpTest {

    private static final int CONV = 0x0102_0304;

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);
    private final List<ByteBuf> fromA = new ArrayList<>();
    private final List<ByteBuf> fromB = new ArrayList<>();
    private final Kcp a = new Kcp(CONV, (d, k) -> fromA.add(d), alloc);
    private final Kcp b = new Kcp(CONV, (d, k) -> fromB.add(d), alloc);

    @AfterEach
    void releaseEverything() {
        a.close();
        b.close();
        fromA.forEach(ByteBuf::release);
        fromB.forEach(ByteBuf::release);
        assertThat(alloc.metric().usedHeapMemory()).isZero();
    }

    /** A segment header as seen on the wire. */
    private record Header(int conv, int cmd, int frg, int wnd, int ts, int sn, int una, long len) {
    }

    private static List<Header> headers(ByteBuf datagram) {
        List<Header> out = new ArrayList<>();
        ByteBuf d = datagram.duplicate();
        while (d.readableBytes() >= Kcp.OVERHEAD) {
            Header h = new Header(d.readIntLE(), d.readUnsignedByte(), d.readUnsignedByte(), d.readUnsignedShortLE(),
                    d.readIntLE(), d.readIntLE(), d.readIntLE(), d.readUnsignedIntLE());
            d.skipBytes((int) h.len());
            out.add(h);
        }
        return out;
    }

    private static List<Header> pushes(List<ByteBuf> datagrams) {
        List<Header> out = new ArrayList<>();
        datagrams.forEach(d -> headers(d).stream().filter(h -> h.cmd() == Kcp.CMD_PUSH).forEach(out::add));
        return out;
    }

    /** Hands every captured datagram to {@code to} and releases it. */
    private static void deliver(List<ByteBuf> datagrams, Kcp to) {
        for (ByteBuf d : datagrams) {
            try {
                to.input(d);
            } finally {
                d.release();
            }
        }
        datagrams.clear();
    }

    private static ByteBuf bytes(int n, int fill) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) fill);
        return Unpooled.wrappedBuffer(b);
    }

    @Test
    void headerIsLittleEndianAsInTheSpecification() {
        a.setNoDelay(1, 10, 0, 1);
        a.send(Unpooled.wrappedBuffer(new byte[] {7, 8, 9}));
        a.update(1000);

        ByteBuf d = fromA.get(0);
        assertThat(ByteBufUtil.hexDump(d, 0, 8)).isEqualTo("04030201" + "51" + "00" + "2000");
        Header h = headers(d).get(0);
        assertThat(h).isEqualTo(new Header(CONV, Kcp.CMD_PUSH, 0, 32, 1000, 0, 0, 3));
        assertThat(d.readableBytes()).isEqualTo(Kcp.OVERHEAD + 3);
    }

    @Test
    void largeMessageIsFragmentedAndReassembled() {
        for (Kcp k : List.of(a, b)) {
            k.setNoDelay(1, 10, 2, 1).setMtu(200);
        }
        ByteBuf message = Unpooled.wrappedBuffer(new byte[1000]);
        for (int i = 0; i < 1000; i++) {
            message.setByte(i, i);
        }
        assertThat(a.send(message.duplicate())).isTrue();
        a.update(1000);

        List<Header> segs = pushes(fromA);
        assertThat(segs).extracting(Header::frg).containsExactly(5, 4, 3, 2, 1, 0);
        assertThat(fromA).allMatch(d -> d.readableBytes() <= 200);
        b.update(1000);
        deliver(fromA, b);
        ByteBuf got = b.receive();
        assertThat(ByteBufUtil.equals(got, message)).isTrue();
        got.release();
        assertThat(b.receive()).isNull();
    }

    @Test
    void streamModePacksBytesIntoFullSegments() {
        a.setNoDelay(1, 10, 2, 1).setMtu(124).setStreamMode(true);
        for (int i = 0; i < 10; i++) {
            assertThat(a.send(bytes(30, i))).isTrue();
        }
        a.update(1000);

        assertThat(pushes(fromA)).extracting(Header::len).containsExactly(100L, 100L, 100L);
        assertThat(pushes(fromA)).extracting(Header::frg).containsOnly(0);
    }

    @Test
    void sendQueueRefusesBytesAtItsLimit() {
        a.setWindowSize(4, 32).setSendQueueLimit(6);
        int taken = 0;
        for (int i = 0; i < 100 && a.send(bytes(1, i)); i++) {
            taken++;
        }
        assertThat(taken).isEqualTo(6);
        ByteBuf refused = bytes(10, 0);
        assertThat(a.send(refused)).isFalse();
        assertThat(refused.readableBytes()).isEqualTo(10);
        assertThat(a.waitSnd()).isEqualTo(6);
    }

    @Test
    void sendWindowBoundsSegmentsInFlight() {
        a.setNoDelay(1, 10, 2, 1).setWindowSize(4, 32).setSendQueueLimit(100);
        for (int i = 0; i < 20; i++) {
            a.send(bytes(10, i));
        }
        a.update(1000);
        a.update(1011);

        assertThat(pushes(fromA)).extracting(Header::sn).containsExactly(0, 1, 2, 3);
        assertThat(a.waitSnd()).isEqualTo(20);
    }

    @Test
    void fullReceiveWindowStopsTheSenderUntilTheReaderCatchesUp() {
        for (Kcp k : List.of(a, b)) {
            k.setNoDelay(1, 10, 2, 1).setWindowSize(128, 32).setSendQueueLimit(256);
        }
        for (int i = 0; i < 100; i++) {
            a.send(bytes(10, i));
        }
        long now = 1000;
        for (int round = 0; round < 50; round++, now += 10) {
            a.update(now);
            deliver(fromA, b);
            b.update(now);
            deliver(fromB, a);
        }
        // b's reader never read: b holds exactly its window, and a holds the rest.
        assertThat(b.pendingReceive()).isEqualTo(32);
        assertThat(a.waitSnd()).isEqualTo(68);

        int read = 0;
        for (int round = 0; round < 200 && read < 100; round++, now += 10) {
            for (ByteBuf m = b.receive(); m != null; m = b.receive()) {
                assertThat(m.getByte(0)).isEqualTo((byte) read);
                m.release();
                read++;
            }
            a.update(now);
            deliver(fromA, b);
            b.update(now);
            deliver(fromB, a);
        }
        assertThat(read).isEqualTo(100);
        assertThat(a.waitSnd()).isZero();
    }

    @Test
    void lostSegmentIsRetransmittedEarlyAfterTwoLaterAcks() {
        for (Kcp k : List.of(a, b)) {
            k.setNoDelay(1, 10, 2, 1).setMtu(100);
        }
        for (int i = 0; i < 4; i++) {
            a.send(bytes(a.mss(), i)); // one segment, one datagram each
        }
        a.update(1000);
        b.update(1000);
        assertThat(fromA).hasSize(4);
        fromA.remove(0).release(); // sn 0 is lost

        long now = 1000;
        for (ByteBuf d : new ArrayList<>(fromA)) {
            fromA.remove(d);
            b.input(d);
            d.release();
            now += 1;
            b.flush();
            deliver(fromB, a); // one ACK datagram per later segment
        }
        fromA.forEach(ByteBuf::release);
        fromA.clear();
        a.update(now + 10); // long before sn 0's retransmission timeout of at least 30 ms

        assertThat(a.fastRetransmits()).isEqualTo(1);
        assertThat(a.retransmits()).isZero();
        assertThat(pushes(fromA)).extracting(Header::sn).containsExactly(0);
    }

    @Test
    void segmentNeverAcknowledgedMarksTheLinkDead() {
        a.setNoDelay(1, 10, 0, 1).setDeadLink(5);
        a.send(bytes(10, 1));
        long now = 1000;
        for (int i = 0; i < 10_000 && !a.isDead(); i++, now += 10) {
            a.update(now);
            fromA.forEach(ByteBuf::release);
            fromA.clear();
        }
        assertThat(a.isDead()).isTrue();
        assertThat(a.retransmits()).isEqualTo(4);
    }

    private static ByteBuf segment(int conv, int cmd, int sn, long len, int bodyBytes) {
        ByteBuf d = Unpooled.buffer();
        d.writeIntLE(conv).writeByte(cmd).writeByte(0).writeShortLE(32).writeIntLE(0).writeIntLE(sn).writeIntLE(0)
                .writeIntLE((int) len).writeZero(bodyBytes);
        return d;
    }

    private void assertRefused(ByteBuf datagram, Reason reason, String message) {
        try {
            assertThatThrownBy(() -> b.input(datagram)).isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.reason()).isEqualTo(reason);
                assertThat(e.getMessage()).contains(message);
            });
        } finally {
            datagram.release();
        }
    }

    @Test
    void malformedSegmentsAreRefusedWithTheirReasonAndCounted() {
        b.update(1000);
        assertRefused(Unpooled.wrappedBuffer(new byte[23]), Reason.KCP_MALFORMED_SEGMENT,
                "datagram of 23 bytes");
        assertRefused(segment(CONV, Kcp.CMD_PUSH, 0, 0xFFFF_FFFFL, 10), Reason.KCP_MALFORMED_SEGMENT,
                "segment length 4294967295 exceeds the 10 bytes left");
        assertRefused(segment(CONV, 99, 0, 0, 0), Reason.KCP_UNKNOWN_COMMAND, "segment command 99");
        assertRefused(segment(CONV + 1, Kcp.CMD_PUSH, 0, 0, 0), Reason.KCP_CONV_MISMATCH,
                "(expected: 16909060)");
        assertThat(b.inputErrors()).isEqualTo(4);
        assertThat(b.pendingReceive()).isZero();

        // The engine is intact: a good segment is still delivered.
        ByteBuf good = segment(CONV, Kcp.CMD_PUSH, 0, 3, 3);
        b.input(good);
        good.release();
        ByteBuf got = b.receive();
        assertThat(got.readableBytes()).isEqualTo(3);
        got.release();
    }

    @Test
    void acknowledgementsAreBoundedBetweenFlushes() {
        b.update(1000);
        int sent = b.ackCapacity() + 50;
        for (int i = 0; i < sent; i++) {
            ByteBuf dup = segment(CONV, Kcp.CMD_PUSH, 0, 1, 1); // the same segment over and over
            b.input(dup);
            dup.release();
        }
        assertThat(b.droppedAcks()).isEqualTo(50);
        assertThat(b.pendingReceive()).isEqualTo(1);
    }

    @Test
    void checkSaysWhenTheNextUpdateIsDue() {
        a.setNoDelay(1, 20, 2, 1);
        assertThat(a.check(500)).isEqualTo(500);
        a.update(1000);
        assertThat(a.check(1000)).isEqualTo(1020);
        assertThat(a.check(1015)).isEqualTo(1020);
        assertThat(a.check(1020)).isEqualTo(1020);
    }
}
