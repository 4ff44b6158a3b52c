package io.janus.core.protocol;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.PacketFlag;
import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compresses and inflates packet bodies (docs/protocol.md, section 7, "Compression"). A body is a zlib
 * stream (RFC 1950) wrapping DEFLATE data (RFC 1951), and the packet says so with
 * {@link PacketFlag#PACKET_FLAG_COMPRESSED} in {@code flags}. Used by the gateway and by janus-client,
 * placed after {@link PacketCodec} and before the session logic.
 *
 * <p>Outbound: when compression is on, a body strictly longer than the threshold is deflated and the
 * flag set; a body that does not get smaller is sent as it is. Inbound: a flagged body is inflated and
 * the flag cleared. The inflated size is checked while inflating, so a compression bomb costs no more
 * than {@code maxInflatedBytes}; a body that inflates past it, or a flagged body when compression is
 * off, raises a {@link ProtocolException} with {@link Reason#BODY_TOO_LARGE}, and a body that is not one
 * whole zlib stream raises one with {@link Reason#MALFORMED_PACKET}.
 *
 * <p>A handler made with the constructor serves one channel; {@link #of} and {@link #off()} give
 * sharable ones, which the session layer installs, for the settings hold nothing per session. The
 * zlib state is per thread, not per session: a default {@link Deflater} holds about 256 KiB of native memory, which a gateway with
 * 100,000 sessions cannot afford for each. Every use runs to completion on the channel's event loop, so
 * one {@link Deflater}, one {@link Inflater} and one scratch buffer per event-loop thread, reset after
 * each use, serve all its sessions; they are freed when the thread ends. Packets are not reference
 * counted; nothing here needs releasing by the caller.
 */
public final class CompressionHandler extends MessageToMessageCodec<Packet, Packet> {

    /** The bytes produced by one call to zlib, and the size of the reused scratch buffer. */
    private static final int CHUNK = 8192;

    /** The first buffer of an inflated body, before it is known how large the body is. */
    private static final int MIN_INFLATE_BUFFER = 256;

    private static final int COMPRESSED = PacketFlag.PACKET_FLAG_COMPRESSED_VALUE;

    private final int threshold;
    private final int maxInflatedBytes;

    /** The zlib state of one thread, shared by the sessions that thread serves. */
    private static final class Zlib {
        final Deflater deflater = new Deflater();
        final Inflater inflater = new Inflater();
        final byte[] chunk = new byte[CHUNK];
    }

    private static final FastThreadLocal<Zlib> ZLIB = new FastThreadLocal<>() {
        @Override
        protected Zlib initialValue() {
            return new Zlib();
        }

        @Override
        protected void onRemoval(Zlib zlib) {
            zlib.deflater.end();
            zlib.inflater.end();
        }
    };

    /**
     * The handler of every session that did not negotiate compression (docs/benchmarks.md, scenario 3:
     * a handler costs about 100 bytes per session when each has its own).
     */
    private static final CompressionHandler OFF = new CompressionHandler(0, 1, true);

    /** The shared handler of the settings asked for last; one gateway asks for the same ones each time. */
    private static volatile CompressionHandler lastShared = OFF;

    /** Whether this instance serves many channels: it then holds nothing per channel. */
    private final boolean shared;
    private boolean released;

    /**
     * The handler of sessions that did not negotiate compression: shared, {@linkplain #isSharable()
     * sharable}; it refuses a body flagged as compressed.
     *
     * @return the shared handler
     */
    public static CompressionHandler off() {
        return OFF;
    }

    /**
     * A {@linkplain #isSharable() sharable} handler for the given settings, for the pipelines of many
     * sessions: nothing in it is per session (the zlib state is per thread, see above). It is the same
     * instance for the same settings as the last call; unlike a handler made with the constructor, it
     * never refuses work once a channel it serves has closed.
     *
     * @param threshold as for {@link #CompressionHandler(int, int)}
     * @param maxInflatedBytes as for {@link #CompressionHandler(int, int)}
     * @return the shared handler
     * @throws IllegalArgumentException as the constructor does
     */
    public static CompressionHandler of(int threshold, int maxInflatedBytes) {
        if (threshold == 0) {
            return OFF;
        }
        CompressionHandler last = lastShared;
        if (last.threshold == threshold && last.maxInflatedBytes == maxInflatedBytes) {
            return last;
        }
        CompressionHandler made = new CompressionHandler(threshold, maxInflatedBytes, true);
        lastShared = made;
        return made;
    }

    /**
     * Whether this handler may be in several pipelines: the instances of {@link #off()} and
     * {@link #of}, which hold nothing per channel.
     *
     * @return {@code true} for a shared instance
     */
    @Override
    public boolean isSharable() {
        return shared;
    }

    /**
     * Creates a handler for one channel.
     *
     * @param threshold bodies strictly longer than this many bytes are compressed on the way out; 0 turns
     *     compression off for the session (as negotiated in the handshake), and a compressed body
     *     arriving is then refused
     * @param maxInflatedBytes the largest body an inbound compressed body may inflate to
     * @throws IllegalArgumentException if {@code threshold} is negative or {@code maxInflatedBytes} is
     *     not positive
     */
    public CompressionHandler(int threshold, int maxInflatedBytes) {
        this(threshold, maxInflatedBytes, false);
    }

    private CompressionHandler(int threshold, int maxInflatedBytes, boolean shared) {
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold: " + threshold + " (expected: >= 0)");
        }
        if (maxInflatedBytes <= 0) {
            throw new IllegalArgumentException("maxInflatedBytes: " + maxInflatedBytes + " (expected: > 0)");
        }
        this.threshold = threshold;
        this.maxInflatedBytes = maxInflatedBytes;
        this.shared = shared;
    }

    /**
     * Deflates the body of an outbound packet when compression is on, the body is longer than the
     * threshold, the packet is not already flagged and deflating makes it smaller; otherwise passes the
     * packet on unchanged.
     */
    @Override
    protected void encode(ChannelHandlerContext ctx, Packet packet, List<Object> out) {
        out.add(compress(packet));
    }

    /**
     * Inflates the body of an inbound packet flagged as compressed and clears the flag; passes any other
     * packet on unchanged.
     *
     * @throws ProtocolException with {@link Reason#BODY_TOO_LARGE} or {@link Reason#MALFORMED_PACKET}
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, Packet packet, List<Object> out) {
        out.add(inflate(packet));
    }

    /**
     * Stops this session's use of compression.
     *
     * @param ctx the context
     * @throws Exception never thrown here; declared by the overridden method
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        release();
        super.handlerRemoved(ctx);
    }

    /**
     * Stops this session's use of compression, then passes the event on.
     *
     * @param ctx the context
     * @throws Exception if a later handler throws
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    private Packet compress(Packet packet) {
        ByteString body = packet.getBody();
        int size = body.size();
        // Once released (the channel is closed) packets go out as they are: compressing is only a MAY.
        if (threshold == 0 || size <= threshold || (packet.getFlags() & COMPRESSED) != 0 || released) {
            return packet;
        }
        Deflater d = deflater();
        byte[] buf = chunk();
        ByteString.Output compressed = ByteString.newOutput(Math.min(size, CHUNK));
        try {
            d.setInput(body.asReadOnlyByteBuffer());
            d.finish();
            // Never produce as many bytes as the original: at that point compressing has lost.
            while (!d.finished()) {
                int room = size - compressed.size();
                if (room <= 0) {
                    return packet;
                }
                int n = d.deflate(buf, 0, Math.min(room, buf.length));
                if (n == 0 && !d.finished()) {
                    throw new IllegalStateException(
                            "the deflater made no progress on a body of " + size + " bytes");
                }
                compressed.write(buf, 0, n);
            }
        } finally {
            d.reset();
        }
        if (compressed.size() >= size) {
            return packet;
        }
        return packet.toBuilder()
                .setBody(compressed.toByteString())
                .setFlags(packet.getFlags() | COMPRESSED)
                .build();
    }

    private Packet inflate(Packet packet) {
        if ((packet.getFlags() & COMPRESSED) == 0) {
            return packet;
        }
        if (threshold == 0) {
            throw new ProtocolException(Reason.BODY_TOO_LARGE,
                    "a compressed body arrived but compression is off for this session");
        }
        if (released) {
            throw new IllegalStateException("the compression handler was released; its channel is closed");
        }
        ByteString body = packet.getBody();
        Inflater inf = inflater();
        byte[] buf = chunk();
        // Sized from the compressed body, not from the limit: a small packet costs a small buffer.
        ByteString.Output inflated = ByteString.newOutput(
                (int) Math.min(CHUNK, Math.max(MIN_INFLATE_BUFFER, 2L * body.size())));
        try {
            inf.setInput(body.asReadOnlyByteBuffer());
            while (!inf.finished()) {
                int remainingBefore = inf.getRemaining();
                // One byte past the limit is enough to know the body is too large.
                long wanted = (long) maxInflatedBytes - inflated.size() + 1;
                int n = inf.inflate(buf, 0, (int) Math.min(buf.length, wanted));
                if (inflated.size() + n > maxInflatedBytes) {
                    throw new ProtocolException(Reason.BODY_TOO_LARGE,
                            "a compressed body inflates past maxInflatedBytes " + maxInflatedBytes);
                }
                inflated.write(buf, 0, n);
                if (n == 0 && !inf.finished()) {
                    if (inf.needsDictionary()) {
                        throw new ProtocolException(Reason.MALFORMED_PACKET,
                                "a compressed body asks for a preset dictionary (expected: none)");
                    }
                    if (inf.needsInput()) {
                        throw new ProtocolException(Reason.MALFORMED_PACKET, "a compressed body of "
                                + body.size() + " bytes ends before its zlib stream does");
                    }
                    if (inf.getRemaining() == remainingBefore) {
                        throw new ProtocolException(Reason.MALFORMED_PACKET,
                                "a compressed body of " + body.size() + " bytes makes no progress inflating");
                    }
                }
            }
            if (inf.getRemaining() > 0) {
                throw new ProtocolException(Reason.MALFORMED_PACKET, "a compressed body has "
                        + inf.getRemaining() + " bytes after the end of its zlib stream (expected: none)");
            }
        } catch (DataFormatException e) {
            throw new ProtocolException(Reason.MALFORMED_PACKET,
                    "a compressed body is not a valid zlib stream: " + e.getMessage());
        } finally {
            inf.reset();
        }
        return packet.toBuilder()
                .setBody(inflated.toByteString())
                .setFlags(packet.getFlags() & ~COMPRESSED)
                .build();
    }

    private static Deflater deflater() {
        return ZLIB.get().deflater;
    }

    private static Inflater inflater() {
        return ZLIB.get().inflater;
    }

    private static byte[] chunk() {
        return ZLIB.get().chunk;
    }

    private void release() {
        // The zlib state belongs to the thread; this session only stops using it. A
        // shared handler serves other channels still open.
        if (shared) {
            return;
        }
        released = true;
    }

    /** Whether the handler has been released by its channel; for tests. */
    boolean isReleased() {
        return released;
    }
}
