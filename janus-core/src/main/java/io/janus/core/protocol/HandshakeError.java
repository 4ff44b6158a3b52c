package io.janus.core.protocol;

import io.janus.api.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's refusal before the handshake completes (docs/protocol.md, section 4.3). Not
 * authenticated: a client reports its reason and closes, nothing more. Immutable.
 */
public final class HandshakeError {

    /** The message type byte. */
    public static final byte TYPE = 0x0F;

    private static final int MAX_MESSAGE_BYTES = 512;

    private final Reason reason;
    private final int code;
    private final String message;

    private HandshakeError(Reason reason, int code, String message) {
        this.reason = reason;
        this.code = code;
        this.message = message;
    }

    /**
     * Creates an error.
     *
     * @param reason the reason
     * @param message detail
     * @return the error
     */
    public static HandshakeError of(Reason reason, String message) {
        return new HandshakeError(reason, reason.getNumber(), message);
    }

    /**
     * Whether a frame is a HandshakeError.
     *
     * @param frame a frame body
     * @return whether its type byte says so
     */
    public static boolean is(ByteBuf frame) {
        return frame.isReadable() && frame.getByte(frame.readerIndex()) == TYPE;
    }

    /**
     * Parses a frame leniently; does not release it.
     *
     * @param frame a frame body starting with {@link #TYPE}
     * @return the error; an unparsable one reads as {@link Reason#HANDSHAKE_FAILED}
     */
    public static HandshakeError parse(ByteBuf frame) {
        int length = frame.readableBytes();
        if (length < 5) {
            return of(Reason.HANDSHAKE_FAILED, "malformed HandshakeError");
        }
        int start = frame.readerIndex();
        int code = frame.getUnsignedShort(start + 1);
        int messageLength = Math.min(frame.getUnsignedShort(start + 3), length - 5);
        String message = frame.toString(start + 5, messageLength, StandardCharsets.UTF_8);
        Reason reason = Reason.forNumber(code);
        frame.skipBytes(length);
        return new HandshakeError(reason == null ? Reason.UNRECOGNIZED : reason, code, message);
    }

    /**
     * Encodes the error.
     *
     * @param alloc the allocator
     * @return a new buffer the caller owns
     */
    public ByteBuf encode(ByteBufAllocator alloc) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_MESSAGE_BYTES);
        // Never cut inside a UTF-8 sequence: back off over continuation bytes (10xxxxxx).
        while (n < text.length && n > 0 && (text[n] & 0xC0) == 0x80) {
            n--;
        }
        ByteBuf buf = alloc.buffer(5 + n);
        buf.writeByte(TYPE).writeShort(code).writeShort(n).writeBytes(text, 0, n);
        return buf;
    }

    /** The reason ({@link Reason#UNRECOGNIZED} for a code this side does not know). */
    public Reason reason() {
        return reason;
    }

    /** The reason code as sent. */
    public int code() {
        return code;
    }

    /** Detail from the gateway. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return "HandshakeError{" + reason + " (" + code + "): " + message + "}";
    }
}
