package io.janus.transport.kcp.smux;

import static io.janus.transport.kcp.smux.SmuxFrame.CMD_PSH;
import static io.janus.transport.kcp.smux.SmuxFrame.CMD_UPD;
import static io.janus.transport.kcp.smux.SmuxFrame.HEADER_SIZE;
import static io.janus.transport.kcp.smux.SmuxFrame.MAX_PAYLOAD_SIZE;
import static io.janus.transport.kcp.smux.SmuxFrame.UPD_PAYLOAD_SIZE;
import static io.janus.transport.kcp.smux.SmuxFrame.VERSION_1;
import static io.janus.transport.kcp.smux.SmuxFrame.VERSION_2;
import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Incremental decoder of an smux byte stream into {@link SmuxFrame}s, with strict header validation.
 *
 * <p>Frames may be split anywhere across inputs. Complete frames are sliced out of the input without
 * copying; only the bytes of one incomplete frame are copied aside, so the decoder never holds more
 * than {@code 8 + max(maxFrameSize, 8)} bytes between calls (8: a UPD's payload).
 *
 * <p>Validation, stricter than xtaci/smux's {@code recvLoop} where the stricter rule cannot reject
 * anything xtaci/smux sends: the version must be 1 or 2 and the same in every frame of the session
 * ({@link Reason#SMUX_BAD_VERSION}; xtaci closes the session on a version other than its configured
 * one); the command must be known and UPD only appears in version 2 ({@link Reason#SMUX_BAD_COMMAND});
 * SYN, FIN and NOP carry no payload, UPD exactly 8 bytes, PSH at most {@code maxFrameSize} ({@link
 * Reason#SMUX_BAD_LENGTH}; xtaci ignores the length of SYN/FIN/NOP and reads 8 bytes for UPD whatever
 * the length says, so any other length would desynchronise it). A header is rejected as soon as its 8
 * bytes are there, before its payload is awaited.
 *
 * <p>Not thread-safe: confine it to one event loop.
 */
public final class SmuxFrameDecoder {

    /** Expected version meaning "take the version of the first frame". */
    public static final int DETECT_VERSION = 0;

    private final ByteBufAllocator alloc;
    private final int maxFrameSize;
    /** The largest whole frame: a PSH of maxFrameSize or a UPD, whichever is larger. */
    private final int maxFrameBytes;
    private int version;
    private ByteBuf partial;
    private boolean closed;

    /**
     * Creates a decoder.
     *
     * @param alloc allocator for the buffer that holds an incomplete frame
     * @param maxFrameSize the largest PSH payload accepted, 1..65535
     * @param version 1 or 2, or {@link #DETECT_VERSION} to adopt the version of the first frame
     */
    public SmuxFrameDecoder(ByteBufAllocator alloc, int maxFrameSize, int version) {
        this.alloc = requireNonNull(alloc, "alloc");
        if (maxFrameSize < 1 || maxFrameSize > MAX_PAYLOAD_SIZE) {
            throw new IllegalArgumentException(
                    "maxFrameSize: " + maxFrameSize + " (expected: 1.." + MAX_PAYLOAD_SIZE + ")");
        }
        if (version != DETECT_VERSION && version != VERSION_1 && version != VERSION_2) {
            throw new IllegalArgumentException("version: " + version + " (expected: 0, 1 or 2)");
        }
        this.maxFrameSize = maxFrameSize;
        this.maxFrameBytes = HEADER_SIZE + Math.max(maxFrameSize, UPD_PAYLOAD_SIZE);
        this.version = version;
    }

    /** Returns the version of the stream: the configured one, the detected one, or 0 before detection. */
    public int version() {
        return version;
    }

    /** Returns how many bytes of an incomplete frame are held (less than {@code 8 + max(maxFrameSize, 8)}). */
    public int bufferedBytes() {
        return partial == null ? 0 : partial.readableBytes();
    }

    /**
     * Decodes what {@code in} completes. Each decoded frame goes to {@code out}, which takes ownership
     * of it. Decoding stops early, keeping nothing, when {@link #close()} is called from {@code out}.
     *
     * @param in received bytes; this method takes ownership and releases it on every path
     * @param out receives each complete frame and owns it
     * @throws ProtocolException on an invalid header; the decoder must then be closed
     */
    public void decode(ByteBuf in, Consumer<? super SmuxFrame> out) {
        requireNonNull(in, "in");
        try {
            requireNonNull(out, "out");
            if (closed) {
                return;
            }
            if (partial != null) {
                if (!fillPartial(in)) {
                    return;
                }
                ByteBuf complete = partial;
                partial = null;
                try {
                    emit(complete, out);
                } finally {
                    complete.release();
                }
            }
            while (!closed && in.readableBytes() >= HEADER_SIZE) {
                int length = validateHeader(in);
                if (in.readableBytes() < HEADER_SIZE + length) {
                    break;
                }
                emit(in, out);
            }
            if (!closed && in.isReadable()) {
                // Less than one frame remains: fewer than 8 + max(maxFrameSize, 8) bytes.
                partial = alloc.buffer(Math.max(HEADER_SIZE, in.readableBytes()), maxFrameBytes);
                partial.writeBytes(in);
            }
        } finally {
            in.release();
        }
    }

    /** Copies from {@code in} into {@link #partial} until it holds one frame; returns whether it does. */
    private boolean fillPartial(ByteBuf in) {
        if (partial.readableBytes() < HEADER_SIZE) {
            partial.writeBytes(in, Math.min(in.readableBytes(), HEADER_SIZE - partial.readableBytes()));
            if (partial.readableBytes() < HEADER_SIZE) {
                return false;
            }
        }
        int frameSize = HEADER_SIZE + validateHeader(partial);
        int missing = frameSize - partial.readableBytes();
        int take = Math.min(missing, in.readableBytes());
        partial.writeBytes(in, take);
        return take == missing;
    }

    private void emit(ByteBuf buf, Consumer<? super SmuxFrame> out) {
        int frameVersion = buf.readUnsignedByte();
        int command = buf.readUnsignedByte();
        int length = buf.readUnsignedShortLE();
        int streamId = buf.readIntLE();
        SmuxFrame frame = new SmuxFrame(frameVersion, command, streamId, buf.readRetainedSlice(length));
        out.accept(frame);
    }

    /**
     * Validates the header at the reader index of {@code buf} (8 readable bytes) and returns its
     * declared payload length.
     */
    private int validateHeader(ByteBuf buf) {
        int at = buf.readerIndex();
        int frameVersion = buf.getUnsignedByte(at);
        int command = buf.getUnsignedByte(at + 1);
        int length = buf.getUnsignedShortLE(at + 2);
        if (frameVersion != VERSION_1 && frameVersion != VERSION_2) {
            throw new ProtocolException(Reason.SMUX_BAD_VERSION,
                    "smux version " + frameVersion + " is unknown (expected: 1 or 2)");
        }
        if (version == DETECT_VERSION) {
            version = frameVersion;
        } else if (frameVersion != version) {
            throw new ProtocolException(Reason.SMUX_BAD_VERSION,
                    "smux frame of version " + frameVersion + " in a version " + version + " session");
        }
        if (command > CMD_UPD || (command == CMD_UPD && frameVersion == VERSION_1)) {
            throw new ProtocolException(Reason.SMUX_BAD_COMMAND, "smux command " + SmuxFrame.commandName(command)
                    + " is not allowed in version " + frameVersion + " (expected: SYN, FIN, PSH, NOP"
                    + (frameVersion == VERSION_2 ? ", UPD)" : ")"));
        }
        if (command == CMD_PSH) {
            if (length > maxFrameSize) {
                throw new ProtocolException(Reason.SMUX_BAD_LENGTH,
                        "smux PSH length " + length + " exceeds maxFrameSize " + maxFrameSize);
            }
        } else if (command == CMD_UPD) {
            if (length != UPD_PAYLOAD_SIZE) {
                throw new ProtocolException(Reason.SMUX_BAD_LENGTH,
                        "smux UPD length " + length + " (expected: " + UPD_PAYLOAD_SIZE + ")");
            }
        } else if (length != 0) {
            throw new ProtocolException(Reason.SMUX_BAD_LENGTH, "smux " + SmuxFrame.commandName(command)
                    + " length " + length + " (expected: 0)");
        }
        return length;
    }

    /** Releases the incomplete frame held, if any; later input is released unread. Idempotent. */
    public void close() {
        closed = true;
        if (partial != null) {
            ByteBuf p = partial;
            partial = null;
            p.release();
        }
    }
}
