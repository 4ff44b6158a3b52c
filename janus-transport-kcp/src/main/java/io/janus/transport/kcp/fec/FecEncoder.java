package io.janus.transport.kcp.fec;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.List;

/**
 * The sending half of kcp-go's FEC layer: wraps each KCP payload in a data shard and, after every
 * {@code dataShards} of them, emits {@code parityShards} parity shards computed with {@link ReedSolomon}.
 *
 * <pre>
 * data shard:   | seqid (4, LE) | 0xf1 0x00 | size (2, LE) = 2 + payload length | KCP payload |
 * parity shard: | seqid (4, LE) | 0xf2 0x00 | Reed-Solomon parity over the group's size+payload      |
 * </pre>
 *
 * <p>Shards of a group have consecutive sequence ids, data first: group {@code g} holds seqids
 * {@code g*(d+p) .. g*(d+p)+d+p-1}. The parity covers each data shard from its size field on,
 * zero-padded to the longest data shard of the group, so every parity shard is that long. Sequence ids
 * wrap at the largest multiple of {@code d+p} that fits in 32 bits (kcp-go's {@code paws}), so groups
 * stay aligned across the wrap. Parity is emitted for every group, as kcp-go v5 up to v5.6 does (later
 * kcp-go versions skip the parity of a group whose data was not sent within one RTO, which a receiver
 * handles the same way as lost parity).
 *
 * <p>Memory: the encoder keeps a copy of the current group's data shards, at most
 * {@code dataShards * (maxDatagramSize - headroom - 6)} bytes, allocated on first use and reused.
 * Not thread-safe: one encoder per session, used from its event loop.
 *
 * @see <a href="https://github.com/xtaci/kcp-go/blob/master/fec.go">kcp-go fec.go ({@code fecEncoder})</a>
 */
public final class FecEncoder {

    /** FEC header: 4-byte sequence id and 2-byte type. */
    public static final int HEADER_SIZE = 6;

    /** The size field of a data shard. */
    public static final int SIZE_FIELD = 2;

    /** Bytes a data shard adds in front of the KCP payload. */
    public static final int DATA_SHARD_OVERHEAD = HEADER_SIZE + SIZE_FIELD;

    /** Type of a data shard. */
    public static final int TYPE_DATA = 0xf1;

    /** Type of a parity shard. */
    public static final int TYPE_PARITY = 0xf2;

    private final ReedSolomon codec;
    private final int dataShards;
    private final int parityShards;
    private final int headroom;
    private final int maxShardSize;
    private final ByteBufAllocator alloc;
    /** Sequence ids run modulo this multiple of the group size. */
    private final long paws;

    /** The current group's data shards (size field + payload); allocated lazily. */
    private final byte[][] shardCache;
    private final int[] shardLengths;
    private int shardCount;
    private int maxLength;
    private long next;

    /**
     * Creates an encoder.
     *
     * @param dataShards data shards per group, at least 1
     * @param parityShards parity shards per group, at least 1
     * @param headroom bytes left (zero) in front of the FEC header of every datagram, for an outer
     *     header such as {@link KcpGoHeader}; 0 or more
     * @param maxDatagramSize the longest datagram to produce, headroom included
     * @param alloc allocates the datagrams
     */
    public FecEncoder(int dataShards, int parityShards, int headroom, int maxDatagramSize,
            ByteBufAllocator alloc) {
        this.codec = new ReedSolomon(dataShards, parityShards);
        if (headroom < 0) {
            throw new IllegalArgumentException("headroom: " + headroom + " (expected: >= 0)");
        }
        if (maxDatagramSize - headroom - DATA_SHARD_OVERHEAD < 1) {
            throw new IllegalArgumentException("maxDatagramSize: " + maxDatagramSize + " (expected: > "
                    + (headroom + DATA_SHARD_OVERHEAD) + ")");
        }
        this.dataShards = dataShards;
        this.parityShards = parityShards;
        this.headroom = headroom;
        this.maxShardSize = maxDatagramSize - headroom - HEADER_SIZE;
        this.alloc = requireNonNull(alloc, "alloc");
        int total = dataShards + parityShards;
        this.paws = (0xFFFF_FFFFL / total) * total;
        this.shardCache = new byte[dataShards][];
        this.shardLengths = new int[dataShards];
    }

    /** Returns the largest KCP payload one data shard can carry. */
    public int maxPayloadSize() {
        return maxShardSize - SIZE_FIELD;
    }

    /** Returns the sequence id the next shard will carry (an unsigned 32-bit value). */
    public long nextSeqId() {
        return next;
    }

    /** Moves the sequence to {@code seqId}, which must start a group; for tests of the wrap-around. */
    void seekForTest(long seqId) {
        if (seqId < 0 || seqId >= paws || seqId % (dataShards + parityShards) != 0 || shardCount != 0) {
            throw new IllegalArgumentException("seqId: " + seqId);
        }
        next = seqId;
    }

    /**
     * Wraps a KCP payload in a data shard and, when it completes a group, appends the group's parity
     * shards.
     *
     * @param kcpPayload the readable bytes are sent; neither its indexes nor its reference count change
     *     (the caller keeps ownership and releases it)
     * @param datagramsOut receives the data shard's datagram and, after each {@code dataShards}-th
     *     call, the parity datagrams; each starts with {@code headroom} zero bytes. The caller owns
     *     them and must release (or write) each one
     * @throws IllegalArgumentException when the payload is empty or longer than {@link #maxPayloadSize()}
     */
    public void encode(ByteBuf kcpPayload, List<ByteBuf> datagramsOut) {
        requireNonNull(kcpPayload, "kcpPayload");
        requireNonNull(datagramsOut, "datagramsOut");
        int payloadLength = kcpPayload.readableBytes();
        if (payloadLength < 1 || payloadLength > maxPayloadSize()) {
            throw new IllegalArgumentException("KCP payload of " + payloadLength + " bytes (expected: 1.."
                    + maxPayloadSize() + ")");
        }
        int shardLength = SIZE_FIELD + payloadLength;

        byte[] shard = shardCache[shardCount];
        if (shard == null || shard.length < shardLength) {
            shard = new byte[Math.max(shardLength, Math.min(maxShardSize, 2 * shardLength))];
            shardCache[shardCount] = shard;
        }
        shard[0] = (byte) shardLength;
        shard[1] = (byte) (shardLength >>> 8);
        kcpPayload.getBytes(kcpPayload.readerIndex(), shard, SIZE_FIELD, payloadLength);

        ByteBuf datagram = alloc.buffer(headroom + HEADER_SIZE + shardLength);
        try {
            datagram.writeZero(headroom);
            datagram.writeIntLE((int) nextSeq());
            datagram.writeShortLE(TYPE_DATA);
            datagram.writeBytes(shard, 0, shardLength);
        } catch (RuntimeException e) {
            datagram.release();
            throw e;
        }
        datagramsOut.add(datagram);

        shardLengths[shardCount] = shardLength;
        maxLength = Math.max(maxLength, shardLength);
        shardCount++;
        if (shardCount == dataShards) {
            emitParity(datagramsOut);
            shardCount = 0;
            maxLength = 0;
        }
    }

    private void emitParity(List<ByteBuf> datagramsOut) {
        int length = maxLength;
        for (int i = 0; i < dataShards; i++) {
            byte[] shard = shardCache[i];
            if (shard.length < length) {
                // Every data shard must be readable up to the longest one; widen the short array.
                byte[] wider = new byte[length];
                System.arraycopy(shard, 0, wider, 0, shardLengths[i]);
                shardCache[i] = wider;
            } else {
                Arrays.fill(shard, shardLengths[i], length, (byte) 0);
            }
        }
        for (int p = 0; p < parityShards; p++) {
            ByteBuf datagram = alloc.heapBuffer(headroom + HEADER_SIZE + length);
            try {
                datagram.writeZero(headroom);
                datagram.writeIntLE((int) nextSeq());
                datagram.writeShortLE(TYPE_PARITY);
                datagram.ensureWritable(length);
                if (datagram.hasArray()) {
                    codec.encodeParity(p, shardCache, 0, datagram.array(),
                            datagram.arrayOffset() + datagram.writerIndex(), length);
                    datagram.writerIndex(datagram.writerIndex() + length);
                } else {
                    byte[] parity = new byte[length];
                    codec.encodeParity(p, shardCache, 0, parity, 0, length);
                    datagram.writeBytes(parity);
                }
            } catch (RuntimeException e) {
                datagram.release();
                throw e;
            }
            datagramsOut.add(datagram);
        }
    }

    private long nextSeq() {
        long seq = next;
        next = (next + 1) % paws;
        return seq;
    }
}
