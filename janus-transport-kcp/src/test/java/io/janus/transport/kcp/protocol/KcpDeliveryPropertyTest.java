package io.janus.transport.kcp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever the link loses, duplicates or reorders (within what ARQ can repair), two engines deliver every
 * message exactly once and in order, and release every buffer afterwards.
 */
class KcpDeliveryPropertyTest {

    private static final int MESSAGES = 120;

    @Property(tries = 40)
    void everythingIsDeliveredExactlyOnceInOrder(@ForAll @IntRange(min = 0, max = 30) int lossPercent,
            @ForAll @IntRange(min = 0, max = 20) int duplicatePercent,
            @ForAll @IntRange(min = 1, max = 40) int maxDelay,
            @ForAll boolean streamMode, @ForAll long seed) {
        Random sizes = new Random(seed);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            byte[] m = new byte[1 + sizes.nextInt(3000)];
            sizes.nextBytes(m);
            sent.add(m);
        }
        try (LossyLink link = new LossyLink(0x1234_5678, seed)) {
            link.lossPercent = lossPercent;
            link.duplicatePercent = duplicatePercent;
            link.maxDelay = maxDelay;
            for (Kcp k : List.of(link.a, link.b)) {
                k.setNoDelay(0, 30, 2, 1).setWindowSize(64, 64).setMtu(1350).setStreamMode(streamMode);
            }
            List<byte[]> received = new ArrayList<>();
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            int[] next = {0};
            long total = sent.stream().mapToLong(m -> m.length).sum();
            boolean done = link.run(300_000, () -> {
                while (next[0] < MESSAGES) {
                    ByteBuf m = Unpooled.wrappedBuffer(sent.get(next[0]));
                    if (!link.a.send(m)) {
                        break;
                    }
                    assertThat(m.isReadable()).isFalse();
                    next[0]++;
                }
                for (ByteBuf m = link.b.receive(); m != null; m = link.b.receive()) {
                    byte[] bytes = ByteBufUtil.getBytes(m);
                    m.release();
                    received.add(bytes);
                    streamed.writeBytes(bytes);
                }
                return streamMode ? streamed.size() >= total : received.size() >= MESSAGES;
            });

            assertThat(link.errors).isEmpty();
            assertThat(done).as("delivered within the simulated time, lost %s of %s datagrams", link.lost,
                    link.datagrams).isTrue();
            if (streamMode) {
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                sent.forEach(expected::writeBytes);
                assertThat(streamed.toByteArray()).isEqualTo(expected.toByteArray());
            } else {
                assertThat(received).hasSize(MESSAGES);
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(received.get(i)).isEqualTo(sent.get(i));
                }
            }
            link.close();
            assertThat(link.usedBytes()).isZero();
        }
    }
}
