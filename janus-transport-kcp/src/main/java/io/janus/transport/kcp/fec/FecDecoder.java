package io.janus.transport.kcp.fec;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.List;

/**
 * The receiving half of kcp-go's FEC layer (see {@link FecEncoder} for the shard layout): passes the
 * KCP payload of every data shard on at once, keeps the shards of incomplete groups, and once any
 * {@code dataShards} shards of a group have arrived, recovers the group's missing data shards with
 * {@link ReedSolomon} and passes their payloads on too.
 *
 * <p>Bounds and policy, following kcp-go's {@code fecDecoder}:
 * <ul>
 *   <li>At most {@code maxGroups} incomplete groups are kept (default 3, so at most about
 *       {@code 3 * (dataShards + parityShards)} shards: kcp-go's {@code rxlimit}); each stored shard is a
 *       copy of at most {@code maxShardSize} bytes. A shard of a new group when all slots are taken evicts
 *       the oldest group; a shard older than every kept group is dropped.</li>
 *   <li>A group is done when it reached {@code dataShards} shards (recovered or not) or was evicted; the
 *       newest done group becomes the floor, groups at or below it are discarded, and later shards of
 *       such a stale group are dropped (its data shards' payloads are still passed on: they may be data
 *       the group never held, and KCP discards what it already has).</li>
 *   <li>A shard whose sequence id is already held is a duplicate and dropped entirely.</li>
 *   <li>A shard whose type disagrees with its position in the group (seqid modulo
 *       {@code dataShards + parityShards} below {@code dataShards} must be data) is refused with
 *       {@link Reason#FEC_SHARD_COUNTS_MISMATCH}: the peer is configured with other shard counts (kcp-go
 *       detects the same condition to re-tune its decoder; Janus reports it instead).</li>
 *   <li>A data shard must declare a size equal to its length (kcp-go always sends it so); a recovered
 *       one must declare a size between 2 and the group's shard length. Otherwise the datagram is
 *       refused with {@link Reason#FEC_SHARD_SIZE_INVALID}.</li>
 * </ul>
 * Sequence ids are compared modulo the wrap point, so a long-lived session keeps working after
 * 2^32 shards. Not thread-safe: one decoder per session, used from its event loop; call
 * {@link #close()} to release the kept shards.
 *
 * @see <a href="https://github.com/xtaci/kcp-go/blob/master/fec.go">kcp-go fec.go ({@code fecDecoder})</a>
 * @see <a href="https://github.com/xtaci/kcp-go/blob/master/sess.go">kcp-go sess.go ({@code kcpInput})</a>
 */
public final class FecDecoder implements AutoCloseable {

    private final ReedSolomon codec;
    private final int dataShards;
    private final int totalShards;
    private final int maxShardSize;
    private final ByteBufAllocator alloc;
    /** Number of distinct group ids before the sequence ids wrap. */
    private final long groupIdSpace;
    private final Group[] groups;

    private boolean hasFloor;
    private long floor;

    private long dataShardsReceived;
    private long parityShardsReceived;
    private long recoveredShards;
    private long duplicateShards;
    private long staleShards;
    private long evictedGroups;

    /**
     * Creates a decoder.
     *
     * @param dataShards data shards per group, at least 1
     * @param parityShards parity shards per group, at least 1
     * @param maxShardSize the longest shard accepted, FEC header included
     * @param maxGroups incomplete groups kept, at least 1
     * @param alloc allocates stored shards and recovered payloads
     */
    public FecDecoder(int dataShards, int parityShards, int maxShardSize, int maxGroups,
            ByteBufAllocator alloc) {
        this.codec = new ReedSolomon(dataShards, parityShards);
        if (maxShardSize < FecEncoder.DATA_SHARD_OVERHEAD + 1) {
            throw new IllegalArgumentException("maxShardSize: " + maxShardSize + " (expected: > "
                    + FecEncoder.DATA_SHARD_OVERHEAD + ")");
        }
        if (maxGroups < 1) {
            throw new IllegalArgumentException("maxGroups: " + maxGroups + " (expected: >= 1)");
        }
        this.dataShards = dataShards;
        this.totalShards = dataShards + parityShards;
        this.maxShardSize = maxShardSize;
        this.alloc = requireNonNull(alloc, "alloc");
        this.groupIdSpace = 0xFFFF_FFFFL / totalShards;
        this.groups = new Group[maxGroups];
    }

    /**
     * Decodes one FEC shard.
     *
     * @param shard the shard at its reader index: FEC header, then size field and payload (data) or
     *     parity. Its bytes are consumed (reader index moves to the end); it is not released: the caller
     *     keeps ownership
     * @param kcpPayloadsOut receives the KCP payloads: this data shard's, then any recovered ones. The
     *     caller owns them and must release each; they may be slices sharing {@code shard}'s memory
     * @throws ProtocolException {@link Reason#KCPGO_DATAGRAM_TOO_SHORT}, {@link Reason#FEC_SHARD_TOO_LARGE},
     *     {@link Reason#FEC_SHARD_SIZE_INVALID} or {@link Reason#FEC_SHARD_COUNTS_MISMATCH}; nothing is then
     *     added to {@code kcpPayloadsOut} and the decoder stays usable
     * @throws IllegalArgumentException when the shard's type is neither data nor parity (check it with
     *     {@link #isFecShard(ByteBuf)} first)
     */
    public void decode(ByteBuf shard, List<ByteBuf> kcpPayloadsOut) {
        requireNonNull(shard, "shard");
        requireNonNull(kcpPayloadsOut, "kcpPayloadsOut");
        int length = shard.readableBytes();
        if (length < FecEncoder.DATA_SHARD_OVERHEAD) {
            throw new ProtocolException(Reason.KCPGO_DATAGRAM_TOO_SHORT, "FEC shard of " + length
                    + " bytes (expected: at least " + FecEncoder.DATA_SHARD_OVERHEAD + ")");
        }
        if (length > maxShardSize) {
            throw new ProtocolException(Reason.FEC_SHARD_TOO_LARGE, "FEC shard of " + length
                    + " bytes (expected: at most " + maxShardSize + ")");
        }
        int start = shard.readerIndex();
        long seqId = shard.getUnsignedIntLE(start);
        int type = shard.getUnsignedShortLE(start + 4);
        boolean data;
        if (type == FecEncoder.TYPE_DATA) {
            data = true;
        } else if (type == FecEncoder.TYPE_PARITY) {
            data = false;
        } else {
            throw new IllegalArgumentException("FEC type 0x" + Integer.toHexString(type)
                    + " (expected: 0xf1 or 0xf2)");
        }
        if (seqId >= groupIdSpace * totalShards) {
            throw new ProtocolException(Reason.FEC_SHARD_COUNTS_MISMATCH, "FEC seqid " + seqId
                    + " is at or past the wrap point " + groupIdSpace * totalShards + " of " + dataShards
                    + " data + " + (totalShards - dataShards) + " parity shards: the peer uses other shard counts");
        }
        if (data != (seqId % totalShards < dataShards)) {
            throw new ProtocolException(Reason.FEC_SHARD_COUNTS_MISMATCH, "FEC " + (data ? "data" : "parity")
                    + " shard with seqid " + seqId + " sits where " + dataShards + " data + "
                    + (totalShards - dataShards) + " parity shards put " + (data ? "parity" : "data")
                    + ": the peer uses other shard counts");
        }
        int bodyStart = start + FecEncoder.HEADER_SIZE;
        int bodyLength = length - FecEncoder.HEADER_SIZE;
        if (data) {
            int declared = shard.getUnsignedShortLE(bodyStart);
            if (declared != bodyLength) {
                throw new ProtocolException(Reason.FEC_SHARD_SIZE_INVALID, "FEC data shard declares size "
                        + declared + " but holds " + bodyLength + " bytes after its header");
            }
        }
        shard.skipBytes(length);

        int sizeBefore = kcpPayloadsOut.size();
        try {
            insert(shard, seqId, data, bodyStart, bodyLength, kcpPayloadsOut);
        } catch (RuntimeException e) {
            for (int i = kcpPayloadsOut.size() - 1; i >= sizeBefore; i--) {
                kcpPayloadsOut.remove(i).release();
            }
            throw e;
        }
    }

    private void insert(ByteBuf shard, long seqId, boolean data, int bodyStart, int bodyLength,
            List<ByteBuf> out) {
        if (data) {
            dataShardsReceived++;
        } else {
            parityShardsReceived++;
        }
        long groupId = seqId / totalShards;
        int index = (int) (seqId % totalShards);
        int payloadLength = bodyLength - FecEncoder.SIZE_FIELD;

        if (hasFloor && compare(groupId, floor) <= 0) {
            staleShards++;
            if (data && payloadLength > 0) {
                out.add(shard.retainedSlice(bodyStart + FecEncoder.SIZE_FIELD, payloadLength));
            }
            return;
        }
        Group group = find(groupId);
        if (group != null && group.shards[index] != null) {
            duplicateShards++;
            return;
        }
        if (data && payloadLength > 0) {
            out.add(shard.retainedSlice(bodyStart + FecEncoder.SIZE_FIELD, payloadLength));
        }
        if (group == null) {
            group = slotFor(groupId);
            if (group == null) {
                staleShards++;
                return;
            }
        }
        ByteBuf copy = alloc.buffer(bodyLength);
        copy.writeBytes(shard, bodyStart, bodyLength);
        group.shards[index] = copy;
        group.count++;
        if (data) {
            group.dataCount++;
        }
        if (group.count >= dataShards) {
            try {
                if (group.dataCount < dataShards) {
                    recover(group, out);
                }
            } finally {
                complete(group);
            }
        }
    }

    /** Reconstructs the missing data shards of {@code group}, appending their payloads to {@code out}. */
    private void recover(Group group, List<ByteBuf> out) {
        int length = 0;
        for (ByteBuf s : group.shards) {
            if (s != null) {
                length = Math.max(length, s.readableBytes());
            }
        }
        byte[][] work = ShardScratch.get(totalShards, length);
        boolean[] present = new boolean[totalShards];
        for (int i = 0; i < totalShards; i++) {
            ByteBuf s = group.shards[i];
            if (s != null) {
                int n = s.readableBytes();
                s.getBytes(s.readerIndex(), work[i], 0, n);
                Arrays.fill(work[i], n, length, (byte) 0);
                present[i] = true;
            }
        }
        codec.reconstructData(work, present, length);
        ProtocolException failure = null;
        for (int d = 0; d < dataShards; d++) {
            if (present[d]) {
                continue;
            }
            byte[] shard = work[d];
            int declared = (shard[0] & 0xFF) | (shard[1] & 0xFF) << 8;
            if (declared < FecEncoder.SIZE_FIELD || declared > length) {
                failure = new ProtocolException(Reason.FEC_SHARD_SIZE_INVALID, "FEC data shard recovered from "
                        + "parity declares size " + declared + " (expected: 2.." + length + ")");
                continue;
            }
            recoveredShards++;
            int payloadLength = declared - FecEncoder.SIZE_FIELD;
            if (payloadLength > 0) {
                ByteBuf payload = alloc.buffer(payloadLength);
                payload.writeBytes(shard, FecEncoder.SIZE_FIELD, payloadLength);
                out.add(payload);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Group find(long groupId) {
        for (Group g : groups) {
            if (g != null && g.inUse && g.id == groupId) {
                return g;
            }
        }
        return null;
    }

    /** Returns a free slot for a new group, evicting the oldest kept group if needed, or null. */
    private Group slotFor(long groupId) {
        Group oldest = null;
        for (int i = 0; i < groups.length; i++) {
            Group g = groups[i];
            if (g == null) {
                g = new Group(totalShards);
                groups[i] = g;
            }
            if (!g.inUse) {
                g.open(groupId);
                return g;
            }
            if (oldest == null || compare(g.id, oldest.id) < 0) {
                oldest = g;
            }
        }
        if (compare(groupId, oldest.id) < 0) {
            return null;
        }
        evictedGroups++;
        complete(oldest);
        // The evicted group may have been the only one older than the floor's new value.
        oldest.open(groupId);
        return oldest;
    }

    /** Marks {@code group} done: it becomes the floor if newer, and groups at or below the floor go. */
    private void complete(Group group) {
        long id = group.id;
        group.clear();
        if (!hasFloor || compare(id, floor) > 0) {
            floor = id;
            hasFloor = true;
        }
        for (Group g : groups) {
            if (g != null && g.inUse && compare(g.id, floor) <= 0) {
                g.clear();
            }
        }
    }

    /** Compares two group ids on the circle of {@link #groupIdSpace} ids: negative when a is older. */
    private int compare(long a, long b) {
        long diff = Math.floorMod(a - b, groupIdSpace);
        if (diff == 0) {
            return 0;
        }
        return diff <= groupIdSpace / 2 ? 1 : -1;
    }

    /**
     * Returns whether a buffer (at its reader index) starts with an FEC header: at least 6 bytes and a
     * type of 0xf1 or 0xf2 in bytes 4-5. kcp-go tells FEC shards from bare KCP segments the same way
     * (bytes 4-5 of a KCP segment are its command, 81-84, and fragment count, so they never match).
     *
     * @param buf the buffer; not modified or released
     * @return whether it is an FEC shard
     */
    public static boolean isFecShard(ByteBuf buf) {
        requireNonNull(buf, "buf");
        if (buf.readableBytes() < FecEncoder.HEADER_SIZE) {
            return false;
        }
        int type = buf.getUnsignedShortLE(buf.readerIndex() + 4);
        return type == FecEncoder.TYPE_DATA || type == FecEncoder.TYPE_PARITY;
    }

    /** Returns the number of incomplete groups held now (at most {@code maxGroups}). */
    public int pendingGroups() {
        int n = 0;
        for (Group g : groups) {
            if (g != null && g.inUse) {
                n++;
            }
        }
        return n;
    }

    /** Returns the number of shards held now (at most {@code maxGroups * (dataShards + parityShards)}). */
    public int pendingShards() {
        int n = 0;
        for (Group g : groups) {
            if (g != null && g.inUse) {
                n += g.count;
            }
        }
        return n;
    }

    /** Returns the number of data shards received. */
    public long dataShardsReceived() {
        return dataShardsReceived;
    }

    /** Returns the number of parity shards received. */
    public long parityShardsReceived() {
        return parityShardsReceived;
    }

    /** Returns the number of data shards recovered from parity. */
    public long recoveredShards() {
        return recoveredShards;
    }

    /** Returns the number of shards dropped because their sequence id was already held. */
    public long duplicateShards() {
        return duplicateShards;
    }

    /** Returns the number of shards that arrived for a group already done or evicted. */
    public long staleShards() {
        return staleShards;
    }

    /** Returns the number of incomplete groups evicted to make room for newer ones. */
    public long evictedGroups() {
        return evictedGroups;
    }

    /** Releases every kept shard; the decoder may be used again afterwards. */
    @Override
    public void close() {
        for (Group g : groups) {
            if (g != null) {
                g.clear();
            }
        }
    }

    /** The shards of one group kept while it is incomplete. */
    private static final class Group {
        final ByteBuf[] shards;
        long id;
        boolean inUse;
        int count;
        int dataCount;

        Group(int totalShards) {
            this.shards = new ByteBuf[totalShards];
        }

        void open(long groupId) {
            id = groupId;
            inUse = true;
        }

        void clear() {
            for (int i = 0; i < shards.length; i++) {
                if (shards[i] != null) {
                    shards[i].release();
                    shards[i] = null;
                }
            }
            inUse = false;
            count = 0;
            dataCount = 0;
        }
    }
}
