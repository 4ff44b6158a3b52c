package io.janus.bench;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.TrafficCipher;
import io.janus.core.protocol.PacketCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * CPU time per delivery of a broadcast: one 64-byte push to {@value #SESSIONS} sessions, each with its own
 * AES-GCM key (docs/protocol.md, section 6), so each delivery is one packet encoding and one record
 * seal, as a session does for each push. No socket and no event-loop hand-off: the floor of the
 * gateway's fan-out on one core. Reported per delivery ({@link OperationsPerInvocation}).
 *
 * <p>{@link #fanOut}: encode and seal per session, what one {@code Session.push} per session costs.
 * {@link #fanOutSharedEncoding}: the packet encoded once and sealed per session, what the gateway's
 * {@code Pusher.broadcast} does (janus-core's fan-out engine); {@link BroadcastBenchmark} measures it
 * through a running gateway and real sessions.
 * Baseline: {@link #copyOnly}, one copy of the encoded packet per session.
 */
@State(Scope.Thread)
@Fork(jvmArgsAppend = "-Dio.netty.leakDetection.level=DISABLED")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FanOutBenchmark {

    /** Receiving sessions per broadcast. */
    static final int SESSIONS = 1000;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final TrafficCipher[] sessions = new TrafficCipher[SESSIONS];
    private Packet push;

    /** Makes one sealing cipher per session, with its own key, and the push. */
    @Setup
    public void setUp() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < SESSIONS; i++) {
            byte[] secret = new byte[KeySchedule.SECRET_LENGTH];
            random.nextBytes(secret);
            sessions[i] = TrafficCipher.sealing(secret, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        }
        byte[] body = new byte[64];
        random.nextBytes(body);
        push = Packet.newBuilder().setModule(2).setSeq(1).setBody(ByteString.copyFrom(body)).build();
    }

    /** Nothing to release: every buffer is released in the measured methods. */
    @TearDown
    public void tearDown() {
        push = null;
    }

    private static void keyUpdateIfDue(TrafficCipher cipher, ByteBufAllocator alloc) {
        if (cipher.needsKeyUpdate()) {
            cipher.sealKeyUpdate(alloc).release();
        }
    }

    /**
     * Encodes and seals the push for every session.
     *
     * @return bytes produced
     */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public long fanOut() {
        long bytes = 0;
        for (TrafficCipher cipher : sessions) {
            keyUpdateIfDue(cipher, alloc);
            ByteBuf encoded = PacketCodec.encode(alloc, push);
            try {
                ByteBuf record = cipher.seal(alloc, encoded);
                bytes += record.readableBytes();
                record.release();
            } finally {
                encoded.release();
            }
        }
        return bytes;
    }

    /**
     * Encodes the push once and seals it for every session.
     *
     * @return bytes produced
     */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public long fanOutSharedEncoding() {
        long bytes = 0;
        ByteBuf encoded = PacketCodec.encode(alloc, push);
        try {
            for (TrafficCipher cipher : sessions) {
                keyUpdateIfDue(cipher, alloc);
                ByteBuf record = cipher.seal(alloc, encoded.duplicate());
                bytes += record.readableBytes();
                record.release();
            }
        } finally {
            encoded.release();
        }
        return bytes;
    }

    /**
     * Baseline: one copy of the encoded push per session.
     *
     * @return bytes produced
     */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public long copyOnly() {
        long bytes = 0;
        ByteBuf encoded = PacketCodec.encode(alloc, push);
        try {
            for (int i = 0; i < SESSIONS; i++) {
                ByteBuf copy = alloc.ioBuffer(encoded.readableBytes());
                copy.writeBytes(encoded, encoded.readerIndex(), encoded.readableBytes());
                bytes += copy.readableBytes();
                copy.release();
            }
        } finally {
            encoded.release();
        }
        return bytes;
    }
}
