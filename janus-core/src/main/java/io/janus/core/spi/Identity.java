package io.janus.core.spi;

import static java.util.Objects.requireNonNull;

import java.util.Objects;

/**
 * Who an authenticated client is: the player, the zone (game server or shard) and the color (release
 * channel, for canary routing). Immutable.
 */
public final class Identity {

    /** The color of players who are not on a canary channel. */
    public static final String DEFAULT_COLOR = "";

    private final long playerId;
    private final int zone;
    private final String color;

    private Identity(long playerId, int zone, String color) {
        this.playerId = playerId;
        this.zone = zone;
        this.color = requireNonNull(color, "color");
    }

    /**
     * An identity in zone 0 with the default color.
     *
     * @param playerId the player id
     * @return the identity
     */
    public static Identity of(long playerId) {
        return new Identity(playerId, 0, DEFAULT_COLOR);
    }

    /**
     * An identity.
     *
     * @param playerId the player id
     * @param zone the zone (game server or shard)
     * @param color the release channel; {@link #DEFAULT_COLOR} when none
     * @return the identity
     */
    public static Identity of(long playerId, int zone, String color) {
        return new Identity(playerId, zone, color);
    }

    /** The player id. */
    public long playerId() {
        return playerId;
    }

    /** The zone. */
    public int zone() {
        return zone;
    }

    /** The release channel, {@link #DEFAULT_COLOR} when none. */
    public String color() {
        return color;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Identity)) {
            return false;
        }
        Identity that = (Identity) o;
        return playerId == that.playerId && zone == that.zone && color.equals(that.color);
    }

    @Override
    public int hashCode() {
        return Objects.hash(playerId, zone, color);
    }

    @Override
    public String toString() {
        return "Identity{playerId=" + playerId + ", zone=" + zone + ", color='" + color + "'}";
    }
}
