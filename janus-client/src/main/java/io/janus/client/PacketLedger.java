package io.janus.client;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client's bookkeeping for session resume (docs/protocol.md, section 14, "Numbering"), for one
 * logical session across its connections. Not thread-safe: confined to the session's event loop.
 *
 * <ul>
 *   <li>Gateway packets: {@link #received()} counts the packet records opened (the LoginResponse is 1;
 *       the answer to a RESUME is not counted). An ack is due when {@value #ACK_EVERY} or more are unacked,
 *       or when the oldest unacked one arrived {@value #ACK_DELAY_MILLIS} ms ago.</li>
 *   <li>Client packets: every packet after the LOGIN (not the LOGIN, not a RESUME) gets the next number
 *       and is kept, without its ack field, until the gateway confirms it processed it: an answer to a
 *       request numbered n confirms 1..n (the gateway reads a connection in order), and a ResumeResponse
 *       says how many it processed. What is kept is bounded by count and by bytes. A packet that does not
 *       fit is still numbered and sent, but not kept: until the gateway confirms past it the session
 *       cannot resume ({@link #canResend()}), and a resume that would need it fails with
 *       {@link Reason#REPLAY_OVERFLOW}. Requests are never refused for the bound; only resumability is at
 *       stake, and only while such a burst is unconfirmed.</li>
 * </ul>
 */
final class PacketLedger {

    /** Unacked gateway packets that make an ack due at once. */
    static final int ACK_EVERY = 32;
    /** Age of the oldest unacked gateway packet that makes an ack due. */
    static final long ACK_DELAY_MILLIS = 1000;

    private final int maxPackets;
    private final long maxBytes;
    private long received;
    private long acked;
    private long oldestUnackedNanos;
    private long sent;
    private long confirmed;
    /** The highest number sent without being kept; 0 for none. */
    private long unkeptThrough;
    private long keptBytes;
    // Bounded by maxPackets and maxBytes (record() keeps only what fits); ascending numbers.
    private final ArrayDeque<Kept> kept = new ArrayDeque<>();

    private static final class Kept {
        final long number;
        final Packet packet;
        final int size;

        Kept(long number, Packet packet) {
            this.number = number;
            this.packet = packet;
            this.size = packet.getSerializedSize();
        }
    }

    PacketLedger(int maxPackets, long maxBytes) {
        if (maxPackets < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("resend buffer: " + maxPackets + " packets, " + maxBytes
                    + " bytes (expected: both >= 1)");
        }
        this.maxPackets = maxPackets;
        this.maxBytes = maxBytes;
    }

    /** Counts one gateway packet record opened at {@code nowNanos}; returns the new count. */
    long onReceived(long nowNanos) {
        if (received == acked) {
            oldestUnackedNanos = nowNanos;
        }
        return ++received;
    }

    /** Gateway packets counted so far. */
    long received() {
        return received;
    }

    /** Gateway packets received and not yet acked. */
    long unacked() {
        return received - acked;
    }

    /** Whether an ack should go out now, with a one-way heartbeat if nothing else is being sent. */
    boolean ackDue(long nowNanos) {
        long unacked = received - acked;
        return unacked >= ACK_EVERY
                || unacked > 0 && nowNanos - oldestUnackedNanos >= ACK_DELAY_MILLIS * 1_000_000L;
    }

    /** When the pending ack becomes due by age, or -1 when nothing is unacked. */
    long ackDeadlineNanos() {
        return received == acked ? -1 : oldestUnackedNanos + ACK_DELAY_MILLIS * 1_000_000L;
    }

    /**
     * The value for {@code Packet.ack} of a packet going out now: the received count when it advanced
     * since the last ack sent (which it then becomes), else 0 ("no news").
     */
    long takeAck() {
        if (received == acked) {
            return 0;
        }
        acked = received;
        return received;
    }

    /** Records that the gateway learnt {@code count} from a RESUME request, as if it was an ack. */
    void ackedByResume(long count) {
        acked = Math.max(acked, count);
    }

    /** Whether a packet of {@code bytes} would be kept now. */
    boolean hasRoom(int bytes) {
        return kept.size() < maxPackets && keptBytes + bytes <= maxBytes;
    }

    /** Whether at least half the bound is in use: time to ask the gateway for a confirmation. */
    boolean halfFull() {
        return kept.size() * 2 >= maxPackets || keptBytes * 2 >= maxBytes;
    }

    /**
     * Numbers a client packet and keeps it when it fits in the bound.
     *
     * @param packet the packet without its ack
     * @return its number
     */
    long record(Packet packet) {
        long number = ++sent;
        Kept k = new Kept(number, packet);
        if (kept.size() < maxPackets && keptBytes + k.size <= maxBytes) {
            kept.addLast(k);
            keptBytes += k.size;
        } else {
            unkeptThrough = number;
        }
        return number;
    }

    /** Whether the packet just recorded was kept. */
    boolean lastKept() {
        return unkeptThrough != sent;
    }

    /** Whether every client packet the gateway may not have processed is kept: a resume can resend them. */
    boolean canResend() {
        return unkeptThrough <= confirmed;
    }

    /** Client packets numbered so far. */
    long sent() {
        return sent;
    }

    /** Client packets the gateway is known to have processed. */
    long confirmed() {
        return confirmed;
    }

    /** Packets kept for a resend. */
    int keptPackets() {
        return kept.size();
    }

    /** Bytes kept for a resend. */
    long keptBytes() {
        return keptBytes;
    }

    /**
     * The gateway processed client packets 1..{@code processed} (an answer to packet {@code processed});
     * frees them. A count at or below what is already confirmed changes nothing.
     */
    void confirm(long processed) {
        if (processed > sent) {
            throw new ProtocolException(Reason.PROTOCOL_VIOLATION, "the gateway confirmed client packet "
                    + processed + " but only " + sent + " were sent");
        }
        while (!kept.isEmpty() && kept.peekFirst().number <= processed) {
            keptBytes -= kept.removeFirst().size;
        }
        confirmed = Math.max(confirmed, processed);
    }

    /**
     * Applies a ResumeResponse's count of client packets the gateway processed and returns, in order,
     * the packets to send again.
     *
     * @throws ProtocolException with {@link Reason#PROTOCOL_VIOLATION} when the count is below what the
     *         gateway already confirmed or above what was sent, with {@link Reason#REPLAY_OVERFLOW} when
     *         a packet to resend was not kept
     */
    List<Packet> resumeFrom(long processed) {
        if (processed < confirmed || processed > sent) {
            throw new ProtocolException(Reason.PROTOCOL_VIOLATION, "the gateway says it processed " + processed
                    + " client packets; expected between " + confirmed + " and " + sent);
        }
        confirm(processed);
        if (!canResend()) {
            throw new ProtocolException(Reason.REPLAY_OVERFLOW, "client packets up to " + unkeptThrough
                    + " passed the resend buffer's bound (" + maxPackets + " packets, " + maxBytes
                    + " bytes) and the gateway processed only " + processed + ": they cannot be resent");
        }
        List<Packet> resend = new java.util.ArrayList<>(kept.size());
        for (Kept k : kept) {
            resend.add(k.packet);
        }
        return resend;
    }
}
