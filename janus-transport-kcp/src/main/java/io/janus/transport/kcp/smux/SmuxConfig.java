package io.janus.transport.kcp.smux;

import java.time.Duration;

/**
 * Settings of one {@link SmuxSession}, immutable. Defaults follow xtaci/smux v1.5 {@code
 * DefaultConfig} where smux has the setting (frame size 32768, receive buffer 4 MiB, stream buffer
 * 64 KiB, keepalive every 10 s, timeout after 30 s) and are bounded where smux is not (streams per
 * session, bytes queued per stream for sending).
 *
 * @param version 1 or 2, or {@link #ACCEPT_CLIENT_VERSION} (servers only): speak the version of the
 *     first frame the client sends
 * @param maxFrameSize the largest PSH payload sent and accepted, 1..65535 (kcptun's smux default is
 *     32768; set at least the peer's frame size)
 * @param maxStreams how many streams may be open at once in the session; a SYN beyond it is refused
 *     with a FIN
 * @param streamWindow version 2: the receive window of each stream advertised in UPD frames (smux
 *     {@code MaxStreamBuffer}); bytes delivered to the listener and not yet {@linkplain
 *     SmuxSession#consumed consumed} count against it
 * @param receiveBuffer bytes delivered to the listener and not yet consumed, summed over all streams,
 *     at which the session asks its transport to stop feeding input (smux {@code MaxReceiveBuffer});
 *     twice this is a hard limit that fails the session
 * @param maxPendingWriteBytes bytes per stream that may wait for the peer's window (version 2); the
 *     stream becomes unwritable at this mark and writable again at half of it
 * @param keepAliveInterval how often a NOP is sent
 * @param keepAliveTimeout how long without any inbound frame before the session fails with {@code
 *     SMUX_KEEPALIVE_TIMEOUT}; at least the interval
 */
public record SmuxConfig(
        int version,
        int maxFrameSize,
        int maxStreams,
        int streamWindow,
        int receiveBuffer,
        int maxPendingWriteBytes,
        Duration keepAliveInterval,
        Duration keepAliveTimeout) {

    /** Version setting of a server that speaks whatever version its client speaks first. */
    public static final int ACCEPT_CLIENT_VERSION = 0;

    /** The window a version 2 sender assumes before the first UPD arrives (xtaci/smux {@code initialPeerWindow}). */
    public static final int INITIAL_PEER_WINDOW = 262_144;

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     * @throws NullPointerException if a duration is {@code null}
     */
    public SmuxConfig {
        check(version == ACCEPT_CLIENT_VERSION || version == 1 || version == 2, "version", version, "0, 1 or 2");
        check(maxFrameSize >= 1 && maxFrameSize <= SmuxFrame.MAX_PAYLOAD_SIZE, "maxFrameSize", maxFrameSize,
                "1..65535");
        check(maxStreams >= 1, "maxStreams", maxStreams, "> 0");
        check(streamWindow >= 1, "streamWindow", streamWindow, "> 0");
        check(receiveBuffer >= 1 && receiveBuffer <= Integer.MAX_VALUE / 2, "receiveBuffer", receiveBuffer,
                "1.." + Integer.MAX_VALUE / 2);
        check(maxPendingWriteBytes >= 1, "maxPendingWriteBytes", maxPendingWriteBytes, "> 0");
        java.util.Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
        java.util.Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        check(keepAliveInterval.toMillis() >= 1, "keepAliveInterval", keepAliveInterval, ">= 1ms");
        check(keepAliveTimeout.compareTo(keepAliveInterval) >= 0, "keepAliveTimeout", keepAliveTimeout,
                ">= keepAliveInterval " + keepAliveInterval);
    }

    private static void check(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the default settings (version 1, as kcptun's default {@code -smuxver 1}). */
    public static SmuxConfig defaults() {
        return builder().build();
    }

    /** Returns a builder holding these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link SmuxConfig}; not thread-safe. */
    public static final class Builder {
        private int version = 1;
        private int maxFrameSize = 32_768;
        private int maxStreams = 64;
        private int streamWindow = 65_536;
        private int receiveBuffer = 4 * 1024 * 1024;
        private int maxPendingWriteBytes = 256 * 1024;
        private Duration keepAliveInterval = Duration.ofSeconds(10);
        private Duration keepAliveTimeout = Duration.ofSeconds(30);

        private Builder() {}

        private Builder(SmuxConfig c) {
            version = c.version;
            maxFrameSize = c.maxFrameSize;
            maxStreams = c.maxStreams;
            streamWindow = c.streamWindow;
            receiveBuffer = c.receiveBuffer;
            maxPendingWriteBytes = c.maxPendingWriteBytes;
            keepAliveInterval = c.keepAliveInterval;
            keepAliveTimeout = c.keepAliveTimeout;
        }

        /** Sets the version: 1, 2, or {@link #ACCEPT_CLIENT_VERSION}. Default 1. @return this */
        public Builder version(int version) {
            this.version = version;
            return this;
        }

        /** Sets the largest PSH payload, 1..65535. Default 32768. @return this */
        public Builder maxFrameSize(int maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /** Sets the most streams open at once. Default 64. @return this */
        public Builder maxStreams(int maxStreams) {
            this.maxStreams = maxStreams;
            return this;
        }

        /** Sets the version 2 per-stream receive window. Default 65536. @return this */
        public Builder streamWindow(int streamWindow) {
            this.streamWindow = streamWindow;
            return this;
        }

        /** Sets the session receive buffer. Default 4 MiB. @return this */
        public Builder receiveBuffer(int receiveBuffer) {
            this.receiveBuffer = receiveBuffer;
            return this;
        }

        /** Sets the bytes per stream that may wait for the peer's window. Default 256 KiB. @return this */
        public Builder maxPendingWriteBytes(int maxPendingWriteBytes) {
            this.maxPendingWriteBytes = maxPendingWriteBytes;
            return this;
        }

        /** Sets the keepalive interval. Default 10 s. @return this */
        public Builder keepAliveInterval(Duration keepAliveInterval) {
            this.keepAliveInterval = keepAliveInterval;
            return this;
        }

        /** Sets the keepalive timeout. Default 30 s. @return this */
        public Builder keepAliveTimeout(Duration keepAliveTimeout) {
            this.keepAliveTimeout = keepAliveTimeout;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @throws IllegalArgumentException if a setting is out of range
         */
        public SmuxConfig build() {
            return new SmuxConfig(version, maxFrameSize, maxStreams, streamWindow, receiveBuffer,
                    maxPendingWriteBytes, keepAliveInterval, keepAliveTimeout);
        }
    }
}
