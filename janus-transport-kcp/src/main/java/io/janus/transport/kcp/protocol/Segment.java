package io.janus.transport.kcp.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One KCP segment in a queue of a {@link Kcp} engine: the header fields of the wire format plus the
 * sender's retransmission state. Owns {@link #data}, released when the segment leaves its queue.
 */
final class Segment {

    int conv;
    int cmd;
    int frg;
    int wnd;
    int ts;
    int sn;
    int una;
    /** When (engine clock) the segment is retransmitted next. */
    int resendts;
    /** The current retransmission timeout of this segment. */
    int rto;
    /** How many later segments were acknowledged while this one was not. */
    int fastack;
    /** How many times the segment was sent. */
    int xmit;
    /** The payload; owned by the segment. */
    ByteBuf data;

    Segment(ByteBuf data) {
        this.data = data;
    }

    int length() {
        return data == null ? 0 : data.readableBytes();
    }

    void release() {
        if (data != null) {
            data.release();
            data = null;
        }
    }

    /** Writes the 24-byte header (little-endian, skywind3000/kcp ikcp_encode_seg) to {@code out}. */
    void encodeHeader(ByteBuf out) {
        out.writeIntLE(conv);
        out.writeByte(cmd);
        out.writeByte(frg);
        out.writeShortLE(wnd);
        out.writeIntLE(ts);
        out.writeIntLE(sn);
        out.writeIntLE(una);
        out.writeIntLE(length());
    }
}
