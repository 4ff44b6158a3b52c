package io.janus.transport.kcp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Two {@link Kcp} engines back to back through an in-memory link that loses, delays (so reorders) and
 * duplicates datagrams, driven by a fake clock. Test code: its in-flight queue is bounded by what the
 * engines' windows let them send in one run, and {@link #run} is bounded in simulated time.
 */
final class LossyLink implements AutoCloseable {

    /** Counts every byte it hands out, so a test can prove that nothing leaked. */
    final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);
    final Kcp a;
    final Kcp b;
    final Random random;
    int lossPercent;
    int duplicatePercent;
    int maxDelay = 1;
    long now = 1_000;
    long datagrams;
    long lost;
    final List<String> errors = new ArrayList<>();

    private long order;
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>();

    private record InFlight(long at, long order, boolean toB, byte[] bytes) implements Comparable<InFlight> {
        @Override
        public int compareTo(InFlight o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }

    LossyLink(int conv, long seed) {
        random = new Random(seed);
        a = new Kcp(conv, (d, k) -> carry(d, true), alloc);
        b = new Kcp(conv, (d, k) -> carry(d, false), alloc);
    }

    private void carry(ByteBuf datagram, boolean toB) {
        byte[] bytes = ByteBufUtil.getBytes(datagram, datagram.readerIndex(), datagram.readableBytes());
        datagram.release();
        datagrams++;
        if (random.nextInt(100) < lossPercent) {
            lost++;
            return;
        }
        int copies = random.nextInt(100) < duplicatePercent ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            inFlight.add(new InFlight(now + 1 + random.nextInt(maxDelay), order++, toB, bytes));
        }
    }

    /** Delivers what is due and updates both engines, one simulated millisecond per step. */
    void step() {
        now++;
        while (!inFlight.isEmpty() && inFlight.peek().at <= now) {
            InFlight d = inFlight.poll();
            ByteBuf buf = alloc.heapBuffer(d.bytes.length).writeBytes(d.bytes);
            try {
                (d.toB ? b : a).input(buf);
            } catch (RuntimeException e) {
                errors.add(e.toString());
            } finally {
                buf.release();
            }
        }
        if (a.check(now) <= now) {
            a.update(now);
        }
        if (b.check(now) <= now) {
            b.update(now);
        }
    }

    /**
     * Steps until {@code done} holds or {@code maxMillis} of simulated time pass.
     *
     * @return whether {@code done} held
     */
    boolean run(long maxMillis, java.util.function.BooleanSupplier done) {
        long end = now + maxMillis;
        while (now < end) {
            step();
            if (done.getAsBoolean()) {
                return true;
            }
        }
        return false;
    }

    /** Bytes allocated by the engines and the link and not released yet. */
    long usedBytes() {
        return alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory();
    }

    @Override
    public void close() {
        a.close();
        b.close();
        inFlight.clear();
    }
}
