package io.janus.transport.kcp;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.ProviderProperties;
import io.janus.transport.kcp.fec.KcpGoPacketConfig;
import io.janus.transport.kcp.protocol.Kcp;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of a KCP transport, server or client side, named and defaulted like kcptun's flags so a
 * kcptun configuration carries over. Immutable; built with {@link #builder()} or read from transport
 * properties with {@link #fromProperties(Map, boolean)}.
 *
 * <table>
 * <caption>Transport properties</caption>
 * <tr><th>property</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code mode}</td><td>{@code fast}</td><td>kcptun's presets of {@code SetNoDelay(nodelay,
 * interval, resend, nc)}: {@code normal} (0, 40, 2, 1), {@code fast} (0, 30, 2, 1), {@code fast2}
 * (1, 20, 2, 1), {@code fast3} (1, 10, 2, 1)</td></tr>
 * <tr><td>{@code mtu}</td><td>1350</td><td>largest datagram, kcptun's default</td></tr>
 * <tr><td>{@code sndwnd}</td><td>1024 server, 128 client</td><td>send window in segments (kcptun's)</td></tr>
 * <tr><td>{@code rcvwnd}</td><td>1024 server, 512 client</td><td>receive window in segments (kcptun's)</td></tr>
 * <tr><td>{@code idleTimeout}</td><td>30000</td><td>ms without a datagram before a session is closed with
 * {@code KCP_IDLE_TIMEOUT}</td></tr>
 * <tr><td>{@code deadLink}</td><td>20</td><td>transmissions of one segment without an ACK before the
 * session is closed with {@code KCP_DEAD_LINK} (kcp-go's {@code dead_link})</td></tr>
 * <tr><td>{@code maxSessions}</td><td>10000</td><td>KCP sessions of one server transport</td></tr>
 * <tr><td>{@code maxHalfOpen}</td><td>1024</td><td>sessions whose peer has not yet proven its address
 * (see {@link KcpTransport})</td></tr>
 * <tr><td>{@code amplificationFactor}</td><td>1</td><td>before an address is proven, at most this many bytes are sent
 * to it per byte received from it. The Janus client pads its first bare datagram so the server hello fits;
 * kcp-go clients (kcptun) do not pad, so with kcp-go's layers the gateway holds back datagrams that carry
 * nothing but ACKs until the address is proven: the client retransmits its unacknowledged segments, and
 * those retransmissions pay for the server hello (one or two of the client's retransmission timeouts of
 * extra connection time). A larger factor (QUIC allows 3, RFC 9000 section 8.1) saves that delay.</td></tr>
 * <tr><td>{@code lingerMillis}</td><td>3000</td><td>how long a closed session keeps retransmitting
 * what it still has to send</td></tr>
 * <tr><td>{@code crypt}</td><td>{@code null}</td><td>{@code null}: bare KCP datagrams (kcp-go with a nil
 * block cipher); {@code none}: kcp-go's 16-byte nonce and CRC32 header without encryption (kcptun's
 * {@code --crypt none})</td></tr>
 * <tr><td>{@code dataShards}, {@code parityShards}</td><td>0, 0</td><td>kcp-go's Reed-Solomon FEC;
 * kcptun uses 10, 3; 0, 0 turns it off</td></tr>
 * <tr><td>{@code smux}</td><td>{@code off}</td><td>{@code off}: one KCP conversation carries one Janus
 * connection; {@code 1}, {@code 2}: xtaci/smux of that version, one stream per Janus connection;
 * {@code auto} (server only): the version the client speaks</td></tr>
 * </table>
 * Janus-to-Janus defaults are bare KCP (no header, no FEC, no smux): the least overhead. To face
 * kcptun, set {@code crypt=none}, {@code dataShards=10}, {@code parityShards=3}, {@code smux=auto} (or
 * the values of its flags).
 */
public final class KcpSettings {

    /** kcptun's {@code --mode} presets. */
    public enum Mode {
        /** {@code SetNoDelay(0, 40, 2, 1)}. */
        NORMAL(0, 40, 2, 1),
        /** {@code SetNoDelay(0, 30, 2, 1)}: kcptun's default. */
        FAST(0, 30, 2, 1),
        /** {@code SetNoDelay(1, 20, 2, 1)}. */
        FAST2(1, 20, 2, 1),
        /** {@code SetNoDelay(1, 10, 2, 1)}. */
        FAST3(1, 10, 2, 1);

        final int nodelay;
        final int interval;
        final int resend;
        final int nc;

        Mode(int nodelay, int interval, int resend, int nc) {
            this.nodelay = nodelay;
            this.interval = interval;
            this.resend = resend;
            this.nc = nc;
        }
    }

    private final Mode mode;
    private final int mtu;
    private final int sndwnd;
    private final int rcvwnd;
    private final Duration idleTimeout;
    private final int deadLink;
    private final int maxSessions;
    private final int maxHalfOpen;
    private final int amplificationFactor;
    private final int lingerMillis;
    private final boolean packetHeader;
    private final int dataShards;
    private final int parityShards;
    private final int smux;

    /** {@link #smux()} when smux is off. */
    public static final int SMUX_OFF = -1;
    /** {@link #smux()} when a server speaks the version of each client. */
    public static final int SMUX_AUTO = 0;

    private KcpSettings(Builder b) {
        this.mode = b.mode;
        this.mtu = b.mtu;
        this.sndwnd = b.sndwnd;
        this.rcvwnd = b.rcvwnd;
        this.idleTimeout = b.idleTimeout;
        this.deadLink = b.deadLink;
        this.maxSessions = b.maxSessions;
        this.maxHalfOpen = b.maxHalfOpen;
        this.amplificationFactor = b.amplificationFactor;
        this.lingerMillis = b.lingerMillis;
        this.packetHeader = b.packetHeader;
        this.dataShards = b.dataShards;
        this.parityShards = b.parityShards;
        this.smux = b.smux;
    }

    /**
     * Starts building settings with the server-side defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder(true);
    }

    /**
     * Starts building settings with the client-side defaults (smaller windows, as kcptun's client).
     *
     * @return a builder
     */
    public static Builder clientBuilder() {
        return new Builder(false);
    }

    /**
     * Reads settings from transport properties; absent ones keep their defaults.
     *
     * @param properties the properties (see the class description)
     * @param server whether the defaults are the server's or the client's
     * @return the settings
     * @throws IllegalArgumentException naming the property when a value is invalid or not supported
     */
    public static KcpSettings fromProperties(Map<String, String> properties, boolean server) {
        requireNonNull(properties, "properties");
        Builder b = new Builder(server);
        String mode = properties.get("mode");
        if (mode != null) {
            try {
                b.mode(Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("kcp property mode: '" + mode
                        + "' (expected: normal, fast, fast2 or fast3)", e);
            }
        }
        b.mtu(intProperty(properties, "mtu", b.mtu));
        b.windows(intProperty(properties, "sndwnd", b.sndwnd), intProperty(properties, "rcvwnd", b.rcvwnd));
        b.idleTimeout(Duration.ofMillis(intProperty(properties, "idleTimeout", (int) b.idleTimeout.toMillis())));
        b.deadLink(intProperty(properties, "deadLink", b.deadLink));
        b.maxSessions(intProperty(properties, "maxSessions", b.maxSessions));
        b.maxHalfOpen(intProperty(properties, "maxHalfOpen", b.maxHalfOpen));
        if (properties.containsKey("amplificationFactor")) {
            b.amplificationFactor(intProperty(properties, "amplificationFactor", 1));
        }
        b.lingerMillis(intProperty(properties, "lingerMillis", b.lingerMillis));
        String crypt = properties.getOrDefault("crypt", "null").trim().toLowerCase(Locale.ROOT);
        if (!crypt.equals("null") && !crypt.equals("none")) {
            throw new IllegalArgumentException("kcp property crypt: '" + crypt
                    + "' (expected: null or none; Janus encrypts above the transport)");
        }
        b.crypt(crypt);
        b.fec(intProperty(properties, "dataShards", 0), intProperty(properties, "parityShards", 0));
        String smux = properties.getOrDefault("smux", "off").trim().toLowerCase(Locale.ROOT);
        switch (smux) {
            case "off" -> b.smux(SMUX_OFF);
            case "1" -> b.smux(1);
            case "2" -> b.smux(2);
            case "auto" -> {
                if (!server) {
                    throw new IllegalArgumentException("kcp property smux: 'auto' (expected: off, 1 or 2 on a client)");
                }
                b.smux(SMUX_AUTO);
            }
            default -> throw new IllegalArgumentException("kcp property smux: '" + smux
                    + "' (expected: off, 1, 2 or auto)");
        }
        return b.build();
    }

    /** Whether datagrams carry kcp-go's nonce and CRC32 header ({@code crypt none}). */
    public boolean packetHeader() {
        return packetHeader;
    }

    /** FEC data shards, 0 when FEC is off. */
    public int dataShards() {
        return dataShards;
    }

    /** FEC parity shards, 0 when FEC is off. */
    public int parityShards() {
        return parityShards;
    }

    /** The smux version: 1, 2, {@link #SMUX_AUTO} or {@link #SMUX_OFF}. */
    public int smux() {
        return smux;
    }

    /**
     * The kcp-go packet layer's configuration, or {@code null} when datagrams are bare KCP.
     *
     * @return the configuration or {@code null}
     */
    public KcpGoPacketConfig packetConfig() {
        if (!packetHeader && dataShards == 0) {
            return null;
        }
        KcpGoPacketConfig.Builder b = KcpGoPacketConfig.builder().packetHeader(packetHeader).maxDatagramSize(mtu);
        return (dataShards > 0 ? b.fec(dataShards, parityShards) : b.noFec()).build();
    }

    private static int intProperty(Map<String, String> properties, String key, int defaultValue) {
        return ProviderProperties.intProperty(properties, "kcp", key, defaultValue);
    }

    /**
     * Configures a new engine with these settings, in stream mode as kcptun does.
     *
     * @param kcp the engine
     * @return the engine
     */
    public Kcp apply(Kcp kcp) {
        KcpGoPacketConfig packets = packetConfig();
        return kcp.setNoDelay(mode.nodelay, mode.interval, mode.resend, mode.nc)
                .setMtu(packets == null ? mtu : mtu - packets.overhead())
                .setWindowSize(sndwnd, rcvwnd)
                .setDeadLink(deadLink)
                .setStreamMode(true);
    }

    /** The kcptun mode. */
    public Mode mode() {
        return mode;
    }

    /** The MTU. */
    public int mtu() {
        return mtu;
    }

    /** The send window. */
    public int sndwnd() {
        return sndwnd;
    }

    /** The receive window. */
    public int rcvwnd() {
        return rcvwnd;
    }

    /** How long a session may go without a datagram. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Transmissions of one segment that mark the link dead. */
    public int deadLink() {
        return deadLink;
    }

    /** The cap on sessions of one server transport. */
    public int maxSessions() {
        return maxSessions;
    }

    /** The cap on sessions whose peer has not proven its address. */
    public int maxHalfOpen() {
        return maxHalfOpen;
    }

    /** Bytes sent per byte received to an address not proven yet (1 unless configured). */
    public int amplificationFactor() {
        return amplificationFactor != 0 ? amplificationFactor : 1;
    }

    /** How long a closed session keeps retransmitting, in ms. */
    public int lingerMillis() {
        return lingerMillis;
    }

    /** The flush interval of the mode, in ms. */
    public int interval() {
        return mode.interval;
    }

    @Override
    public String toString() {
        return "KcpSettings{mode=" + mode + ", mtu=" + mtu + ", sndwnd=" + sndwnd + ", rcvwnd=" + rcvwnd
                + ", idleTimeout=" + idleTimeout + ", deadLink=" + deadLink + ", maxSessions=" + maxSessions
                + ", maxHalfOpen=" + maxHalfOpen + ", amplificationFactor=" + amplificationFactor()
                + ", crypt=" + (packetHeader ? "none" : "null") + ", fec=" + dataShards + "/" + parityShards
                + ", smux=" + (smux == SMUX_OFF ? "off" : smux == SMUX_AUTO ? "auto" : smux) + "}";
    }

    /** Builds {@link KcpSettings}. Not thread-safe. */
    public static final class Builder {
        private Mode mode = Mode.FAST;
        private int mtu = 1350;
        private int sndwnd;
        private int rcvwnd;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private int deadLink = 20;
        private int maxSessions = 10_000;
        private int maxHalfOpen = 1024;
        /** 0: the default, see {@link KcpSettings#amplificationFactor()}. */
        private int amplificationFactor;
        private int lingerMillis = 3000;
        private boolean packetHeader;
        private int dataShards;
        private int parityShards;
        private int smux = SMUX_OFF;

        private Builder(boolean server) {
            sndwnd = server ? 1024 : 128;
            rcvwnd = server ? 1024 : 512;
        }

        /**
         * Sets the kcptun mode.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the MTU.
         *
         * @param mtu 64 to 65507
         * @return this builder
         */
        public Builder mtu(int mtu) {
            checkRange("mtu", mtu, 64, 65507);
            this.mtu = mtu;
            return this;
        }

        /**
         * Sets the windows.
         *
         * @param sndwnd 1 to 65535
         * @param rcvwnd 1 to 65535
         * @return this builder
         */
        public Builder windows(int sndwnd, int rcvwnd) {
            checkRange("sndwnd", sndwnd, 1, 65535);
            checkRange("rcvwnd", rcvwnd, 1, 65535);
            this.sndwnd = sndwnd;
            this.rcvwnd = rcvwnd;
            return this;
        }

        /**
         * Sets the idle timeout.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout: " + timeout + " (expected: > 0)");
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Sets the dead-link transmission count.
         *
         * @param deadLink at least 1
         * @return this builder
         */
        public Builder deadLink(int deadLink) {
            checkRange("deadLink", deadLink, 1, 1000);
            this.deadLink = deadLink;
            return this;
        }

        /**
         * Sets the cap on sessions.
         *
         * @param maxSessions at least 1
         * @return this builder
         */
        public Builder maxSessions(int maxSessions) {
            checkRange("maxSessions", maxSessions, 1, 10_000_000);
            this.maxSessions = maxSessions;
            return this;
        }

        /**
         * Sets the cap on sessions not yet proven.
         *
         * @param maxHalfOpen at least 1
         * @return this builder
         */
        public Builder maxHalfOpen(int maxHalfOpen) {
            checkRange("maxHalfOpen", maxHalfOpen, 1, 10_000_000);
            this.maxHalfOpen = maxHalfOpen;
            return this;
        }

        /**
         * Sets the anti-amplification factor.
         *
         * @param factor 1 to 10
         * @return this builder
         */
        public Builder amplificationFactor(int factor) {
            checkRange("amplificationFactor", factor, 1, 10);
            this.amplificationFactor = factor;
            return this;
        }

        /**
         * Sets how long a closed session keeps retransmitting.
         *
         * @param lingerMillis 0 to 60000
         * @return this builder
         */
        public Builder lingerMillis(int lingerMillis) {
            checkRange("lingerMillis", lingerMillis, 0, 60_000);
            this.lingerMillis = lingerMillis;
            return this;
        }

        /**
         * Sets kcptun's {@code --crypt}: {@code null} (bare KCP) or {@code none} (kcp-go's nonce and CRC32
         * header, no encryption).
         *
         * @param crypt {@code null} or {@code none}
         * @return this builder
         */
        public Builder crypt(String crypt) {
            requireNonNull(crypt, "crypt");
            if (!crypt.equals("null") && !crypt.equals("none")) {
                throw new IllegalArgumentException("crypt: '" + crypt + "' (expected: null or none)");
            }
            this.packetHeader = crypt.equals("none");
            return this;
        }

        /**
         * Sets kcptun's {@code --datashard} and {@code --parityshard}.
         *
         * @param dataShards 0 (FEC off) or 1 and more
         * @param parityShards 0 (FEC off) or 1 and more
         * @return this builder
         */
        public Builder fec(int dataShards, int parityShards) {
            checkRange("dataShards", dataShards, 0, 255);
            checkRange("parityShards", parityShards, 0, 255);
            boolean off = dataShards == 0 || parityShards == 0;
            this.dataShards = off ? 0 : dataShards;
            this.parityShards = off ? 0 : parityShards;
            return this;
        }

        /**
         * Sets the smux version.
         *
         * @param version 1, 2, {@link #SMUX_AUTO} (server only) or {@link #SMUX_OFF}
         * @return this builder
         */
        public Builder smux(int version) {
            if (version != 1 && version != 2 && version != SMUX_AUTO && version != SMUX_OFF) {
                throw new IllegalArgumentException("smux: " + version + " (expected: 1, 2, 0 for auto or -1 for off)");
            }
            this.smux = version;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @return the settings
         */
        public KcpSettings build() {
            return new KcpSettings(this);
        }

        private static void checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " to " + max + ")");
            }
        }
    }
}
