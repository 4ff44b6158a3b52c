package io.janus.transport.kcp.fec;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The 24-byte header of a KCP segment (ikcp.c {@code ikcp_encode_seg}, little-endian as kcp-go sends
 * it), parsed only so the tests can check that what the FEC layer hands up is well-formed KCP.
 */
record KcpSegment(long conv, int cmd, int frg, int wnd, long ts, long sn, long una, int len) {

    static final int HEADER = 24;
    static final int CMD_PUSH = 81;
    static final int CMD_ACK = 82;

    /**
     * Parses every segment of a KCP payload; fails when a header is cut short or a declared length
     * runs past the end.
     */
    static List<KcpSegment> parseAll(ByteBuf payload) {
        List<KcpSegment> segments = new ArrayList<>();
        int i = payload.readerIndex();
        int end = payload.writerIndex();
        while (i < end) {
            if (end - i < HEADER) {
                throw new AssertionError("KCP segment header cut short: " + (end - i) + " bytes left");
            }
            KcpSegment s = new KcpSegment(payload.getUnsignedIntLE(i), payload.getUnsignedByte(i + 4),
                    payload.getUnsignedByte(i + 5), payload.getUnsignedShortLE(i + 6),
                    payload.getUnsignedIntLE(i + 8), payload.getUnsignedIntLE(i + 12),
                    payload.getUnsignedIntLE(i + 16), (int) payload.getUnsignedIntLE(i + 20));
            if (s.len < 0 || s.len > end - i - HEADER) {
                throw new AssertionError("KCP segment declares " + s.len + " bytes, " + (end - i - HEADER)
                        + " left");
            }
            segments.add(s);
            i += HEADER + s.len;
        }
        return segments;
    }

    /** Writes a segment with the given fields and data. */
    static void write(ByteBuf out, long conv, int cmd, int wnd, long ts, long sn, long una, byte[] data) {
        out.writeIntLE((int) conv);
        out.writeByte(cmd);
        out.writeByte(0);
        out.writeShortLE(wnd);
        out.writeIntLE((int) ts);
        out.writeIntLE((int) sn);
        out.writeIntLE((int) una);
        out.writeIntLE(data.length);
        out.writeBytes(data);
    }
}
