package io.janus.core.spi;

import static java.util.Objects.requireNonNull;

import java.net.SocketAddress;

/** A login to check: the client's token and where it connected from. Immutable. */
public final class AuthRequest {

    private final String token;
    private final SocketAddress remoteAddress;
    private final String transport;

    /**
     * Creates a request.
     *
     * @param token the token issued by the game's login service
     * @param remoteAddress the client's address
     * @param transport the transport name the client connected over
     */
    public AuthRequest(String token, SocketAddress remoteAddress, String transport) {
        this.token = requireNonNull(token, "token");
        this.remoteAddress = requireNonNull(remoteAddress, "remoteAddress");
        this.transport = requireNonNull(transport, "transport");
    }

    /** The token issued by the game's login service. */
    public String token() {
        return token;
    }

    /** The client's address. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** The transport the client connected over. */
    public String transport() {
        return transport;
    }

    @Override
    public String toString() {
        // Never the token: it is a secret.
        return "AuthRequest{remoteAddress=" + remoteAddress + ", transport=" + transport + "}";
    }
}
