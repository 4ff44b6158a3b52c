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
    /** Parallel to {@link #entries}: when each was sent (or replayed), {@link System#nanoTime()}. */
    private final Times sentAt = new Times();
    private long sent;
    private long acked;
    private long bytes;
    private boolean released;
    /** Client packets (after its LOGIN) the gateway processed, across connections. */
    private long clientPackets;
    /** Whether a resume of the session is under way. */
    private boolean resuming;

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
        return append(packet, System.nanoTime(), 0);
    }

    /**
     * Numbers a packet sent now to a connected client and keeps it, unless the oldest packet kept has
     * waited for its acknowledgement longer than {@code maxAgeNanos}. Takes ownership of {@code packet}.
     *
     * @param packet the encoded packet (record plaintext)
     * @param nowNanos {@link System#nanoTime()}
     * @param maxAgeNanos the longest a packet may stay unacknowledged; 0 for no bound (a detached session)
     * @return as {@link #append(ByteBuf)}; {@link #TOO_OLD} when the oldest packet is older than the bound
     *     (the packet and the whole buffer are released)
     */
    synchronized long append(ByteBuf packet, long nowNanos, long maxAgeNanos) {
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
        if (maxAgeNanos > 0 && sentAt.size() > 0 && nowNanos - sentAt.first() > maxAgeNanos) {
            packet.release();
            release();
            return TOO_OLD;
        }
        entries.addLast(packet);
        sentAt.addLast(nowNanos);
        bytes += size;
        return ++sent;
    }

    /** What {@link #append(ByteBuf, long, long)} answers when the oldest packet waited too long. */
    static final long TOO_OLD = -2;

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
            sentAt.removeFirst();
            bytes -= dropped.readableBytes();
            dropped.release();
            acked++;
        }
    }

    /**
     * Counts a client packet and applies the acknowledgement it carries.
     *
     * @param ack {@code Packet.ack}
     * @throws ProtocolException as {@link #ack} does
     */
    synchronized void clientPacket(long ack) {
        clientPackets++;
        ack(ack);
    }

    /** Client packets processed, across connections. */
    synchronized long clientPackets() {
        return clientPackets;
    }

    /** Claims the session for one resume; false while another is under way. */
    synchronized boolean beginResume() {
        if (resuming) {
            return false;
        }
        resuming = true;
        return true;
    }

    /** The resume claimed by {@link #beginResume} is over. */
    synchronized void endResume() {
        resuming = false;
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
        sentAt.setAll(System.nanoTime()); // sent again now: their acknowledgement clock starts again
        for (ByteBuf entry : entries) {
            replay.add(entry.retainedDuplicate());
        }
        return replay;
    }

    /**
     * Copies of the packets held numbered above {@code number}, oldest first: what a session handed over
     * to another gateway forwards (docs/protocol.md, section 14.6).
     *
     * @param number a packet number, at least {@link #acked}
     * @return the copies; empty when released
     */
    synchronized List<byte[]> copyAfter(long number) {
        List<byte[]> copies = new ArrayList<>();
        long n = acked;
        for (ByteBuf entry : entries) {
            if (++n > number) {
                byte[] bytes = new byte[entry.readableBytes()];
                entry.getBytes(entry.readerIndex(), bytes);
                copies.add(bytes);
            }
        }
        return copies;
    }

    /**
     * A buffer continuing the numbering of a session handed over by another gateway.
     *
     * @param maxPackets this gateway's bound
     * @param maxBytes this gateway's bound
     * @param sent packets numbered so far
     * @param acked packets acknowledged
     * @param clientPackets client packets processed
     * @param packets the packets numbered {@code acked + 1} to {@code sent}, encoded; ownership passes here
     * @return the buffer
     * @throws IllegalArgumentException when the counts do not add up or the packets pass this gateway's
     *     bounds (the packets are released)
     */
    static ReplayBuffer restore(int maxPackets, long maxBytes, long sent, long acked, long clientPackets,
            List<ByteBuf> packets) {
        ReplayBuffer buffer = new ReplayBuffer(maxPackets, maxBytes);
        long total = 0;
        for (ByteBuf packet : packets) {
            total += packet.readableBytes();
        }
        if (acked < 0 || sent < acked || clientPackets < 0 || sent - acked != packets.size()
                || packets.size() > maxPackets || total > maxBytes) {
            for (ByteBuf packet : packets) {
                packet.release();
            }
            throw new IllegalArgumentException("handed-over state with " + packets.size() + " packets of " + total
                    + " bytes for sent " + sent + ", acked " + acked + " (bounds: " + maxPackets + " packets, "
                    + maxBytes + " bytes)");
        }
        buffer.entries.addAll(packets);
        long now = System.nanoTime();
        for (int i = 0; i < packets.size(); i++) {
            buffer.sentAt.addLast(now);
        }
        buffer.bytes = total;
        buffer.sent = sent;
        buffer.acked = acked;
        buffer.clientPackets = clientPackets;
        return buffer;
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
        sentAt.clear();
        while ((entry = entries.pollFirst()) != null) {
            entry.release();
        }
        bytes = 0;
    }

    /** Whether {@link #release} ran. */
    synchronized boolean isReleased() {
        return released;
    }

    /** A growable ring of longs: one per packet kept, without a boxed {@code Long} each. */
    private static final class Times {
        private long[] ring = new long[0];
        private int head;
        private int size;

        int size() {
            return size;
        }

        long first() {
            return ring[head];
        }

        void addLast(long value) {
            if (size == ring.length) {
                long[] grown = new long[Math.max(8, ring.length * 2)];
                for (int i = 0; i < size; i++) {
                    grown[i] = ring[(head + i) % ring.length];
                }
                ring = grown;
                head = 0;
            }
            ring[(head + size) % ring.length] = value;
            size++;
        }

        void removeFirst() {
            head = (head + 1) % ring.length;
            size--;
        }

        void setAll(long value) {
            for (int i = 0; i < size; i++) {
                ring[(head + i) % ring.length] = value;
            }
        }

        void clear() {
            ring = new long[0];
            head = 0;
            size = 0;
        }
    }
}
