package io.janus.core.tunnel.grpc;

import io.grpc.Metadata;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;

/**
 * The request headers of a tunnel stream (janus-api's tunnel.proto): who the session is, sent once
 * when the gateway opens the stream. Shared by the gateway ({@link GrpcTunnel}) and the game service
 * ({@link GameServiceServer}).
 */
public final class TunnelHeaders {

    /** The game service the stream addresses (a game-service process may host several). */
    public static final Metadata.Key<String> SERVICE = key("janus-service");
    /** The session id. */
    public static final Metadata.Key<String> SESSION_ID = key("janus-session-id");
    /** The player id. */
    public static final Metadata.Key<String> PLAYER_ID = key("janus-player-id");
    /** The player's zone. */
    public static final Metadata.Key<String> ZONE = key("janus-zone");
    /** The player's release color. */
    public static final Metadata.Key<String> COLOR = key("janus-color");
    /** The client's address as the gateway saw it. */
    public static final Metadata.Key<String> CLIENT_ADDRESS = key("janus-client-address");
    /** The id of the gateway holding the session. */
    public static final Metadata.Key<String> GATEWAY_ID = key("janus-gateway-id");
    /** The transport the client uses. */
    public static final Metadata.Key<String> TRANSPORT = key("janus-transport");

    private TunnelHeaders() {
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }

    /**
     * The headers of a session's stream to a service.
     *
     * @param session the session
     * @param service the service name
     * @return new metadata
     */
    public static Metadata of(SessionInfo session, String service) {
        Metadata m = new Metadata();
        m.put(SERVICE, service);
        m.put(SESSION_ID, Long.toString(session.sessionId()));
        m.put(PLAYER_ID, Long.toString(session.playerId()));
        m.put(ZONE, Integer.toString(session.identity().zone()));
        m.put(COLOR, session.identity().color());
        m.put(CLIENT_ADDRESS, ascii(session.remoteAddress()));
        m.put(GATEWAY_ID, ascii(session.gatewayId()));
        m.put(TRANSPORT, session.transport());
        return m;
    }

    /**
     * Reads the session from a stream's headers.
     *
     * @param m the headers
     * @return the session, or {@code null} when a header is missing or malformed
     */
    public static SessionInfo session(Metadata m) {
        try {
            long sessionId = Long.parseLong(require(m, SESSION_ID));
            long playerId = Long.parseLong(require(m, PLAYER_ID));
            int zone = Integer.parseInt(require(m, ZONE));
            Identity identity = Identity.of(playerId, zone, require(m, COLOR));
            return new SessionInfo(sessionId, require(m, GATEWAY_ID), require(m, TRANSPORT),
                    require(m, CLIENT_ADDRESS), identity);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String require(Metadata m, Metadata.Key<String> key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing header " + key.name());
        }
        return v;
    }

    /** Header values are ASCII: anything else is replaced, never rejected. */
    private static String ascii(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
