package io.janus.core.game;

import io.janus.core.session.SessionInfo;
import java.util.Objects;

/**
 * Which sessions a broadcast reaches: every logged-in session, or those whose player is in a zone, has
 * a color, or both. Immutable; {@link #test} is cheap enough to run once per session of a broadcast.
 *
 * <pre>{@code
 * pusher.broadcast(push, Audience.all());
 * pusher.broadcast(push, Audience.zone(3));
 * pusher.broadcast(push, Audience.zoneAndColor(3, "red"));
 * }</pre>
 */
public final class Audience {

    /** Marks "any zone". Zone numbers are the authenticator's; 0 is the zone of players without one. */
    public static final int ANY_ZONE = -1;

    private static final Audience ALL = new Audience(ANY_ZONE, null);

    private final int zone;
    private final String color;

    private Audience(int zone, String color) {
        if (zone < ANY_ZONE) {
            throw new IllegalArgumentException("zone: " + zone + " (expected: >= 0, or ANY_ZONE)");
        }
        this.zone = zone;
        this.color = color;
    }

    /** Every logged-in session. */
    public static Audience all() {
        return ALL;
    }

    /**
     * Sessions of players in one zone.
     *
     * @param zone the zone, at least 0
     * @return the audience
     */
    public static Audience zone(int zone) {
        if (zone < 0) {
            throw new IllegalArgumentException("zone: " + zone + " (expected: >= 0)");
        }
        return new Audience(zone, null);
    }

    /**
     * Sessions of players of one color, in any zone.
     *
     * @param color the color
     * @return the audience
     */
    public static Audience color(String color) {
        return new Audience(ANY_ZONE, Objects.requireNonNull(color, "color"));
    }

    /**
     * Sessions of players in one zone and of one color.
     *
     * @param zone the zone, at least 0
     * @param color the color
     * @return the audience
     */
    public static Audience zoneAndColor(int zone, String color) {
        if (zone < 0) {
            throw new IllegalArgumentException("zone: " + zone + " (expected: >= 0)");
        }
        return new Audience(zone, Objects.requireNonNull(color, "color"));
    }

    /**
     * Builds an audience from its parts, as a wire message carries them.
     *
     * @param zone the zone, or {@link #ANY_ZONE}
     * @param color the color, or {@code null} for any
     * @return the audience
     */
    public static Audience of(int zone, String color) {
        return zone == ANY_ZONE && color == null ? ALL : new Audience(zone, color);
    }

    /**
     * The audience of a wire message (push.proto's {@code Audience}): an absent field matches any value.
     *
     * @param wire the wire audience
     * @return the audience
     * @throws IllegalArgumentException for a negative zone
     */
    public static Audience of(io.janus.api.Audience wire) {
        return of(wire.hasZone() ? wire.getZone() : ANY_ZONE, wire.hasColor() ? wire.getColor() : null);
    }

    /**
     * This audience as a wire message (push.proto's {@code Audience}).
     *
     * @return a new wire audience
     */
    public io.janus.api.Audience toWire() {
        io.janus.api.Audience.Builder wire = io.janus.api.Audience.newBuilder();
        if (zone != ANY_ZONE) {
            wire.setZone(zone);
        }
        if (color != null) {
            wire.setColor(color);
        }
        return wire.build();
    }

    /** The zone, or {@link #ANY_ZONE}. */
    public int zone() {
        return zone;
    }

    /** The color, or {@code null} for any. */
    public String color() {
        return color;
    }

    /**
     * Whether a logged-in session belongs to this audience.
     *
     * @param session the session's login
     * @return {@code true} when it does
     */
    public boolean test(SessionInfo session) {
        return (zone == ANY_ZONE || session.identity().zone() == zone)
                && (color == null || color.equals(session.identity().color()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Audience && ((Audience) o).zone == zone && Objects.equals(((Audience) o).color, color);
    }

    @Override
    public int hashCode() {
        return 31 * zone + Objects.hashCode(color);
    }

    @Override
    public String toString() {
        return this == ALL ? "Audience{all}" : "Audience{zone=" + (zone == ANY_ZONE ? "any" : zone)
                + ", color=" + (color == null ? "any" : color) + "}";
    }
}
