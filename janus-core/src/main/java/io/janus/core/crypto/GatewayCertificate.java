package io.janus.core.crypto;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;

/**
 * A gateway's Ed25519 public key, its key id and validity window, signed by the studio's root key
 * (docs/protocol.md, section 3). Clients pin the root public key and check the certificate before they
 * send anything secret, so gateways rotate their keys without a client update. Immutable.
 */
public final class GatewayCertificate {

    /** The certificate format version. */
    public static final int VERSION = 1;
    /** The most bytes of a key id. */
    public static final int MAX_KEY_ID_LENGTH = 32;

    private static final byte[] CONTEXT = "janus/v1 gateway certificate\0".getBytes(StandardCharsets.US_ASCII);

    private final byte[] encoded;
    private final String keyId;
    private final byte[] publicKey;
    private final long notBefore;
    private final long notAfter;

    private GatewayCertificate(byte[] encoded, String keyId, byte[] publicKey, long notBefore, long notAfter) {
        this.encoded = encoded;
        this.keyId = keyId;
        this.publicKey = publicKey;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
    }

    /**
     * Issues a certificate with the root key.
     *
     * @param root the studio's root key
     * @param keyId names the gateway key: 1 to 32 ASCII characters
     * @param gatewayPublicKey the gateway's Ed25519 public key
     * @param notBefore start of validity
     * @param notAfter end of validity, after the start
     * @return the certificate
     */
    public static GatewayCertificate issue(SigningKey root, String keyId, byte[] gatewayPublicKey,
            Instant notBefore, Instant notAfter) {
        requireNonNull(root, "root");
        requireNonNull(keyId, "keyId");
        if (keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH || !keyId.chars().allMatch(GatewayCertificate::printable)) {
            throw new IllegalArgumentException("keyId: '" + keyId + "' (expected: 1 to 32 printable ASCII characters)");
        }
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        if (gatewayPublicKey.length != SigningKey.PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("gatewayPublicKey: " + gatewayPublicKey.length + " bytes (expected: 32)");
        }
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter: " + notAfter + " (expected: after notBefore " + notBefore + ")");
        }
        int signedLength = 2 + id.length + 32 + 8 + 8;
        ByteBuffer buf = ByteBuffer.allocate(signedLength + SigningKey.SIGNATURE_LENGTH);
        buf.put((byte) VERSION).put((byte) id.length).put(id).put(gatewayPublicKey)
                .putLong(notBefore.getEpochSecond()).putLong(notAfter.getEpochSecond());
        byte[] signed = Arrays.copyOf(buf.array(), signedLength);
        buf.put(root.sign(concat(CONTEXT, signed)));
        return parse(buf.array());
    }

    /**
     * Parses an encoded certificate; does not check the signature (see {@link #verify}).
     *
     * @param encoded the bytes
     * @return the certificate
     * @throws ProtocolException {@link Reason#CERTIFICATE_INVALID} when the bytes are not a certificate
     */
    public static GatewayCertificate parse(byte[] encoded) {
        if (encoded.length < 2 || (encoded[0] & 0xFF) != VERSION) {
            throw invalid("not a version " + VERSION + " gateway certificate");
        }
        int k = encoded[1] & 0xFF;
        if (k == 0 || k > MAX_KEY_ID_LENGTH || encoded.length != 2 + k + 32 + 16 + SigningKey.SIGNATURE_LENGTH) {
            throw invalid("certificate of " + encoded.length + " bytes with a key id of " + k
                    + " bytes: the lengths do not add up");
        }
        ByteBuffer buf = ByteBuffer.wrap(encoded);
        buf.position(2);
        byte[] id = new byte[k];
        buf.get(id);
        for (byte b : id) {
            if (!printable(b)) {
                throw invalid("the certificate's key id is not printable ASCII");
            }
        }
        byte[] publicKey = new byte[32];
        buf.get(publicKey);
        long notBefore = buf.getLong();
        long notAfter = buf.getLong();
        return new GatewayCertificate(encoded.clone(), new String(id, StandardCharsets.US_ASCII), publicKey,
                notBefore, notAfter);
    }

    /**
     * Checks the root signature and the validity window.
     *
     * @param pinnedRoots the root public keys the client trusts
     * @param now the client's clock
     * @param skew allowed clock difference at both ends of the window
     * @throws ProtocolException {@link Reason#CERTIFICATE_INVALID} naming what failed
     */
    public void verify(Collection<byte[]> pinnedRoots, Instant now, Duration skew) {
        int signedLength = encoded.length - SigningKey.SIGNATURE_LENGTH;
        byte[] message = concat(CONTEXT, Arrays.copyOf(encoded, signedLength));
        byte[] signature = Arrays.copyOfRange(encoded, signedLength, encoded.length);
        boolean signed = false;
        for (byte[] root : pinnedRoots) {
            if (SigningKey.verify(root, message, signature)) {
                signed = true;
                break;
            }
        }
        if (!signed) {
            throw invalid("gateway certificate '" + keyId + "' is not signed by a pinned root key");
        }
        // Written so that neither side can overflow: t and the skew are small, the window may not be.
        long t = now.getEpochSecond();
        long s = skew.getSeconds();
        if (t + s < notBefore) {
            throw invalid("gateway certificate '" + keyId + "' is not valid before " + describe(notBefore));
        }
        if (t - s > notAfter) {
            throw invalid("gateway certificate '" + keyId + "' expired at " + describe(notAfter));
        }
    }

    private static boolean printable(int c) {
        return c >= 0x20 && c <= 0x7E;
    }

    /** Seconds since the epoch as text, also for values beyond what {@link Instant} holds. */
    private static String describe(long epochSeconds) {
        try {
            return Instant.ofEpochSecond(epochSeconds).toString();
        } catch (java.time.DateTimeException e) {
            return epochSeconds + " s after the epoch";
        }
    }

    private static ProtocolException invalid(String message) {
        return new ProtocolException(Reason.CERTIFICATE_INVALID, message);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The encoded certificate; a copy. */
    public byte[] encoded() {
        return encoded.clone();
    }

    int length() {
        return encoded.length;
    }

    byte[] encodedNoCopy() {
        return encoded;
    }

    /** The key id. */
    public String keyId() {
        return keyId;
    }

    /** The gateway's Ed25519 public key; a copy. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Start of validity, clamped to what {@link Instant} holds. */
    public Instant notBefore() {
        return clamp(notBefore);
    }

    /** End of validity, clamped to what {@link Instant} holds. */
    public Instant notAfter() {
        return clamp(notAfter);
    }

    private static Instant clamp(long epochSeconds) {
        return Instant.ofEpochSecond(Math.max(Instant.MIN.getEpochSecond(),
                Math.min(Instant.MAX.getEpochSecond(), epochSeconds)));
    }

    /** The encoded certificate in standard base64, as configuration files hold it. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(encoded);
    }

    @Override
    public String toString() {
        return "GatewayCertificate{keyId=" + keyId + ", valid " + notBefore() + " to " + notAfter() + "}";
    }
}
