package io.janus.core.session;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Identity;

/**
 * What game code and game services know of an authenticated session: its ids, where it is connected
 * and who the player is. Immutable, and cheap to carry to a remote game service.
 */
public final class SessionInfo {

    private final long sessionId;
    private final String gatewayId;
    private final String transport;
    private final String remoteAddress;
    private final Identity identity;
    /** {@link #sessionIdText()}, made on first use; a benign race may make it twice (strings are immutable). */
    private String sessionIdText;
    /** {@link #playerIdText()}, likewise. */
    private String playerIdText;

    /**
     * Creates a session description.
     *
     * @param sessionId the session id, unique across gateways with overwhelming probability
     * @param gatewayId the id of the gateway that holds the session
     * @param transport the transport name
     * @param remoteAddress the client's address, as text
     * @param identity the authenticated player
     */
    public SessionInfo(long sessionId, String gatewayId, String transport, String remoteAddress, Identity identity) {
        this.sessionId = sessionId;
        this.gatewayId = requireNonNull(gatewayId, "gatewayId");
        this.transport = requireNonNull(transport, "transport");
        this.remoteAddress = requireNonNull(remoteAddress, "remoteAddress");
        this.identity = requireNonNull(identity, "identity");
    }

    /** The session id. */
    public long sessionId() {
        return sessionId;
    }

    /** The id of the gateway that holds the session. */
    public String gatewayId() {
        return gatewayId;
    }

    /** The transport name ({@code tcp}, {@code ws}, {@code kcp}). */
    public String transport() {
        return transport;
    }

    /** The client's address, as text. */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** The authenticated player. */
    public Identity identity() {
        return identity;
    }

    /**
     * The session id in decimal, made once per session: log contexts (the MDC) carry it on every
     * request, and formatting a long each time showed in the request path's profile.
     */
    public String sessionIdText() {
        String text = sessionIdText;
        if (text == null) {
            text = Long.toString(sessionId);
            sessionIdText = text;
        }
        return text;
    }

    /** The player id in decimal, made once per session, as {@link #sessionIdText()}. */
    public String playerIdText() {
        String text = playerIdText;
        if (text == null) {
            text = Long.toString(identity.playerId());
            playerIdText = text;
        }
        return text;
    }

    /** Shortcut for {@code identity().playerId()}. */
    public long playerId() {
        return identity.playerId();
    }

    @Override
    public String toString() {
        return "SessionInfo{sessionId=" + sessionId + ", playerId=" + identity.playerId() + ", gateway=" + gatewayId
                + ", transport=" + transport + ", remote=" + remoteAddress + "}";
    }
}
