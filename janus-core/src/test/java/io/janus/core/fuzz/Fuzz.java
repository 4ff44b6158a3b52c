package io.janus.core.fuzz;

import io.janus.testing.FuzzAllocator;
import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.lang.management.ManagementFactory;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * What every fuzz target of janus-core shares: the check that a failure is typed, the allocation meter,
 * the buffer shapes an input is fed in and hex. The regression seeds under
 * {@code src/test/resources/fuzz-seeds/<target>/} are read by {@link io.janus.testing.FuzzSeeds}.
 */
final class Fuzz {

    private static final HexFormat HEX = HexFormat.of();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Fuzz() {
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static byte[] unhex(String hex) {
        return HEX.parseHex(hex);
    }

    /** Thrown when a target misbehaves; names the input so that it can become a regression seed. */
    static AssertionError failure(String target, byte[] input, String what, Throwable cause) {
        AssertionError e = new AssertionError(target + ": " + what + "\n  input (" + input.length
                + " bytes; save as src/test/resources/fuzz-seeds/" + target + "/<name>.hex):\n  " + hex(input),
                cause);
        return e;
    }

    /**
     * Checks that {@code t} is, or wraps (Netty's {@code DecoderException}), a {@link ProtocolException}
     * with a 1xx reason from {@code allowed}, and returns that reason.
     */
    static Reason typed(String target, byte[] input, Throwable t, Set<Reason> allowed) {
        JanusException janus = JanusException.find(t);
        if (janus == null) {
            throw failure(target, input, "an untyped exception: " + t, t);
        }
        if (!(janus instanceof ProtocolException)) {
            throw failure(target, input, "a JanusException that is not a ProtocolException: " + janus, t);
        }
        Reason reason = janus.reason();
        if (reason == Reason.UNRECOGNIZED || reason.getNumber() < 100 || reason.getNumber() > 199) {
            throw failure(target, input, "a reason outside 1xx: " + janus, t);
        }
        if (!allowed.contains(reason)) {
            throw failure(target, input, "reason " + reason + " (expected one of " + allowed + "): " + janus, t);
        }
        outcome(reason.name());
        return reason;
    }

    private static String outcome = "";

    /** Notes what the last check ended with, for the property's statistics. */
    static void outcome(String what) {
        outcome = what;
    }

    /** What the last check ended with (a reason, or what was decoded); for {@code Statistics.collect}. */
    static String takeOutcome() {
        String out = outcome;
        outcome = "";
        return out;
    }

    static Set<Reason> reasons(Reason first, Reason... rest) {
        return EnumSet.of(first, rest);
    }

    /** Bytes the current thread has allocated on the Java heap so far. */
    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Fails when the thread allocated more than {@code bound} bytes since {@code before}: an allocation
     * sized from a declared length rather than from the bytes that arrived. Bounds are generous (PARANOID
     * leak records cost kilobytes each); they catch megabytes, not bytes.
     */
    static void allocatedAtMost(String target, byte[] input, long before, long bound) {
        long used = allocated() - before;
        if (used > bound) {
            throw failure(target, input, "allocated " + used + " bytes for an input of " + input.length
                    + " bytes (bound " + bound + ")", null);
        }
    }

    /**
     * The buffer shapes a decoder meets: a heap buffer whose readable bytes do not start at index 0 (a
     * slice of a cumulation), a direct buffer, and a composite of a heap and a direct component.
     */
    enum Shape { HEAP_AT_OFFSET, DIRECT, COMPOSITE }

    /** Feeds {@code input} in every {@link Shape}; see {@link #inShape}. */
    static void inEveryShape(FuzzAllocator alloc, byte[] input, Consumer<ByteBuf> use) {
        for (Shape shape : Shape.values()) {
            inShape(alloc, input, shape, use);
        }
    }

    /**
     * Feeds {@code input} in one buffer of the given shape, counted by {@code alloc} (not tracked by the
     * leak detector: the try owns it), and releases it after {@code use}, which must not release it.
     */
    static void inShape(FuzzAllocator alloc, byte[] input, Shape shape, Consumer<ByteBuf> use) {
        ByteBuf buf = buffer(alloc, input, shape);
        try {
            use.accept(buf);
        } finally {
            buf.release();
        }
    }

    /** A buffer of the given shape holding {@code input}; the caller releases it. */
    static ByteBuf buffer(FuzzAllocator alloc, byte[] input, Shape shape) {
        switch (shape) {
            case HEAP_AT_OFFSET: {
                ByteBuf heap = alloc.untrackedHeap(input.length + 7);
                heap.writeBytes(new byte[] {(byte) 0xA5, 0x5A, 0x01}).writeBytes(input)
                        .writeBytes(new byte[] {0x17, 0x18, 0x0F, 0x02});
                return heap.readerIndex(3).writerIndex(3 + input.length);
            }
            case DIRECT:
                return alloc.untrackedDirect(input.length).writeBytes(input);
            case COMPOSITE:
            default: {
                CompositeByteBuf composite = new CompositeByteBuf(alloc, false, 2);
                int half = input.length / 2;
                composite.addComponent(true, alloc.untrackedHeap(half).writeBytes(input, 0, half));
                composite.addComponent(true, alloc.untrackedDirect(input.length - half)
                        .writeBytes(input, half, input.length - half));
                return composite;
            }
        }
    }

    /** Any shape, for properties that feed one per try. */
    static Arbitrary<Shape> shapes() {
        return Arbitraries.of(Shape.values());
    }

    private static final Set<String> WARM = new HashSet<>();

    /**
     * Whether this is the first check of {@code target} in this JVM. The first run of a target loads
     * and initialises classes (protobuf descriptors, Netty pipelines), which allocates megabytes that have
     * nothing to do with the input; a check runs itself once unmeasured first.
     */
    static boolean firstRun(String target) {
        return WARM.add(target);
    }

    /**
     * Runs a check and fails when it allocated more than {@code bound} bytes of Java heap; the first
     * check of a target runs twice, the first time unmeasured (see {@link #firstRun}).
     */
    static void measured(String target, byte[] input, long bound, Runnable check) {
        if (firstRun(target)) {
            check.run();
        }
        long before = allocated();
        check.run();
        allocatedAtMost(target, input, before, bound);
    }

    /** Fails unless every buffer of {@code alloc} was released. */
    static void allReleased(String target, byte[] input, FuzzAllocator alloc) {
        if (alloc.live() != 0) {
            throw failure(target, input, alloc.live() + " bytes of buffers were not released", null);
        }
    }

    /** Random bytes, short ones more often: most decoders decide within the first bytes. */
    static Arbitrary<byte[]> randomBytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }
}
