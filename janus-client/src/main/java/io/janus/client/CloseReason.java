package io.janus.client;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;

/** Why a client session ended. Immutable. */
public final class CloseReason {

    private final Reason reason;
    private final String message;
    private final boolean byServer;

    CloseReason(Reason reason, String message, boolean byServer) {
        this.reason = requireNonNull(reason, "reason");
        this.message = requireNonNull(message, "message");
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

    /** Whether the gateway ended the session (with a kick) rather than this client or the network. */
    public boolean byServer() {
        return byServer;
    }

    @Override
    public String toString() {
        return (byServer ? "closed by the gateway: " : "closed: ") + reason + (message.isEmpty() ? "" : " (" + message + ")");
    }
}
