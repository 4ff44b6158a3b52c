package io.janus.bench;

import io.janus.core.transport.FrameDecoder;
import io.janus.core.transport.StreamFraming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * CPU time of the stream framing every TCP (and smux) session runs (docs/protocol.md, "Framing over
 * TCP"): the pipeline {@link StreamFraming} installs, in an {@link EmbeddedChannel}, for a 64-byte and a
 * 1 KiB frame body.
 *
 * <p>{@link #decode}: one length-prefixed frame arrives as one read and leaves {@link FrameDecoder} as a
 * retained slice; {@link #encode}: one body is written and leaves as the 4-byte header plus the body.
 * Baseline in the same run: {@link #copy}, copying the same bytes into a new buffer of the same allocator.
 * The figures include the cost of the embedded pipeline's hand-offs (a few tens of ns), not of a socket.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = "-Dio.netty.leakDetection.level=DISABLED")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameCodecBenchmark {

    /** Frame body bytes. */
    @Param({"64", "1024"})
    public int size;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private EmbeddedChannel channel;
    private ByteBuf framed;
    private ByteBuf body;

    /** Builds the channel and one framed and one unframed message. */
    @Setup
    public void setUp() {
        channel = new EmbeddedChannel();
        StreamFraming.install(channel.pipeline(), 64 * 1024);
        body = alloc.ioBuffer(size).writeZero(size);
        framed = alloc.ioBuffer(FrameDecoder.HEADER_LENGTH + size).writeInt(size).writeZero(size);
    }

    /** Releases everything. */
    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        body.release();
        framed.release();
    }

    /**
     * Decodes one frame.
     *
     * @return the body's length
     */
    @Benchmark
    public int decode() {
        channel.writeInbound(framed.retainedDuplicate());
        ByteBuf frame = channel.readInbound();
        int length = frame.readableBytes();
        frame.release();
        return length;
    }

    /**
     * Encodes one frame.
     *
     * @return the bytes written
     */
    @Benchmark
    public int encode() {
        channel.writeOutbound(body.retainedDuplicate());
        int length = 0;
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            length += out.readableBytes();
            out.release();
        }
        return length;
    }

    /**
     * Baseline: copies the body into a new buffer.
     *
     * @return the copy's length
     */
    @Benchmark
    public int copy() {
        ByteBuf copy = alloc.ioBuffer(size);
        copy.writeBytes(body, body.readerIndex(), size);
        int length = copy.readableBytes();
        copy.release();
        return length;
    }
}
