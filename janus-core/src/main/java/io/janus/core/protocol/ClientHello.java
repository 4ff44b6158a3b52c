package io.janus.core.protocol;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.janus.core.crypto.EphemeralKey;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** The client's first frame (docs/protocol.md, section 4.1): exactly 68 bytes. Immutable. */
public final class ClientHello {

    /** The message type byte. */
    public static final byte TYPE = 0x01;
    /** The protocol version this implementation speaks. */
    public static final int VERSION = 1;
    /** The encoded length. */
    public static final int LENGTH = 68;
    /** Flag bit: the client accepts compressed bodies. */
    public static final int FLAG_COMPRESSION = 0x01;
    /** Bytes of the client random. */
    public static final int RANDOM_LENGTH = 32;

    private final byte[] encoded;

    private ClientHello(byte[] encoded) {
        this.encoded = encoded;
    }

    /**
     * Builds a ClientHello.
     *
     * @param ephemeral the client's ephemeral key
     * @param random 32 random bytes
     * @param acceptsCompression whether the client accepts compressed bodies
     * @return the message
     */
    public static ClientHello create(EphemeralKey ephemeral, byte[] random, boolean acceptsCompression) {
        requireNonNull(ephemeral, "ephemeral");
        if (random.length != RANDOM_LENGTH) {
            throw new IllegalArgumentException("random: " + random.length + " bytes (expected: 32)");
        }
        byte[] out = new byte[LENGTH];
        out[0] = TYPE;
        out[1] = VERSION;
        out[2] = (byte) (acceptsCompression ? FLAG_COMPRESSION : 0);
        System.arraycopy(ephemeral.publicKey(), 0, out, 4, 32);
        System.arraycopy(random, 0, out, 36, 32);
        return new ClientHello(out);
    }

    /**
     * Parses a frame. Does not release it.
     *
     * @param frame the frame body
     * @return the message
     * @throws ProtocolException {@link Reason#UNSUPPORTED_VERSION} for another version,
     *         {@link Reason#HANDSHAKE_FAILED} for anything else that is not a ClientHello
     */
    public static ClientHello parse(ByteBuf frame) {
        int length = frame.readableBytes();
        if (length < 2 || frame.getByte(frame.readerIndex()) != TYPE) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "the first frame is not a ClientHello");
        }
        int version = frame.getUnsignedByte(frame.readerIndex() + 1);
        if (version != VERSION) {
            throw new ProtocolException(Reason.UNSUPPORTED_VERSION,
                    "protocol version " + version + " (expected: " + VERSION + ")");
        }
        if (length != LENGTH) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED,
                    "ClientHello of " + length + " bytes (expected: " + LENGTH + ")");
        }
        byte[] bytes = new byte[LENGTH];
        frame.readBytes(bytes);
        if ((bytes[2] & ~FLAG_COMPRESSION) != 0 || bytes[3] != 0) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "ClientHello with unknown flags or reserved bits");
        }
        return new ClientHello(bytes);
    }

    /** The encoded message; a copy. */
    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] encodedNoCopy() {
        return encoded;
    }

    /** Whether the client accepts compressed bodies. */
    public boolean acceptsCompression() {
        return (encoded[2] & FLAG_COMPRESSION) != 0;
    }

    /** The client's ephemeral X25519 public key. */
    public byte[] publicKey() {
        return Arrays.copyOfRange(encoded, 4, 36);
    }

    /** The client random. */
    public byte[] random() {
        return Arrays.copyOfRange(encoded, 36, 68);
    }
}
