package io.janus.core.protocol;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayCertificate;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;

/**
 * The gateway's answer to a ClientHello (docs/protocol.md, section 4.2): its ephemeral key and random,
 * the compression threshold, its certificate, and its signature over both hellos. Immutable.
 */
public final class ServerHello {

    /** The message type byte. */
    public static final byte TYPE = 0x02;
    /** Flag bit: compression is on for this session. */
    public static final int FLAG_COMPRESSION = 0x01;

    private static final int FIXED_LENGTH = 74;
    private static final byte[] CONTEXT = "janus/v1 server handshake\0".getBytes(StandardCharsets.US_ASCII);

    private final byte[] encoded;
    private final GatewayCertificate certificate;

    private ServerHello(byte[] encoded, GatewayCertificate certificate) {
        this.encoded = encoded;
        this.certificate = certificate;
    }

    /**
     * Builds and signs a ServerHello.
     *
     * @param clientHello the client's hello
     * @param ephemeral the gateway's ephemeral key
     * @param random 32 random bytes
     * @param compressionThreshold bodies longer than this are compressed; 0 for off
     * @param identity the gateway's key and certificate
     * @return the message
     */
    public static ServerHello create(ClientHello clientHello, EphemeralKey ephemeral, byte[] random,
            int compressionThreshold, GatewayIdentity identity) {
        requireNonNull(clientHello, "clientHello");
        requireNonNull(identity, "identity");
        if (random.length != 32) {
            throw new IllegalArgumentException("random: " + random.length + " bytes (expected: 32)");
        }
        if (compressionThreshold < 0) {
            throw new IllegalArgumentException("compressionThreshold: " + compressionThreshold + " (expected: >= 0)");
        }
        byte[] cert = identity.certificate().encoded();
        ByteBuffer buf = ByteBuffer.allocate(FIXED_LENGTH + cert.length + SigningKey.SIGNATURE_LENGTH);
        buf.put(TYPE).put((byte) ClientHello.VERSION).put((byte) (compressionThreshold > 0 ? FLAG_COMPRESSION : 0))
                .put((byte) 0).put(ephemeral.publicKey()).put(random).putInt(compressionThreshold)
                .putShort((short) cert.length).put(cert);
        byte[] unsigned = Arrays.copyOf(buf.array(), FIXED_LENGTH + cert.length);
        buf.put(identity.key().sign(signedMessage(clientHello, unsigned)));
        return new ServerHello(buf.array(), identity.certificate());
    }

    private static byte[] signedMessage(ClientHello clientHello, byte[] unsignedServerHello) {
        MessageDigest sha = sha256();
        sha.update(clientHello.encodedNoCopy());
        sha.update(unsignedServerHello);
        byte[] hash = sha.digest();
        byte[] message = Arrays.copyOf(CONTEXT, CONTEXT.length + hash.length);
        System.arraycopy(hash, 0, message, CONTEXT.length, hash.length);
        return message;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /**
     * Parses a frame; checks its shape, not its signature (see {@link #verify}). Does not release it.
     *
     * @param frame the frame body
     * @return the message
     * @throws ProtocolException {@link Reason#UNSUPPORTED_VERSION}, {@link Reason#HANDSHAKE_FAILED} or
     *         {@link Reason#CERTIFICATE_INVALID}
     */
    public static ServerHello parse(ByteBuf frame) {
        int length = frame.readableBytes();
        if (length < 2 || frame.getByte(frame.readerIndex()) != TYPE) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "expected a ServerHello");
        }
        int version = frame.getUnsignedByte(frame.readerIndex() + 1);
        if (version != ClientHello.VERSION) {
            throw new ProtocolException(Reason.UNSUPPORTED_VERSION,
                    "protocol version " + version + " (expected: " + ClientHello.VERSION + ")");
        }
        if (length < FIXED_LENGTH) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "ServerHello of " + length + " bytes is too short");
        }
        byte[] bytes = new byte[length];
        frame.readBytes(bytes);
        if ((bytes[2] & ~FLAG_COMPRESSION) != 0 || bytes[3] != 0) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "ServerHello with unknown flags or reserved bits");
        }
        int certLength = ((bytes[72] & 0xFF) << 8) | (bytes[73] & 0xFF);
        if (length != FIXED_LENGTH + certLength + SigningKey.SIGNATURE_LENGTH) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "ServerHello of " + length
                    + " bytes with a certificate of " + certLength + " bytes: the lengths do not add up");
        }
        GatewayCertificate certificate = GatewayCertificate.parse(
                Arrays.copyOfRange(bytes, FIXED_LENGTH, FIXED_LENGTH + certLength));
        return new ServerHello(bytes, certificate);
    }

    /**
     * Checks the certificate against the pinned roots and the signature over both hellos.
     *
     * @param clientHello the hello this client sent
     * @param pinnedRoots the root public keys the client trusts
     * @param now the client's clock
     * @param skew allowed clock difference
     * @throws ProtocolException {@link Reason#CERTIFICATE_INVALID} or {@link Reason#HANDSHAKE_FAILED}
     */
    public void verify(ClientHello clientHello, Collection<byte[]> pinnedRoots, Instant now, Duration skew) {
        certificate.verify(pinnedRoots, now, skew);
        int unsignedLength = encoded.length - SigningKey.SIGNATURE_LENGTH;
        byte[] message = signedMessage(clientHello, Arrays.copyOf(encoded, unsignedLength));
        byte[] signature = Arrays.copyOfRange(encoded, unsignedLength, encoded.length);
        if (!SigningKey.verify(certificate.publicKey(), message, signature)) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED,
                    "the ServerHello signature does not verify under gateway key '" + certificate.keyId() + "'");
        }
    }

    /**
     * The transcript hash of a handshake: SHA-256 of both complete hellos.
     *
     * @param clientHello the client's hello
     * @return 32 bytes
     */
    public byte[] transcriptHash(ClientHello clientHello) {
        MessageDigest sha = sha256();
        sha.update(clientHello.encodedNoCopy());
        sha.update(encoded);
        return sha.digest();
    }

    /** The encoded message; a copy. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** The gateway's ephemeral X25519 public key. */
    public byte[] publicKey() {
        return Arrays.copyOfRange(encoded, 4, 36);
    }

    /** The gateway random. */
    public byte[] random() {
        return Arrays.copyOfRange(encoded, 36, 68);
    }

    /** The compression threshold; 0 when compression is off. */
    public int compressionThreshold() {
        return (encoded[2] & FLAG_COMPRESSION) == 0 ? 0 : ByteBuffer.wrap(encoded, 68, 4).getInt();
    }

    /** The gateway's certificate. */
    public GatewayCertificate certificate() {
        return certificate;
    }
}
