package io.janus.transport.kcp.protocol;

import io.janus.api.Reason;
import io.netty.buffer.ByteBuf;

/**
 * Checks a datagram before any state exists for it, walking its segments as {@link Kcp#input} would
 * (skywind3000/kcp segment layout), so a listener can drop garbage without replying and without opening a
 * session. Also recognises the close marker of bare KCP conversations (see {@link #CMD_CLOSE}).
 */
public final class KcpDatagrams {

    /**
     * Janus's close marker for bare KCP conversations (no smux, whose FIN does this job): one 24-byte
     * header with command 85, {@code sn} set to the sequence number after the sender's last data segment
     * and every other field but {@code conv} zero. The side that closes sends it when it closes and again
     * when the peer acknowledged everything; the receiver closes once it received every segment before
     * {@code sn}. KCP has no close of its own; kcp-go drops a datagram with this command as an unknown
     * one.
     */
    public static final int CMD_CLOSE = 85;

    private KcpDatagrams() {
    }

    /**
     * Walks every segment of a datagram without consuming it.
     *
     * @param datagram the datagram; not modified, not released
     * @return {@link Reason#OK}, or why it is not a KCP datagram of a single conversation
     */
    public static Reason check(ByteBuf datagram) {
        int index = datagram.readerIndex();
        int end = datagram.writerIndex();
        if (end - index < Kcp.OVERHEAD) {
            return Reason.KCP_MALFORMED_SEGMENT;
        }
        int conv = datagram.getIntLE(index);
        while (end - index >= Kcp.OVERHEAD) {
            if (datagram.getIntLE(index) != conv) {
                return Reason.KCP_CONV_MISMATCH;
            }
            int cmd = datagram.getUnsignedByte(index + 4);
            if (cmd < Kcp.CMD_PUSH || cmd > Kcp.CMD_WINS) {
                return Reason.KCP_UNKNOWN_COMMAND;
            }
            long len = datagram.getUnsignedIntLE(index + 20);
            if (len > end - index - Kcp.OVERHEAD) {
                return Reason.KCP_MALFORMED_SEGMENT;
            }
            index += Kcp.OVERHEAD + (int) len;
        }
        return Reason.OK;
    }

    /**
     * Whether a checked datagram can open a conversation: it carries the first data segment (PUSH with
     * sequence number 0). Later segments of a conversation the listener no longer knows are stale.
     *
     * @param datagram a datagram {@link #check} accepted; not modified
     * @return whether it holds PUSH sn 0
     */
    public static boolean opensConversation(ByteBuf datagram) {
        int index = datagram.readerIndex();
        int end = datagram.writerIndex();
        while (end - index >= Kcp.OVERHEAD) {
            if (datagram.getUnsignedByte(index + 4) == Kcp.CMD_PUSH && datagram.getIntLE(index + 12) == 0) {
                return true;
            }
            index += Kcp.OVERHEAD + (int) datagram.getUnsignedIntLE(index + 20);
        }
        return false;
    }

    /**
     * The conversation id of a datagram at least one header long.
     *
     * @param datagram the datagram; not modified
     * @return its first segment's conv
     */
    public static int conv(ByteBuf datagram) {
        return datagram.getIntLE(datagram.readerIndex());
    }

    /**
     * Whether a datagram is the close marker of conversation {@code conv}.
     *
     * @param datagram the datagram; not modified
     * @param conv the conversation
     * @return whether it is the marker
     */
    public static boolean isClose(ByteBuf datagram, int conv) {
        return datagram.readableBytes() == Kcp.OVERHEAD && datagram.getIntLE(datagram.readerIndex()) == conv
                && datagram.getUnsignedByte(datagram.readerIndex() + 4) == CMD_CLOSE;
    }

    /**
     * Writes the close marker of a conversation.
     *
     * @param out where to write it
     * @param conv the conversation
     * @param sn the sequence number after the sender's last data segment
     * @return {@code out}
     */
    public static ByteBuf writeClose(ByteBuf out, int conv, int sn) {
        return out.writeIntLE(conv).writeByte(CMD_CLOSE).writeZero(7).writeIntLE(sn).writeZero(8);
    }

    /**
     * The sequence number a close marker carries.
     *
     * @param marker a datagram {@link #isClose} accepted
     * @return the sequence number after the sender's last data segment
     */
    public static int closeSn(ByteBuf marker) {
        return marker.getIntLE(marker.readerIndex() + 12);
    }
}
