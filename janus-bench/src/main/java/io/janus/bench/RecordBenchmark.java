package io.janus.bench;

import io.janus.core.crypto.AesGcm;
import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * <p>The AES-256-GCM primitives alone, in place in a direct buffer, one record per operation:
 * {@link #jdkSeal} and {@link #jdkOpen} as the JDK does it, {@code Cipher.init} with a new nonce,
 * {@code updateAAD} of the type byte and {@code doFinal} per record (how {@link TrafficCipher} used it
 * before it switched to {@link AesGcm}); {@link #gcmSeal} and {@link #gcmOpen} with one {@link AesGcm}
 * keyed once. Each open first copies the same sealed record into the work buffer (it is decrypted in
 * place), as {@link TrafficCipher#open} copies a record out of its frame; run with {@code -prof gc} for
 * the allocation per operation.
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
    @Param({"64", "1024", "16384"})
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

    private byte[] key;
    private byte[] nonce;
    private byte[] sealNonce;
    private final byte[] aad = {TrafficCipher.TYPE_PACKET};
    private long nonceCounter;
    private Cipher jdk;
    private SecretKeySpec keySpec;
    private AesGcm gcm;
    private ByteBuffer work;
    /** {@link #work}'s memory as a Netty buffer, for {@link AesGcm}. */
    private ByteBuf gcmWork;
    private ByteBuffer workIn;
    private ByteBuffer workOut;
    private ByteBuffer sealedRecord;

    /** Keys the AES-GCM primitives and seals the record the open benchmarks open. */
    @Setup
    public void setUpPrimitives() throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        key = new byte[32];
        random.nextBytes(key);
        nonce = new byte[AesGcm.NONCE_LENGTH];
        random.nextBytes(nonce);
        sealNonce = nonce.clone();
        keySpec = new SecretKeySpec(key, "AES");
        jdk = Cipher.getInstance("AES/GCM/NoPadding");
        gcm = new AesGcm(key);
        work = ByteBuffer.allocateDirect(size + AesGcm.TAG_LENGTH);
        workIn = work.duplicate();
        workOut = work.duplicate();
        gcmWork = Unpooled.wrappedBuffer(work.duplicate());
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        work.put(0, bytes);
        gcm.seal(nonce, aad, 0, 1, gcmWork, 0, size);
        sealedRecord = ByteBuffer.allocateDirect(size + AesGcm.TAG_LENGTH);
        sealedRecord.put(0, work, 0, size + AesGcm.TAG_LENGTH);
    }

    /** The JDK's way: a new nonce (its last 8 bytes XOR a counter) and parameter object per record. */
    private GCMParameterSpec nextJdkNonce() {
        byte[] fresh = nonce.clone();
        long counter = ++nonceCounter;
        for (int i = 0; i < 8; i++) {
            fresh[4 + i] ^= (byte) (counter >>> (56 - 8 * i));
        }
        return new GCMParameterSpec(128, fresh);
    }

    /** Releases the plaintext and the work buffer's wrapper. */
    @TearDown
    public void tearDown() {
        plaintext.release();
        gcmWork.release();
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

    /**
     * Seals {@code size} bytes in place with the JDK's AES-GCM, re-initialised with a new nonce.
     *
     * @return the sealed length
     * @throws GeneralSecurityException never
     */
    @Benchmark
    public int jdkSeal() throws GeneralSecurityException {
        jdk.init(Cipher.ENCRYPT_MODE, keySpec, nextJdkNonce());
        jdk.updateAAD(aad, 0, 1);
        workIn.limit(size).position(0);
        workOut.limit(size + AesGcm.TAG_LENGTH).position(0);
        return jdk.doFinal(workIn, workOut);
    }

    /**
     * Seals {@code size} bytes in place with {@link AesGcm}, under a new nonce.
     *
     * @return the nonce's last byte, so that the work is not dead code
     */
    @Benchmark
    public int gcmSeal() {
        long counter = ++nonceCounter;
        sealNonce[11] = (byte) counter;
        sealNonce[10] = (byte) (counter >>> 8);
        gcm.seal(sealNonce, aad, 0, 1, gcmWork, 0, size);
        return gcmWork.getByte(size);
    }

    /**
     * Copies the sealed record into the work buffer and opens it in place with the JDK's AES-GCM.
     *
     * @return the plaintext length
     * @throws GeneralSecurityException never
     */
    @Benchmark
    public int jdkOpen() throws GeneralSecurityException {
        work.put(0, sealedRecord, 0, size + AesGcm.TAG_LENGTH);
        jdk.init(Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(128, nonce.clone()));
        jdk.updateAAD(aad, 0, 1);
        workIn.limit(size + AesGcm.TAG_LENGTH).position(0);
        workOut.limit(size).position(0);
        return jdk.doFinal(workIn, workOut);
    }

    /**
     * Copies the sealed record into the work buffer and opens it in place with {@link AesGcm}.
     *
     * @return the plaintext length
     */
    @Benchmark
    public int gcmOpen() {
        work.put(0, sealedRecord, 0, size + AesGcm.TAG_LENGTH);
        if (!gcm.open(nonce, aad, 0, 1, gcmWork, 0, size)) {
            throw new IllegalStateException("the record did not open");
        }
        return size;
    }
}
