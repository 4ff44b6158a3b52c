package io.janus.transport.kcp.fec;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * kcp-go's packet header: the 16-byte nonce and the 4-byte CRC32 that a kcp-go session configured
 * with a block cipher puts in front of every datagram.
 *
 * <pre>
 * | nonce (16 bytes, random) | crc32 (4 bytes, little-endian) | body (FEC shard or KCP segments) |
 *                            |&lt;- the checksum covers only the body ------------------------&gt;|
 * </pre>
 *
 * <p>The checksum is CRC-32 with the IEEE 802.3 polynomial (0x04C11DB7, reflected; ISO-HDLC, as in
 * RFC 1952 section 8 and Go's {@code crc32.ChecksumIEEE}, which is what {@link CRC32} computes). kcp-go
 * then encrypts the whole datagram with the block cipher; only the {@code none} cipher (identity) is
 * supported here, so the nonce is noise that need not be unpredictable, and it comes from
 * {@link ThreadLocalRandom}, which never blocks.
 *
 * @see <a href="https://github.com/xtaci/kcp-go/blob/master/sess.go">kcp-go sess.go ({@code output},
 *     {@code packetInput})</a>
 */
public final class KcpGoHeader {

    /** Bytes of the random nonce. */
    public static final int NONCE_SIZE = 16;

    /** Bytes of the CRC32. */
    public static final int CRC_SIZE = 4;

    /** Bytes of the whole header. */
    public static final int SIZE = NONCE_SIZE + CRC_SIZE;

    private KcpGoHeader() {
    }

    /**
     * Checks the header at the datagram's reader index and skips it.
     *
     * @param datagram the datagram; its reader index moves past the header on success. Not released:
     *     the caller keeps ownership
     * @throws ProtocolException {@link Reason#KCPGO_DATAGRAM_TOO_SHORT} when the datagram holds no body
     *     after the header, {@link Reason#KCPGO_CHECKSUM_MISMATCH} when the CRC32 does not match; the
     *     reader index is then unchanged
     */
    public static void verifyAndSkip(ByteBuf datagram) {
        requireNonNull(datagram, "datagram");
        int readable = datagram.readableBytes();
        if (readable <= SIZE) {
            throw new ProtocolException(Reason.KCPGO_DATAGRAM_TOO_SHORT, "kcp-go datagram of " + readable
                    + " bytes (expected: more than the " + SIZE + "-byte nonce and CRC32 header)");
        }
        int start = datagram.readerIndex();
        int expected = datagram.getIntLE(start + NONCE_SIZE);
        int actual = crc32(datagram, start + SIZE, readable - SIZE);
        if (expected != actual) {
            throw new ProtocolException(Reason.KCPGO_CHECKSUM_MISMATCH, "kcp-go datagram CRC32 0x"
                    + Integer.toHexString(expected) + " does not match its body's 0x"
                    + Integer.toHexString(actual));
        }
        datagram.skipBytes(SIZE);
    }

    /**
     * Fills in the header of a datagram whose first {@link #SIZE} readable bytes were reserved for it:
     * a fresh random nonce and the CRC32 of the rest.
     *
     * @param datagram the datagram; indexes unchanged. Not released: the caller keeps ownership
     * @throws IllegalArgumentException when the datagram is shorter than the header
     */
    public static void seal(ByteBuf datagram) {
        requireNonNull(datagram, "datagram");
        int readable = datagram.readableBytes();
        if (readable < SIZE) {
            throw new IllegalArgumentException("datagram of " + readable + " bytes (expected: at least "
                    + SIZE + " reserved for the header)");
        }
        int start = datagram.readerIndex();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        datagram.setLong(start, random.nextLong());
        datagram.setLong(start + 8, random.nextLong());
        datagram.setIntLE(start + NONCE_SIZE, crc32(datagram, start + SIZE, readable - SIZE));
    }

    /**
     * Returns the CRC-32 (IEEE) of a region of a buffer, without copying when the buffer exposes its
     * memory.
     *
     * @param buf the buffer; not released
     * @param index the first byte
     * @param length the number of bytes
     * @return the checksum, as Go's {@code crc32.ChecksumIEEE} returns it
     */
    public static int crc32(ByteBuf buf, int index, int length) {
        requireNonNull(buf, "buf");
        CRC32 crc = new CRC32();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            ByteBuffer nio = buf.nioBuffer(index, length);
            crc.update(nio);
        } else {
            byte[] copy = new byte[length];
            buf.getBytes(index, copy);
            crc.update(copy);
        }
        return (int) crc.getValue();
    }
}
