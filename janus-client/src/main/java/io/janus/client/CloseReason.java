package io.janus.client;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;

/** Why a client session ended. Immutable. */
public final class CloseReason {

    private final Reason reason;
    private final String message;
    private final boolean byServer;
    private final String reconnectAddress;

    CloseReason(Reason reason, String message, boolean byServer) {
        this(reason, message, "", byServer);
    }

    CloseReason(Reason reason, String message, String reconnectAddress, boolean byServer) {
        this.reason = requireNonNull(reason, "reason");
        this.message = requireNonNull(message, "message");
        this.reconnectAddress = requireNonNull(reconnectAddress, "reconnectAddress");
        this.byServer = byServer;
    }

    /**
     * The reason: the one in the gateway's kick, {@link Reason#LOGGED_OUT} after a logout, or
     * {@link Reason#OK} when the connection ended without a kick.
     */
    public Reason reason() {
        return reason;
    }

    /** Detail from the gateway's kick, or a local description. */
    public String message() {
        return message;
    }

    /**
     * Where the gateway asked the client to reconnect, from a drain notice (a kick with
     * {@link Reason#SERVER_DRAIN}, docs/protocol.md section 8): {@code host:port}, or empty when the
     * gateway named none and the client should pick a gateway as it would for a new session.
     */
    public String reconnectAddress() {
        return reconnectAddress;
    }

    /** Whether the gateway ended the session (with a kick) rather than this client or the network. */
    public boolean byServer() {
        return byServer;
    }

    @Override
    public String toString() {
        return (byServer ? "closed by the gateway: " : "closed: ") + reason
                + (message.isEmpty() ? "" : " (" + message + ")")
                + (reconnectAddress.isEmpty() ? "" : ", reconnect to " + reconnectAddress);
    }
}
