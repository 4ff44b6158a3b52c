package io.janus.route.redis;

import java.util.Base64;

/**
 * Names and payloads shared by the session directory and the cluster pusher: the pub/sub channels,
 * a gateway's presence key, the gateway-table value and the encoding of a {@code GatewayMessage}.
 *
 * <ul>
 *   <li>{@code janus:gw:GATEWAY}: the channel of one gateway (batches for the sessions it holds);</li>
 *   <li>{@value #BROADCAST}: the channel every gateway subscribes to;</li>
 *   <li><code>janus:gw:{GATEWAY}:live</code>: the presence key of a gateway, with a TTL renewed while it
 *       runs (its hash tag spreads gateways over Redis Cluster slots);</li>
 *   <li>gateway-table value: {@code GATEWAY/SESSION}, the gateway id and the decimal session id.</li>
 * </ul>
 *
 * <p>Payloads are the protobuf bytes of a {@code janus.v1.GatewayMessage} in base64 (RFC 4648 section 4,
 * with padding), because {@link RedisRouteClient}'s connections use a UTF-8 string codec and protobuf
 * bytes are not valid UTF-8. The price is a third more bytes on the wire and in Redis' output buffers
 * (4 characters per 3 bytes), paid once per gateway per message, never per player.
 */
final class GatewayChannels {

    /** The broadcast channel. */
    static final String BROADCAST = "janus:broadcast";

    private GatewayChannels() {
    }

    /** The channel of one gateway. */
    static String channel(String gatewayId) {
        return "janus:gw:" + RouteKey.id(gatewayId, "gatewayId");
    }

    /** The presence key of one gateway. */
    static String presenceKey(String gatewayId) {
        return "janus:gw:{" + RouteKey.id(gatewayId, "gatewayId") + "}:live";
    }

    /** The gateway-table value naming one session. */
    static String entry(String gatewayId, long sessionId) {
        return gatewayId + "/" + sessionId;
    }

    /** The gateway id of a gateway-table value, or {@code null} when the value is not well formed. */
    static String entryGateway(String value) {
        int slash = value.lastIndexOf('/');
        return slash <= 0 ? null : value.substring(0, slash);
    }

    /**
     * The session id of a gateway-table value.
     *
     * @return the id, or 0 when the value is not well formed (session ids are never 0)
     */
    static long entrySession(String value) {
        int slash = value.lastIndexOf('/');
        if (slash <= 0 || slash == value.length() - 1) {
            return 0;
        }
        try {
            return Long.parseLong(value.substring(slash + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Whether a PUBLISH to a gateway's channel reached it. On standalone Redis the reply counts the
     * subscribers; on a cluster it counts only those connected to the node that took the PUBLISH (the
     * cluster bus forwards to the others uncounted), so there a published message counts as reached.
     *
     * @param receivers the PUBLISH reply
     * @param client the connection it went through, or {@code null}
     * @return whether the message counts as reached
     */
    static boolean reached(long receivers, RedisRouteClient client) {
        return receivers > 0 || (client != null && client.isCluster());
    }

    /** Encodes a message for a channel. */
    static String encode(io.janus.api.GatewayMessage message) {
        return Base64.getEncoder().encodeToString(message.toByteArray());
    }

    /**
     * Decodes a message from a channel.
     *
     * @throws IllegalArgumentException when the text is not base64
     * @throws com.google.protobuf.InvalidProtocolBufferException when the bytes are not a GatewayMessage
     */
    static io.janus.api.GatewayMessage decode(String text)
            throws com.google.protobuf.InvalidProtocolBufferException {
        return io.janus.api.GatewayMessage.parseFrom(Base64.getDecoder().decode(text));
    }
}
