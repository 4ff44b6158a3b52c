package io.janus.core.crypto;

import static java.util.Objects.requireNonNull;

/**
 * The secrets one handshake yields (docs/protocol.md, section 5): HKDF-Extract of the X25519 shared
 * secret salted with the transcript hash, expanded into one traffic secret per direction and a resume
 * secret. Immutable.
 */
public final class KeySchedule {

    static final String CLIENT_TO_SERVER = "janus/v1 c2s";
    static final String SERVER_TO_CLIENT = "janus/v1 s2c";
    static final String RESUME = "janus/v1 resume";
    static final String KEY = "janus/v1 key";
    static final String IV = "janus/v1 iv";
    static final String KEY_UPDATE = "janus/v1 key update";

    /** Bytes of a traffic secret. */
    public static final int SECRET_LENGTH = 32;

    private final byte[] transcriptHash;
    private final byte[] clientToServer;
    private final byte[] serverToClient;
    private final byte[] resumeSecret;

    private KeySchedule(byte[] transcriptHash, byte[] clientToServer, byte[] serverToClient, byte[] resumeSecret) {
        this.transcriptHash = transcriptHash;
        this.clientToServer = clientToServer;
        this.serverToClient = serverToClient;
        this.resumeSecret = resumeSecret;
    }

    /**
     * Derives the secrets.
     *
     * @param sharedSecret the X25519 shared secret
     * @param transcriptHash SHA-256 of ClientHello || ServerHello
     * @return the schedule
     */
    public static KeySchedule derive(byte[] sharedSecret, byte[] transcriptHash) {
        requireNonNull(sharedSecret, "sharedSecret");
        requireNonNull(transcriptHash, "transcriptHash");
        byte[] prk = Hkdf.extract(transcriptHash, sharedSecret);
        return new KeySchedule(transcriptHash.clone(),
                Hkdf.expand(prk, CLIENT_TO_SERVER, SECRET_LENGTH),
                Hkdf.expand(prk, SERVER_TO_CLIENT, SECRET_LENGTH),
                Hkdf.expand(prk, RESUME, SECRET_LENGTH));
    }

    /** The transcript hash; a copy. */
    public byte[] transcriptHash() {
        return transcriptHash.clone();
    }

    /** The first client-to-gateway traffic secret; a copy. */
    public byte[] clientToServerSecret() {
        return clientToServer.clone();
    }

    /** The first gateway-to-client traffic secret; a copy. */
    public byte[] serverToClientSecret() {
        return serverToClient.clone();
    }

    /** The resume secret, reserved for session resume; a copy. */
    public byte[] resumeSecret() {
        return resumeSecret.clone();
    }
}
