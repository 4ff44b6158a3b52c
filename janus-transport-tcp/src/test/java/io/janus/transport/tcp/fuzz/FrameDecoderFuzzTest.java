package io.janus.transport.tcp.fuzz;

import io.janus.testing.FuzzLifecycle;
import io.janus.testing.FuzzAllocator;
import io.janus.api.Reason;
import io.janus.core.transport.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes {@link FrameDecoder} (docs/protocol.md, section 2) on an {@link EmbeddedChannel}: any byte
 * stream, split into reads in any way, gives exactly the frames a model of section 2 reads from it, in
 * order, then at most one typed failure at the point the model fails: {@code FRAME_EMPTY} for a length of
 * 0, {@code FRAME_TOO_LARGE} for a length above the maximum (2^31 and above included), or
 * {@code FRAME_TRUNCATED} when the connection ends inside a frame; nothing after a failure. The bytes the
 * decoder holds never exceed twice a frame plus a read (the length is checked before anything is
 * allocated for it), and every buffer is released.
 *
 * <p>Input bytes: the stream; the property also picks the read sizes, the regression seeds are replayed
 * in one read, byte by byte, in reads of 2, 3, 5, 7 and 13 bytes, and split in two at every position.
 *
 * <p>Normal run: 100,000 tries. Long run (the -D reaches the test JVM through Surefire):
 * {@code mvn -B -pl janus-transport-tcp test -Dtest='io.janus.transport.tcp.fuzz.**'
 * -Djanus.fuzz.tries=10000000 -Dsurefire.failIfNoSpecifiedTests=false}. A failing stream is printed in
 * hex; keep it in {@code src/test/resources/fuzz-seeds/frame-decoder/} ({@link FuzzRegressionSeedsTest}
 * replays it).
 */
@AddLifecycleHook(FuzzLifecycle.class)
class FrameDecoderFuzzTest {

    static final String TARGET = "frame-decoder";
    /** Small, so that lengths around it are cheap to reach; the decoder treats every maximum alike. */
    static final int MAX = 1024;
    private static final int HEADER = FrameDecoder.HEADER_LENGTH;

    private static final FuzzAllocator ALLOC = new FuzzAllocator();

    @Property(tries = 100_000)
    void everyStreamGivesTheModelsFramesThenATypedFailure(@ForAll("streams") byte[] stream,
            @ForAll("reads") List<Integer> reads) {
        check(stream, reads);
        Statistics.collect(Fuzz.takeOutcome());
    }

    /**
     * Found by the property above: frames of 1,026 bytes read one byte, then 2,048 bytes, and so on.
     * Netty's merging cumulator grew its buffer in place, read bytes included, to 8 KiB while the decoder
     * needed at most about 3 KiB; FrameDecoder now drops read bytes before the buffer grows.
     */
    @Example
    void theCumulationDropsReadBytesBeforeItGrows() {
        byte[] stream = new byte[4 * (HEADER + 1022)];
        ByteBuffer frames = ByteBuffer.wrap(stream);
        for (int i = 0; i < 4; i++) {
            frames.putInt(1022).position(frames.position() + 1022);
        }
        check(stream, List.of(1, 2048));
    }

    /** What section 2 reads from a stream: its frames, and why it stops (null: it does not fail). */
    record Model(List<byte[]> frames, Reason failure, int failsAt) {

        static Model of(byte[] stream) {
            List<byte[]> frames = new ArrayList<>();
            ByteBuffer in = ByteBuffer.wrap(stream);
            while (in.remaining() >= HEADER) {
                int at = in.position();
                long length = in.getInt(at) & 0xFFFFFFFFL;
                if (length == 0) {
                    return new Model(frames, Reason.FRAME_EMPTY, at + HEADER);
                }
                if (length > MAX) {
                    return new Model(frames, Reason.FRAME_TOO_LARGE, at + HEADER);
                }
                if (in.remaining() < HEADER + length) {
                    break;
                }
                frames.add(Arrays.copyOfRange(stream, at + HEADER, at + HEADER + (int) length));
                in.position(at + HEADER + (int) length);
            }
            return in.hasRemaining() ? new Model(frames, Reason.FRAME_TRUNCATED, stream.length)
                    : new Model(frames, null, -1);
        }
    }

    /** The check of one stream, read in every way the regression seeds are replayed. */
    static void check(byte[] stream) {
        List<List<Integer>> ways = new ArrayList<>();
        ways.add(List.of(Math.max(1, stream.length)));
        for (int n : new int[] {1, 2, 3, 5, 7, 13}) {
            ways.add(List.of(n));
        }
        for (int split = 1; split < stream.length; split += stream.length <= 300 ? 1 : 37) {
            ways.add(List.of(split, stream.length - split));
        }
        for (List<Integer> reads : ways) {
            check(stream, reads);
        }
    }

    /** The check of one stream read in reads of the given sizes (repeated when the stream is longer). */
    static void check(byte[] stream, List<Integer> reads) {
        int largestRead = Math.min(stream.length, reads.stream().mapToInt(Integer::intValue).max().orElse(1));
        long bound = 1_000_000 + 4L * (HEADER + MAX + largestRead) + 16L * stream.length;
        try {
            Fuzz.measured(TARGET, stream, bound, () -> checkOnce(stream, reads, largestRead));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n  read sizes (repeated): " + reads, e.getCause());
        }
    }

    private static void checkOnce(byte[] stream, List<Integer> reads, int largestRead) {
        Model model = Model.of(stream);
        long held = 2L * (HEADER + MAX + largestRead) + 64;
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(ALLOC);
        List<byte[]> frames = new ArrayList<>();
        channel.pipeline().addLast(new FrameDecoder(MAX), new Consumer(frames));
        Reason failure = null;
        int failedFrom = -1;
        int failedAt = -1;
        boolean done = false;
        try {
            int pos = 0;
            for (int r = 0; pos < stream.length; r++) {
                int n = Math.min(stream.length - pos, Math.max(1, reads.get(r % reads.size())));
                ByteBuf read = ALLOC.untrackedHeap(n).writeBytes(stream, pos, n);
                pos += n;
                ALLOC.resetLargestRequest();
                try {
                    channel.writeInbound(read);
                } catch (Throwable t) {
                    Reason reason = Fuzz.typed(TARGET, stream, t);
                    if (failure != null) {
                        throw Fuzz.failure(TARGET, stream, "a second failure, " + reason + ", after " + failure, t);
                    }
                    failure = reason;
                    failedFrom = pos - n;
                    failedAt = pos;
                }
                if (ALLOC.live() > held + read.capacity() || ALLOC.largestRequest() > held) {
                    throw Fuzz.failure(TARGET, stream, "after " + pos + " bytes the decoder holds " + ALLOC.live()
                            + " bytes and asked for a buffer of " + ALLOC.largestRequest()
                            + " (bound: twice a header, a maximum frame and a read, " + held + ")", null);
                }
            }
            try {
                channel.finish();
            } catch (Throwable t) {
                Reason reason = Fuzz.typed(TARGET, stream, t);
                if (failure != null) {
                    throw Fuzz.failure(TARGET, stream, "a second failure at the end, " + reason + ", after " + failure, t);
                }
                failure = reason;
                failedAt = stream.length;
            }
            if (channel.readInbound() != null) {
                throw Fuzz.failure(TARGET, stream, "something other than a frame reached the end of the pipeline", null);
            }
            done = true;
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (Throwable t) {
                // After a failed check its own exception is the one to report; otherwise this is news.
                if (done) {
                    throw Fuzz.failure(TARGET, stream, "closing the channel threw " + t, t);
                }
            }
        }
        if (ALLOC.live() != 0) {
            throw Fuzz.failure(TARGET, stream, ALLOC.live() + " bytes of buffers were not released", null);
        }
        if (frames.size() != model.frames().size()) {
            throw Fuzz.failure(TARGET, stream, frames.size() + " frames (expected " + model.frames().size() + ")", null);
        }
        for (int i = 0; i < frames.size(); i++) {
            if (!Arrays.equals(frames.get(i), model.frames().get(i))) {
                throw Fuzz.failure(TARGET, stream, "frame " + i + " is " + Fuzz.hex(frames.get(i)) + " (expected "
                        + Fuzz.hex(model.frames().get(i)) + ")", null);
            }
        }
        if (failure != model.failure()) {
            throw Fuzz.failure(TARGET, stream, "failure " + failure + " (expected " + model.failure() + ")", null);
        }
        // The failure comes with the read that completes the bad header, not before, not later.
        if (failure != null && failure != Reason.FRAME_TRUNCATED
                && (model.failsAt() <= failedFrom || model.failsAt() > failedAt)) {
            throw Fuzz.failure(TARGET, stream, failure + " in the read of bytes " + failedFrom + " to " + failedAt
                    + "; the header ended at " + model.failsAt(), null);
        }
        Fuzz.outcome(failure == null ? frames.isEmpty() ? "no frame" : "frames" : failure.name());
    }

    /**
     * Takes each frame as it is emitted and releases it, as the session pipeline behind the decoder does:
     * frames held longer would keep the cumulation from being compacted, which is the holder's cost.
     */
    private static final class Consumer extends ChannelInboundHandlerAdapter {
        private final List<byte[]> frames;

        Consumer(List<byte[]> frames) {
            this.frames = frames;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf)) {
                ctx.fireChannelRead(msg);
                return;
            }
            ByteBuf frame = (ByteBuf) msg;
            frames.add(ByteBufUtil.getBytes(frame));
            frame.release();
        }
    }

    @Provide
    Arbitrary<List<Integer>> reads() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(List.of(Integer.MAX_VALUE))),
                Tuple.of(1, Arbitraries.just(List.of(1))),
                Tuple.of(4, Arbitraries.integers().between(1, 64).list().ofMinSize(1).ofMaxSize(6)),
                Tuple.of(2, Arbitraries.integers().between(1, 2 * MAX).list().ofMinSize(1).ofMaxSize(3)));
    }

    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<Long> declared = Arbitraries.frequencyOf(
                Tuple.of(24, Arbitraries.just(-1L)), // the body's own length
                Tuple.of(1, Arbitraries.of(0L, 1L, (long) MAX, MAX + 1L, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL)),
                Tuple.of(1, Arbitraries.longs().between(0, 0xFFFFFFFFL)));
        Arbitrary<byte[]> body = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40)),
                Tuple.of(1, Arbitraries.integers().between(MAX - 2, MAX).map(byte[]::new)));
        Arbitrary<byte[]> frame = Combinators.combine(declared, body).as((length, b) -> {
            ByteBuffer out = ByteBuffer.allocate(HEADER + b.length);
            out.putInt((int) (length < 0 ? b.length : length)).put(b);
            return out.array();
        });
        Arbitrary<byte[]> tails = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(new byte[0])),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(6)));
        Arbitrary<byte[]> frames = Combinators.combine(frame.list().ofMaxSize(5), tails).as((list, tail) -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    list.forEach(out::writeBytes);
                    out.writeBytes(tail);
                    return out.toByteArray();
                });
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
                Tuple.of(5, frames));
    }
}
