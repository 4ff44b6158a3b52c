package io.janus.transport.kcp.smux;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One smux frame: the 8-byte header and its payload, laid out as in xtaci/smux {@code frame.go}
 * (version, command, little-endian uint16 length, little-endian uint32 stream id, then the payload).
 *
 * <p>Golden bytes (hex), taken from the layout that xtaci/smux v1.5 writes in {@code sendLoop} and
 * reads in {@code recvLoop}:
 *
 * <pre>
 * v1 SYN stream 1            01 00 0000 01000000
 * v1 PSH stream 1 "hi"       01 02 0200 01000000 6869
 * v1 FIN stream 1            01 01 0000 01000000
 * v1 NOP (keepalive)         01 03 0000 00000000
 * v2 UPD stream 3, consumed 4096, window 65536
 *                            02 04 0800 03000000 00100000 00000100
 * </pre>
 *
 * <p>The stream id is an unsigned 32-bit number carried in an {@code int}; compare ids with {@link
 * Integer#compareUnsigned}. The payload buffer belongs to whoever holds the frame: {@link #release()}
 * it, or take it with {@link #content()} and {@link #retain()}.
 */
public final class SmuxFrame extends DefaultByteBufHolder {

    /** Size of the frame header in bytes. */
    public static final int HEADER_SIZE = 8;
    /** Size of the UPD payload in bytes: consumed (uint32 LE) and window (uint32 LE). */
    public static final int UPD_PAYLOAD_SIZE = 8;
    /** The largest payload the 16-bit length field can declare. */
    public static final int MAX_PAYLOAD_SIZE = 0xFFFF;

    /** Protocol version 1: no per-stream flow control. */
    public static final int VERSION_1 = 1;
    /** Protocol version 2: adds UPD and per-stream windows. */
    public static final int VERSION_2 = 2;

    /** Opens a stream. */
    public static final int CMD_SYN = 0;
    /** Closes a stream (end of stream). */
    public static final int CMD_FIN = 1;
    /** Carries stream data. */
    public static final int CMD_PSH = 2;
    /** Does nothing; sent as keepalive. */
    public static final int CMD_NOP = 3;
    /** Version 2 window update: bytes consumed by the receiver and its window. */
    public static final int CMD_UPD = 4;

    private final int version;
    private final int command;
    private final int streamId;

    /**
     * Creates a frame.
     *
     * @param version 1 or 2
     * @param command one of the {@code CMD_} constants
     * @param streamId the stream id, an unsigned 32-bit number
     * @param payload the payload; the frame takes ownership
     */
    public SmuxFrame(int version, int command, int streamId, ByteBuf payload) {
        super(requireNonNull(payload, "payload"));
        this.version = version;
        this.command = command;
        this.streamId = streamId;
    }

    /** Returns the protocol version, 1 or 2. */
    public int version() {
        return version;
    }

    /** Returns the command, one of the {@code CMD_} constants. */
    public int command() {
        return command;
    }

    /** Returns the stream id (unsigned 32-bit number in an {@code int}). */
    public int streamId() {
        return streamId;
    }

    /**
     * Returns the consumed counter of a UPD frame's payload (unsigned 32-bit, modular arithmetic).
     *
     * @throws IllegalStateException if this is not a UPD frame
     */
    public int updConsumed() {
        checkUpd();
        return content().getIntLE(content().readerIndex());
    }

    /**
     * Returns the window of a UPD frame's payload (unsigned 32-bit).
     *
     * @throws IllegalStateException if this is not a UPD frame
     */
    public int updWindow() {
        checkUpd();
        return content().getIntLE(content().readerIndex() + 4);
    }

    private void checkUpd() {
        if (command != CMD_UPD || content().readableBytes() != UPD_PAYLOAD_SIZE) {
            throw new IllegalStateException("not a UPD frame: " + this);
        }
    }

    /** Returns the name of a command, or {@code "cmd(N)"} for an unknown one. */
    static String commandName(int command) {
        switch (command) {
            case CMD_SYN:
                return "SYN";
            case CMD_FIN:
                return "FIN";
            case CMD_PSH:
                return "PSH";
            case CMD_NOP:
                return "NOP";
            case CMD_UPD:
                return "UPD";
            default:
                return "cmd(" + command + ")";
        }
    }

    /**
     * Writes a frame header.
     *
     * @param out where the 8 header bytes go
     * @param version 1 or 2
     * @param command one of the {@code CMD_} constants
     * @param length the payload length, 0..65535
     * @param streamId the stream id
     */
    public static void writeHeader(ByteBuf out, int version, int command, int length, int streamId) {
        requireNonNull(out, "out");
        if (length < 0 || length > MAX_PAYLOAD_SIZE) {
            throw new IllegalArgumentException("length: " + length + " (expected: 0.." + MAX_PAYLOAD_SIZE + ")");
        }
        out.writeByte(version);
        out.writeByte(command);
        out.writeShortLE(length);
        out.writeIntLE(streamId);
    }

    /**
     * Encodes a frame without payload (SYN, FIN, NOP).
     *
     * @param alloc allocator of the returned buffer
     * @param version 1 or 2
     * @param command one of the {@code CMD_} constants
     * @param streamId the stream id
     * @return a new buffer the caller owns
     */
    public static ByteBuf encodeEmpty(ByteBufAllocator alloc, int version, int command, int streamId) {
        ByteBuf out = requireNonNull(alloc, "alloc").buffer(HEADER_SIZE, HEADER_SIZE);
        writeHeader(out, version, command, 0, streamId);
        return out;
    }

    /**
     * Encodes a version 2 UPD frame.
     *
     * @param alloc allocator of the returned buffer
     * @param streamId the stream id
     * @param consumed bytes of the stream consumed so far (modular uint32)
     * @param window the receive window of the stream
     * @return a new buffer the caller owns
     */
    public static ByteBuf encodeUpd(ByteBufAllocator alloc, int streamId, int consumed, int window) {
        int size = HEADER_SIZE + UPD_PAYLOAD_SIZE;
        ByteBuf out = requireNonNull(alloc, "alloc").buffer(size, size);
        writeHeader(out, VERSION_2, CMD_UPD, UPD_PAYLOAD_SIZE, streamId);
        out.writeIntLE(consumed);
        out.writeIntLE(window);
        return out;
    }

    /**
     * Encodes a PSH frame around a data slice without copying it.
     *
     * @param alloc allocator of the returned buffer
     * @param version 1 or 2
     * @param streamId the stream id
     * @param data the payload, at most 65535 bytes; ownership passes to the returned buffer
     * @return a new buffer the caller owns
     */
    public static ByteBuf encodePsh(ByteBufAllocator alloc, int version, int streamId, ByteBuf data) {
        requireNonNull(data, "data");
        ByteBuf header;
        try {
            header = requireNonNull(alloc, "alloc").buffer(HEADER_SIZE, HEADER_SIZE);
            writeHeader(header, version, CMD_PSH, data.readableBytes(), streamId);
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
        CompositeByteBuf out = alloc.compositeBuffer(2);
        out.addComponents(true, header, data);
        return out;
    }

    @Override
    public SmuxFrame replace(ByteBuf content) {
        return new SmuxFrame(version, command, streamId, content);
    }

    @Override
    public SmuxFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public SmuxFrame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public SmuxFrame touch() {
        super.touch();
        return this;
    }

    @Override
    public SmuxFrame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "SmuxFrame[v" + version + " " + commandName(command) + " sid=" + Integer.toUnsignedString(streamId)
                + " len=" + content().readableBytes() + "]";
    }
}
