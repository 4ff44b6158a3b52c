package io.janus.core.protocol;

import io.janus.core.crypto.GatewayCertificate;
import io.netty.util.AttributeKey;

/**
 * What a completed handshake established, kept on the channel under {@link #KEY} for the layers above
 * (client attestation, session resume). Immutable.
 */
public final class HandshakeResult {

    /** The channel attribute holding the result once the handshake completed. */
    public static final AttributeKey<HandshakeResult> KEY = AttributeKey.valueOf("janus.handshake");

    private final byte[] transcriptHash;
    private final byte[] resumeSecret;
    private final int compressionThreshold;
    private final GatewayCertificate certificate;

    HandshakeResult(byte[] transcriptHash, byte[] resumeSecret, int compressionThreshold,
            GatewayCertificate certificate) {
        this.transcriptHash = transcriptHash;
        this.resumeSecret = resumeSecret;
        this.compressionThreshold = compressionThreshold;
        this.certificate = certificate;
    }

    /** SHA-256 of both hellos; a copy. */
    public byte[] transcriptHash() {
        return transcriptHash.clone();
    }

    /** The resume secret of this session (docs/protocol.md, section 5); a copy. */
    public byte[] resumeSecret() {
        return resumeSecret.clone();
    }

    /** The negotiated compression threshold, 0 when off. */
    public int compressionThreshold() {
        return compressionThreshold;
    }

    /** The gateway's certificate. */
    public GatewayCertificate certificate() {
        return certificate;
    }
}
