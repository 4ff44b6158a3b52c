package io.janus.core.crypto;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The record protection of one direction of a session (docs/protocol.md, section 6): AES-256-GCM with
 * the nonce {@code iv XOR counter} as in TLS 1.3 (RFC 8446, section 5.3), the record type as additional
 * authenticated data, an implicit 64-bit counter, and key updates (RFC 8446, section 4.6.3, is the
 * model).
 *
 * <p>Records of up to {@value #SMALL_RECORD} plaintext bytes, the common game packet, go through
 * {@link AesGcm}, keyed once per key: no cipher engine is re-initialised and nothing is allocated per
 * record but the record buffer itself. Larger records go through the JDK's {@code AES/GCM/NoPadding},
 * re-initialised per record with a fresh nonce, whose GHASH and AES-CTR intrinsics (carry-less
 * multiplication instructions) outrun {@link AesGcm}'s constant-time GHASH in Java once a record has
 * more than a few blocks; the threshold is measured (docs/benchmarks.md, issue 8). Both produce the
 * same bytes: the wire format does not depend on the path.
 *
 * <p>A quiet session may {@linkplain #releaseEngine() drop its engines}: an {@link AesGcm} retains
 * about {@value #AES_GCM_RETAINED_BYTES} bytes (its two scratch arrays of {@value AesGcm#CHUNK} bytes
 * and the JDK's AES/ECB {@code Cipher} with the expanded key), and the JDK's AES-GCM engine, made only
 * once a large record comes, about 800 more; an idle session needs neither, and the next record
 * rebuilds what it needs from the key kept here, at the cost of one key expansion (a few
 * microseconds). Engines are never shared: one thread-wide engine re-keyed per record was measured at
 * three times the CPU per record when sessions interleave, as they do on a busy event loop
 * (docs/benchmarks.md, scenario 3).
 *
 * <p>Not thread-safe: a session's ciphers are confined to its event loop. A record that fails to open
 * does not advance the counter; a seal spends its nonce even when it fails.
 */
public final class TrafficCipher {

    /** Record type of a packet record. */
    public static final byte TYPE_PACKET = 0x17;
    /** Record type of a key update record. */
    public static final byte TYPE_KEY_UPDATE = 0x18;
    /** Bytes a record adds to its plaintext: the type byte and the tag. */
    public static final int OVERHEAD = 1 + 16;
    /** The most records a side may receive under one key. */
    public static final long MAX_RECORDS_PER_KEY = 1L << 24;
    /** After this many records a sender updates its key, well before {@link #MAX_RECORDS_PER_KEY}. */
    public static final long DEFAULT_UPDATE_INTERVAL = 1L << 23;

    /**
     * The largest plaintext sealed or opened with {@link AesGcm} (five blocks); larger records use the
     * JDK's AES-GCM. Measured with janus-bench's RecordBenchmark (jdkSeal/gcmSeal, jdkOpen/gcmOpen, one
     * run, load average about 2 on 2 cores): at 64 bytes {@link AesGcm} took 519/569 ns to seal/open
     * against the JDK's 834/682, at 80 bytes 737/708 against 779/809, at 96 bytes 791/956 against
     * 870/706, so opening loses from 96 bytes on; each further block costs {@link AesGcm} about 65 ns of
     * GHASH in Java, where the JDK's carry-less-multiply intrinsic costs a few. {@link AesGcm}
     * allocates nothing per record; the JDK's engine about 1.1 KB.
     */
    static final int SMALL_RECORD = 80;
    /** Retained bytes of one {@link AesGcm}: the heap growth of 20,000 live instances, per instance. */
    static final int AES_GCM_RETAINED_BYTES = 1600;

    private static final int TAG_BITS = 128;
    private static final int TAG_LENGTH = AesGcm.TAG_LENGTH;

    private final boolean sealing;
    private final long updateInterval;
    /** The engine of small records; {@code null} after {@link #releaseEngine()} until the next one. */
    private AesGcm gcm;
    /** The JDK engine of large records; {@code null} until one comes, and after {@link #releaseEngine()}. */
    private Cipher cipher;
    /** The key for {@link #cipher}; made with it. */
    private SecretKeySpec keySpec;
    /** The nonce of the current record; rewritten per record. */
    private final byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
    /** The additional authenticated data of each record type: its type byte; read-only, shared. */
    private static final byte[] TYPES = {TYPE_PACKET, TYPE_KEY_UPDATE};
    private byte[] secret;
    private byte[] key;
    private byte[] iv;
    private long counter;

    private TrafficCipher(byte[] secret, boolean sealing, long updateInterval) {
        if (secret.length != KeySchedule.SECRET_LENGTH) {
            throw new IllegalArgumentException("secret: " + secret.length + " bytes (expected: 32)");
        }
        // The key update record itself is sealed under the old key, so it must still fit below the limit.
        if (updateInterval <= 0 || updateInterval >= MAX_RECORDS_PER_KEY) {
            throw new IllegalArgumentException("updateInterval: " + updateInterval + " (expected: 1 to 2^24 - 1)");
        }
        this.sealing = sealing;
        this.updateInterval = updateInterval;
        install(secret.clone());
        // Made here, not at the first record, so that a JVM without AES fails at once.
        this.gcm = new AesGcm(key);
    }

    private static Cipher newEngine() {
        try {
            return Ciphers.get("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JVM", e);
        }
    }

    private Cipher engine() {
        Cipher engine = cipher;
        if (engine == null) {
            engine = newEngine();
            cipher = engine;
            keySpec = new SecretKeySpec(key, "AES");
        }
        return engine;
    }

    private AesGcm gcm() {
        AesGcm engine = gcm;
        if (engine == null) {
            engine = new AesGcm(key);
            gcm = engine;
        }
        return engine;
    }

    /**
     * Drops the cipher engines until the next record, which makes the one it needs; for sessions that
     * have been quiet for a while. Keys, nonces and counters are unaffected.
     */
    public void releaseEngine() {
        gcm = null;
        cipher = null;
        keySpec = null;
    }

    /**
     * Whether an engine is held now: the small-record engine, which every cipher makes at once and
     * after a release at its next record of up to {@value #SMALL_RECORD} bytes, or the JDK's engine of
     * large records. Both are dropped by {@link #releaseEngine()}.
     */
    public boolean holdsEngine() {
        return gcm != null || cipher != null;
    }

    /**
     * A cipher that seals outgoing records.
     *
     * @param secret the direction's traffic secret
     * @param updateInterval records after which {@link #needsKeyUpdate()} turns true
     * @return the cipher
     */
    public static TrafficCipher sealing(byte[] secret, long updateInterval) {
        return new TrafficCipher(secret, true, updateInterval);
    }

    /**
     * A cipher that opens incoming records.
     *
     * @param secret the direction's traffic secret
     * @return the cipher
     */
    public static TrafficCipher opening(byte[] secret) {
        return new TrafficCipher(secret, false, MAX_RECORDS_PER_KEY - 1);
    }

    private void install(byte[] newSecret) {
        secret = newSecret;
        key = Hkdf.expand(secret, KeySchedule.KEY, 32);
        iv = Hkdf.expand(secret, KeySchedule.IV, 12);
        counter = 0;
    }

    private void update() {
        install(Hkdf.expand(secret, KeySchedule.KEY_UPDATE, KeySchedule.SECRET_LENGTH));
        // The engines hold the old key: a held one is rebuilt now, a released one at the next record.
        if (gcm != null) {
            gcm = new AesGcm(key);
        }
        if (cipher != null) {
            keySpec = new SecretKeySpec(key, "AES");
        }
    }

    /** Writes this record's nonce, {@code iv XOR counter} (RFC 8446, section 5.3), into {@link #nonce}. */
    private void writeNonce() {
        System.arraycopy(iv, 0, nonce, 0, 4);
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (iv[4 + i] ^ (counter >>> (56 - 8 * i)));
        }
    }

    /** Whether the sender should send a key update before its next record. */
    public boolean needsKeyUpdate() {
        return counter >= updateInterval;
    }

    /** Records sealed or opened under the current key. */
    public long counter() {
        return counter;
    }

    /**
     * Seals a packet record. Does not release {@code plaintext}.
     *
     * @param alloc the allocator of the returned buffer
     * @param plaintext the encoded packet
     * @return the record; the caller owns it
     */
    public ByteBuf seal(ByteBufAllocator alloc, ByteBuf plaintext) {
        return seal(alloc, TYPE_PACKET, plaintext);
    }

    /**
     * Seals a key update record under the current key, then switches to the next key.
     *
     * @param alloc the allocator of the returned buffer
     * @return the record; the caller owns it
     */
    public ByteBuf sealKeyUpdate(ByteBufAllocator alloc) {
        ByteBuf record = seal(alloc, TYPE_KEY_UPDATE, io.netty.buffer.Unpooled.EMPTY_BUFFER);
        update();
        return record;
    }

    private ByteBuf seal(ByteBufAllocator alloc, byte type, ByteBuf plaintext) {
        if (!sealing) {
            throw new IllegalStateException("this cipher opens records");
        }
        if (counter >= MAX_RECORDS_PER_KEY) {
            throw new IllegalStateException("key used for " + counter + " records; a key update was due");
        }
        int length = plaintext.readableBytes();
        ByteBuf record = alloc.ioBuffer(OVERHEAD + length);
        try {
            record.writeByte(type);
            // In place: the plaintext is copied into the record and encrypted there. (Given two pooled
            // buffers, which are slices of one chunk, the JDK's AES-GCM cannot rule out that the output
            // overwrites input not yet read when the output lies after the input, and then encrypts
            // into a temporary heap buffer of its own and copies; input and output at the same address
            // are safe, GaloisCounterMode.overlapDetection, and copying a record's plaintext is cheaper.)
            record.writeBytes(plaintext, plaintext.readerIndex(), length);
            writeNonce();
            // The nonce is spent once an engine holds it: a seal that fails after this point never
            // leaves it to the next record.
            int typeIndex = type == TYPE_PACKET ? 0 : 1;
            if (length <= SMALL_RECORD) {
                AesGcm engine = gcm();
                counter++;
                engine.seal(nonce, TYPES, typeIndex, 1, record, 1, length);
                record.writerIndex(1 + length + TAG_LENGTH);
                return record;
            }
            sealWithJdk(record, typeIndex, length);
            return record;
        } catch (GeneralSecurityException e) {
            record.release();
            throw new IllegalStateException("AES-GCM sealing failed", e);
        } catch (RuntimeException e) {
            record.release();
            throw e;
        }
    }

    /**
     * Opens a record. Does not release {@code record}. A record of up to {@value #SMALL_RECORD}
     * plaintext bytes that is not read-only is decrypted in place, once its tag has checked, and its
     * plaintext returned as a retained slice of it; a larger one is decrypted in a copy and left as it
     * came. A refused record is left as it came either way.
     *
     * @param alloc the allocator of the returned buffer
     * @param record the record
     * @return the packet plaintext, which the caller owns; or {@code null} when the record was a key
     *         update, which this call has applied
     * @throws ProtocolException {@link Reason#RECORD_INVALID} when the record is too short, of an
     *         unknown type, fails authentication, or passes the per-key limit; the counter is unchanged
     */
    public ByteBuf open(ByteBufAllocator alloc, ByteBuf record) {
        if (sealing) {
            throw new IllegalStateException("this cipher seals records");
        }
        int length = record.readableBytes();
        if (length < OVERHEAD) {
            throw new ProtocolException(Reason.RECORD_INVALID,
                    "record of " + length + " bytes (expected: at least " + OVERHEAD + ")");
        }
        byte type = record.getByte(record.readerIndex());
        if (type != TYPE_PACKET && type != TYPE_KEY_UPDATE) {
            throw new ProtocolException(Reason.RECORD_INVALID, "unknown record type 0x" + Integer.toHexString(type & 0xFF));
        }
        if (counter >= MAX_RECORDS_PER_KEY) {
            throw new ProtocolException(Reason.RECORD_INVALID,
                    "the peer sent " + counter + " records without a key update");
        }
        int plainLength = length - OVERHEAD;
        if (plainLength <= SMALL_RECORD && !record.isReadOnly()) {
            return openInPlace(record, type, length, plainLength);
        }
        // Decrypted in place in a copy of the ciphertext and tag, as seal encrypts: the record itself
        // is left as it came.
        ByteBuf plaintext = alloc.ioBuffer(length - 1);
        boolean authentic;
        try {
            plaintext.writeBytes(record, record.readerIndex() + 1, length - 1);
            writeNonce();
            int typeIndex = type == TYPE_PACKET ? 0 : 1;
            if (plainLength <= SMALL_RECORD) {
                // The tag is checked before anything is decrypted: a refused record leaves no plaintext.
                authentic = gcm().open(nonce, TYPES, typeIndex, 1, plaintext, 0, plainLength);
            } else {
                authentic = openWithJdk(plaintext, typeIndex, length - 1);
            }
        } catch (GeneralSecurityException e) {
            plaintext.release();
            throw new ProtocolException(Reason.RECORD_INVALID, "record " + counter + " could not be opened: " + e);
        } catch (RuntimeException e) {
            plaintext.release();
            throw e;
        }
        if (!authentic) {
            plaintext.release();
            throw notAuthentic();
        }
        plaintext.writerIndex(plainLength);
        if (type == TYPE_KEY_UPDATE) {
            plaintext.release();
            applyKeyUpdate(record, length, plainLength);
            return null;
        }
        record.skipBytes(length);
        counter++;
        return plaintext;
    }

    /** Why a record whose tag did not check is refused; the counter names the record expected. */
    private ProtocolException notAuthentic() {
        return new ProtocolException(Reason.RECORD_INVALID,
                "record " + counter + " failed authentication (tampered, replayed, reordered or truncated)");
    }

    /** An authentic key update record: must be empty; consumes it and switches to the next key. */
    private void applyKeyUpdate(ByteBuf record, int length, int plainLength) {
        if (plainLength != 0) {
            throw new ProtocolException(Reason.RECORD_INVALID, "a key update record must be empty");
        }
        record.skipBytes(length);
        update();
    }

    /**
     * Opens a small record where it lies: the tag is checked first (a refused record is left as it
     * came), then the ciphertext is decrypted in the record's own bytes and the plaintext handed on as
     * a slice of them, with no buffer allocated or copied (the copy and the two buffer views Netty makes
     * for it were a quarter of the gateway's allocation per request).
     */
    private ByteBuf openInPlace(ByteBuf record, byte type, int length, int plainLength) {
        writeNonce();
        int start = record.readerIndex();
        if (!gcm().open(nonce, TYPES, type == TYPE_PACKET ? 0 : 1, 1, record, start + 1, plainLength)) {
            throw notAuthentic();
        }
        if (type == TYPE_KEY_UPDATE) {
            applyKeyUpdate(record, length, plainLength);
            return null;
        }
        record.skipBytes(length);
        counter++;
        return record.retainedSlice(start + 1, plainLength);
    }

    /** Seals {@code length} bytes at index 1 of {@code record} in place with the JDK's engine. */
    private void sealWithJdk(ByteBuf record, int typeIndex, int length) throws GeneralSecurityException {
        Cipher engine = engine();
        engine.init(Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, nonce.clone()));
        counter++;
        engine.updateAAD(TYPES, typeIndex, 1);
        ByteBuffer in = record.nioBuffer(1, length);
        ByteBuffer out = record.nioBuffer(1, length + TAG_LENGTH);
        int written = engine.doFinal(in, out);
        record.writerIndex(1 + written);
    }

    /** Opens ciphertext and tag in place in {@code buf} with the JDK's engine; false when refused. */
    private boolean openWithJdk(ByteBuf buf, int typeIndex, int sealedLength) throws GeneralSecurityException {
        Cipher engine = engine();
        engine.init(Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, nonce.clone()));
        engine.updateAAD(TYPES, typeIndex, 1);
        ByteBuffer in = buf.nioBuffer(0, sealedLength);
        ByteBuffer out = buf.nioBuffer(0, sealedLength - TAG_LENGTH);
        try {
            engine.doFinal(in, out);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        }
    }
}
