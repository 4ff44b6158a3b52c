package io.janus.core.internal;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The numbered packets a resumable session sent and the client has not acknowledged yet
 * (docs/protocol.md, section 14): the encoded plaintext of each packet record, retained, in sending
 * order. Packet {@code n} is the n-th packet record of the session (the LoginResponse is 1).
 *
 * <p>Bounded by packets and by bytes: {@link #append} refuses a packet that would pass either bound,
 * and the buffer is then released; the session closes with {@link Reason#REPLAY_OVERFLOW}.
 *
 * <p>Thread-safe: every method holds this object's monitor. {@link DefaultSession} also holds it around
 * its attach and detach steps, so that numbering and the choice of connection happen atomically.
 */
final class ReplayBuffer {

    private final int maxPackets;
    private final long maxBytes;
    /** Packets numbered {@code acked + 1 .. sent}, oldest first; each retained, released when dropped. */
    private final ArrayDeque<ByteBuf> entries = new ArrayDeque<>();
    private long sent;
    private long acked;
    private long bytes;
    private boolean released;

    ReplayBuffer(int maxPackets, long maxBytes) {
        this.maxPackets = maxPackets;
        this.maxBytes = maxBytes;
    }

    /**
     * Numbers a packet and keeps it. Takes ownership of {@code packet} in every case.
     *
     * @param packet the encoded packet (record plaintext)
     * @return its number; 0 when the buffer is released (the packet is released, not numbered); -1 when it
     *     would pass a bound (the packet and the whole buffer are released)
     */
    synchronized long append(ByteBuf packet) {
        if (released) {
            packet.release();
            return 0;
        }
        int size = packet.readableBytes();
        if (entries.size() >= maxPackets || bytes + size > maxBytes) {
            packet.release();
            release();
            return -1;
        }
        entries.addLast(packet);
        bytes += size;
        return ++sent;
    }

    /**
     * Applies an acknowledgement from the client: frees every packet numbered up to {@code ack}.
     *
     * @param ack the client's received count; 0 carries no news and is ignored
     * @throws ProtocolException with {@link Reason#PROTOCOL_VIOLATION} when {@code ack} is above the
     *     packets sent or below an earlier acknowledgement
     */
    synchronized void ack(long ack) {
        if (ack == 0 || released) {
            return;
        }
        if (ack > sent || ack < 0) {
            throw new ProtocolException(Reason.PROTOCOL_VIOLATION, "ack " + Long.toUnsignedString(ack)
                    + " is above the " + sent + " packets the gateway sent");
        }
        if (ack < acked) {
            throw new ProtocolException(Reason.PROTOCOL_VIOLATION, "ack " + ack + " is below the earlier ack "
                    + acked);
        }
        while (acked < ack) {
            ByteBuf dropped = entries.pollFirst();
            bytes -= dropped.readableBytes();
            dropped.release();
            acked++;
        }
    }

    /**
     * Whether a resuming client's received count is possible: between the acknowledged and the sent
     * count.
     *
     * @param received the count from the ResumeRequest
     * @return whether it is
     */
    synchronized boolean accepts(long received) {
        return !released && received >= acked && received <= sent;
    }

    /**
     * Frees the packets the client has (numbered up to {@code received}) and hands out the others for
     * replay, oldest first.
     *
     * @param received the resuming client's count, {@link #accepts accepted}
     * @return retained duplicates; the caller owns and must release them (writing them does)
     */
    synchronized List<ByteBuf> replayAfter(long received) {
        ack(received);
        List<ByteBuf> replay = new ArrayList<>(entries.size());
        for (ByteBuf entry : entries) {
            replay.add(entry.retainedDuplicate());
        }
        return replay;
    }

    /** Packets numbered so far. */
    synchronized long sent() {
        return sent;
    }

    /** The highest acknowledgement applied. */
    synchronized long acked() {
        return acked;
    }

    /** Packets held now. */
    synchronized int size() {
        return entries.size();
    }

    /** Bytes held now. */
    synchronized long bytes() {
        return bytes;
    }

    /** Releases every packet held; later appends are released at once. Idempotent. */
    synchronized void release() {
        released = true;
        ByteBuf entry;
        while ((entry = entries.pollFirst()) != null) {
            entry.release();
        }
        bytes = 0;
    }

    /** Whether {@link #release} ran. */
    synchronized boolean isReleased() {
        return released;
    }
}
