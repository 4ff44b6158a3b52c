package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

/**
 * The Redis key of one route: an entry of the gateway, service or object table.
 *
 * <p>Key layout, made for Redis Cluster's hash tags (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/,
 * "Hash tags": only the part between the first <code>{</code> and the next <code>}</code> is hashed):
 * <ul>
 *   <li>gateway table: <code>janus:r:{p:PLAYER}:gw</code> holds the gateway id of the player's session;</li>
 *   <li>service table: <code>janus:r:{p:PLAYER}:s:SERVICE</code> holds the game-service instance id;</li>
 *   <li>object table: <code>janus:r:{o:SERVICE:OBJECT}</code> holds the instance id owning a room or match.</li>
 * </ul>
 * All keys of one player share the tag <code>{p:PLAYER}</code> and so one slot (a script may touch them
 * together); different players hash to different slots, so the tables spread over the cluster instead
 * of piling into one slot. Ids may not contain braces, which would move the hash tag; they are at most
 * {@value #MAX_ID_LENGTH} characters.
 */
public final class RouteKey {

    /** The longest id accepted in a key, in characters. */
    public static final int MAX_ID_LENGTH = 256;

    private final String redisKey;

    private RouteKey(String redisKey) {
        this.redisKey = redisKey;
    }

    /**
     * The gateway-table key of a player.
     *
     * @param player the player id
     * @return the key
     */
    public static RouteKey gateway(String player) {
        return new RouteKey("janus:r:{p:" + id(player, "player") + "}:gw");
    }

    /**
     * The service-table key of a player and a game service.
     *
     * @param player the player id
     * @param service the game service's name
     * @return the key
     */
    public static RouteKey service(String player, String service) {
        return new RouteKey("janus:r:{p:" + id(player, "player") + "}:s:" + id(service, "service"));
    }

    /**
     * The object-table key of an object (room, match) of a game service.
     *
     * @param service the game service's name
     * @param object the object's id
     * @return the key
     */
    public static RouteKey object(String service, String object) {
        return new RouteKey("janus:r:{o:" + id(service, "service") + ":" + id(object, "object") + "}");
    }

    /**
     * The key as stored in Redis.
     *
     * @return the Redis key
     */
    public String redisKey() {
        return redisKey;
    }

    static String id(String value, String name) {
        requireNonNull(value, name);
        if (value.isEmpty() || value.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(name + ": length " + value.length()
                    + " (expected: 1-" + MAX_ID_LENGTH + ")");
        }
        if (value.indexOf('{') >= 0 || value.indexOf('}') >= 0) {
            throw new IllegalArgumentException(name + ": '" + value + "' (expected: no braces)");
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteKey && ((RouteKey) o).redisKey.equals(redisKey);
    }

    @Override
    public int hashCode() {
        return redisKey.hashCode();
    }

    @Override
    public String toString() {
        return redisKey;
    }
}
