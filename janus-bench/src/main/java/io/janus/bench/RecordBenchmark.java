package io.janus.bench;

import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.security.SecureRandom;
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
 * CPU time to protect one record (docs/protocol.md, section 6) with {@link TrafficCipher}: AES-256-GCM
 * through the JDK, into a buffer of the default (pooled) Netty allocator, for a 64-byte and a 1 KiB
 * plaintext.
 *
 * <p>{@link #seal} seals one record; {@link #sealAndOpen} seals one record and opens it with the peer's
 * cipher, kept in lockstep so the implicit counters match. The cost of opening is the difference of the
 * two: opening needs a record sealed under the very next counter, so it cannot be timed alone without
 * per-invocation setup, which JMH cannot time at this scale.
 *
 * <p>The same-run baseline is {@link #copy}: copying the same plaintext into a new buffer from the same
 * allocator, the floor of any transformation that produces a new buffer of the bytes.
 *
 * <p>The ciphers are created once per trial. After {@link TrafficCipher#DEFAULT_UPDATE_INTERVAL}
 * records the sealer sends a key update, which the opener applies, as a session does; that costs a
 * few microseconds once per 2^23 records. Every buffer is released in the measured method.
 *
 * <p>The forked JVM runs without Netty's leak detector, as Netty's own microbenchmarks do: at its
 * default level it records a stack trace for one allocation in 128, a cost of the detector and not of
 * the record layer. The in-process smoke test keeps the test JVM's PARANOID detector, which proves that
 * every buffer is released.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = "-Dio.netty.leakDetection.level=DISABLED")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordBenchmark {

    /** Plaintext bytes of the record. */
    @Param({"64", "1024"})
    public int size;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private ByteBuf plaintext;
    private TrafficCipher sealer;
    private TrafficCipher pairedSealer;
    private TrafficCipher opener;

    /** Creates the plaintext and one sealer for {@link #seal} and a sealer/opener pair. */
    @Setup
    public void setUp() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        plaintext = alloc.ioBuffer(size).writeBytes(bytes);
        byte[] secret = new byte[KeySchedule.SECRET_LENGTH];
        random.nextBytes(secret);
        sealer = TrafficCipher.sealing(secret, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        pairedSealer = TrafficCipher.sealing(secret, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        opener = TrafficCipher.opening(secret);
    }

    /** Releases the plaintext. */
    @TearDown
    public void tearDown() {
        plaintext.release();
    }

    /**
     * Seals one packet record.
     *
     * @return the record's length
     */
    @Benchmark
    public int seal() {
        if (sealer.needsKeyUpdate()) {
            sealer.sealKeyUpdate(alloc).release();
        }
        ByteBuf record = sealer.seal(alloc, plaintext);
        int length = record.readableBytes();
        record.release();
        return length;
    }

    /**
     * Seals one packet record and opens it.
     *
     * @return the opened plaintext's length
     */
    @Benchmark
    public int sealAndOpen() {
        if (pairedSealer.needsKeyUpdate()) {
            ByteBuf update = pairedSealer.sealKeyUpdate(alloc);
            try {
                opener.open(alloc, update);
            } finally {
                update.release();
            }
        }
        ByteBuf record = pairedSealer.seal(alloc, plaintext);
        ByteBuf opened;
        try {
            opened = opener.open(alloc, record);
        } finally {
            record.release();
        }
        int length = opened.readableBytes();
        opened.release();
        return length;
    }

    /**
     * Baseline: copies the plaintext into a new buffer.
     *
     * @return the copy's length
     */
    @Benchmark
    public int copy() {
        ByteBuf copy = alloc.ioBuffer(size);
        copy.writeBytes(plaintext, plaintext.readerIndex(), size);
        int length = copy.readableBytes();
        copy.release();
        return length;
    }
}
