package io.janus.core;

import static java.util.Objects.requireNonNull;

import io.janus.core.session.DuplicateLoginPolicy;
import java.time.Duration;

/**
 * Limits and timeouts of client sessions. Immutable; build with {@link #builder()}, change with
 * {@link #toBuilder()}. Every limit has a safe default for a public game gateway.
 */
public final class SessionOptions {

    private static final SessionOptions DEFAULTS = new Builder().build();

    private final int maxFrameLength;
    private final Duration loginTimeout;
    private final Duration idleTimeout;
    private final Duration heartbeatInterval;
    private final Duration requestTimeout;
    private final int maxPendingRequests;
    private final int outboundLowWaterMark;
    private final int outboundHighWaterMark;
    private final int maxOutboundBytes;
    private final int maxConnections;
    private final int maxConnectionsPerIp;
    private final DuplicateLoginPolicy duplicateLoginPolicy;
    private final int compressionThreshold;
    private final int maxInflatedBytes;
    private final long recordsPerKey;
    private final double handshakesPerSecondPerIp;
    private final int handshakeBurstPerIp;
    private final double handshakesPerSecond;
    private final double requestsPerSecond;
    private final int requestBurst;
    private final RateLimitPolicy requestRatePolicy;
    private final Duration resumeWindow;
    private final int replayBufferPackets;
    private final int replayBufferBytes;
    private final Duration replayMaxAge;

    /** What happens to a session that sends requests faster than its rate limit. */
    public enum RateLimitPolicy {
        /** The request over the limit is answered with {@link io.janus.api.Reason#RATE_LIMITED}; the session stays. */
        REJECT,
        /** The session is closed with {@link io.janus.api.Reason#RATE_LIMITED}. */
        DISCONNECT
    }

    private SessionOptions(Builder b) {
        this.maxFrameLength = b.maxFrameLength;
        this.loginTimeout = b.loginTimeout;
        this.idleTimeout = b.idleTimeout;
        this.heartbeatInterval = b.heartbeatInterval;
        this.requestTimeout = b.requestTimeout;
        this.maxPendingRequests = b.maxPendingRequests;
        this.outboundLowWaterMark = b.outboundLowWaterMark;
        this.outboundHighWaterMark = b.outboundHighWaterMark;
        this.maxOutboundBytes = b.maxOutboundBytes;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerIp = b.maxConnectionsPerIp;
        this.duplicateLoginPolicy = b.duplicateLoginPolicy;
        this.compressionThreshold = b.compressionThreshold;
        this.maxInflatedBytes = b.maxInflatedBytes;
        this.recordsPerKey = b.recordsPerKey;
        this.handshakesPerSecondPerIp = b.handshakesPerSecondPerIp;
        this.handshakeBurstPerIp = b.handshakeBurstPerIp;
        this.handshakesPerSecond = b.handshakesPerSecond;
        this.requestsPerSecond = b.requestsPerSecond;
        this.requestBurst = b.requestBurst;
        this.requestRatePolicy = b.requestRatePolicy;
        this.resumeWindow = b.resumeWindow;
        this.replayBufferPackets = b.replayBufferPackets;
        this.replayBufferBytes = b.replayBufferBytes;
        this.replayMaxAge = b.replayMaxAge;
    }

    /** The defaults. */
    public static SessionOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Largest frame body a client may send, in bytes (default 64 KiB). */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** How long a client has from connect to a completed login (default 10 s). */
    public Duration loginTimeout() {
        return loginTimeout;
    }

    /** A session that sends nothing for this long is closed (default 30 s). */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How often clients are told to send a heartbeat (default 10 s). */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** A request without an answer after this long is answered with a timeout error (default 10 s). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Most requests of one session in flight at once (default 64). */
    public int maxPendingRequests() {
        return maxPendingRequests;
    }

    /** Outbound bytes below which a session becomes writable again (default 32 KiB). */
    public int outboundLowWaterMark() {
        return outboundLowWaterMark;
    }

    /** Outbound bytes above which a session stops being writable (default 64 KiB). */
    public int outboundHighWaterMark() {
        return outboundHighWaterMark;
    }

    /**
     * Outbound bytes a session may have queued before it is disconnected as a slow consumer
     * (default 1 MiB).
     */
    public int maxOutboundBytes() {
        return maxOutboundBytes;
    }

    /** Most connections of the gateway at once (default 100,000). */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Most connections from one IP address at once (default 512: players behind a carrier-grade NAT
     * share addresses).
     */
    public int maxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    /** What a second login of the same player does (default {@link DuplicateLoginPolicy#KICK_OLD}). */
    public DuplicateLoginPolicy duplicateLoginPolicy() {
        return duplicateLoginPolicy;
    }

    /**
     * Bodies longer than this many bytes are compressed when the client accepts compression; 0 turns
     * compression off (default 1024).
     */
    public int compressionThreshold() {
        return compressionThreshold;
    }

    /** The most bytes a compressed body may inflate to; a body past it closes the session (default 1 MiB). */
    public int maxInflatedBytes() {
        return maxInflatedBytes;
    }

    /** Records the gateway seals under one key before it sends a key update (default 2^23). */
    public long recordsPerKey() {
        return recordsPerKey;
    }

    /** New connections a second from one IP address (default 10), with {@link #handshakeBurstPerIp()}. */
    public double handshakesPerSecondPerIp() {
        return handshakesPerSecondPerIp;
    }

    /** New connections one IP address may open at once (default 20). */
    public int handshakeBurstPerIp() {
        return handshakeBurstPerIp;
    }

    /**
     * New connections a second for the whole gateway (default 2,000; a handshake costs about 0.27 ms of
     * CPU, docs/benchmarks.md, so this keeps handshakes to about half of one of two cores).
     */
    public double handshakesPerSecond() {
        return handshakesPerSecond;
    }

    /** Packets a second one logged-in session may send (default 50), with {@link #requestBurst()}. */
    public double requestsPerSecond() {
        return requestsPerSecond;
    }

    /** Packets one session may send at once (default 100). */
    public int requestBurst() {
        return requestBurst;
    }

    /** What a session over its request rate gets (default {@link RateLimitPolicy#REJECT}). */
    public RateLimitPolicy requestRatePolicy() {
        return requestRatePolicy;
    }

    /**
     * How long a resumable session waits for its client to resume after the connection ends (default
     * 30 s; {@link Duration#ZERO} when sessions are never resumable). docs/protocol.md, section 14.
     */
    public Duration resumeWindow() {
        return resumeWindow;
    }

    /** The most unacknowledged packets a resumable session keeps for replay (default 1024). */
    public int replayBufferPackets() {
        return replayBufferPackets;
    }

    /** The most bytes of unacknowledged packets a resumable session keeps for replay (default 1 MiB). */
    public int replayBufferBytes() {
        return replayBufferBytes;
    }

    /**
     * How long a packet sent to a connected client may stay unacknowledged in the replay buffer (default
     * 60 s): a client that stops acknowledging while it reads holds the buffer no longer than this.
     */
    public Duration replayMaxAge() {
        return replayMaxAge;
    }

    @Override
    public String toString() {
        return "SessionOptions{maxFrameLength=" + maxFrameLength + ", loginTimeout=" + loginTimeout
                + ", idleTimeout=" + idleTimeout + ", heartbeatInterval=" + heartbeatInterval
                + ", requestTimeout=" + requestTimeout + ", maxPendingRequests=" + maxPendingRequests
                + ", outboundWaterMarks=" + outboundLowWaterMark + "/" + outboundHighWaterMark
                + ", maxOutboundBytes=" + maxOutboundBytes + ", maxConnections=" + maxConnections
                + ", maxConnectionsPerIp=" + maxConnectionsPerIp + ", duplicateLoginPolicy=" + duplicateLoginPolicy
                + ", compressionThreshold=" + compressionThreshold + ", maxInflatedBytes=" + maxInflatedBytes
                + ", recordsPerKey=" + recordsPerKey + ", handshakesPerSecondPerIp=" + handshakesPerSecondPerIp
                + ", handshakeBurstPerIp=" + handshakeBurstPerIp + ", handshakesPerSecond=" + handshakesPerSecond
                + ", requestsPerSecond=" + requestsPerSecond + ", requestBurst=" + requestBurst
                + ", requestRatePolicy=" + requestRatePolicy + ", resumeWindow=" + resumeWindow
                + ", replayBufferPackets=" + replayBufferPackets + ", replayBufferBytes=" + replayBufferBytes + ", replayMaxAge=" + replayMaxAge + "}";
    }

    /** Builds {@link SessionOptions}. Not thread-safe. */
    public static final class Builder {
        private int maxFrameLength = 64 * 1024;
        private Duration loginTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxPendingRequests = 64;
        private int outboundLowWaterMark = 32 * 1024;
        private int outboundHighWaterMark = 64 * 1024;
        private int maxOutboundBytes = 1024 * 1024;
        private int maxConnections = 100_000;
        private int maxConnectionsPerIp = 512;
        private DuplicateLoginPolicy duplicateLoginPolicy = DuplicateLoginPolicy.KICK_OLD;
        private int compressionThreshold = 1024;
        private int maxInflatedBytes = 1024 * 1024;
        private long recordsPerKey = io.janus.core.crypto.TrafficCipher.DEFAULT_UPDATE_INTERVAL;
        private double handshakesPerSecondPerIp = 10;
        private int handshakeBurstPerIp = 20;
        private double handshakesPerSecond = 2000;
        private double requestsPerSecond = 50;
        private int requestBurst = 100;
        private RateLimitPolicy requestRatePolicy = RateLimitPolicy.REJECT;
        private Duration resumeWindow = Duration.ofSeconds(30);
        private int replayBufferPackets = 1024;
        private int replayBufferBytes = 1024 * 1024;
        private Duration replayMaxAge = Duration.ofSeconds(60);

        private Builder() {
        }

        private Builder(SessionOptions o) {
            maxFrameLength = o.maxFrameLength;
            loginTimeout = o.loginTimeout;
            idleTimeout = o.idleTimeout;
            heartbeatInterval = o.heartbeatInterval;
            requestTimeout = o.requestTimeout;
            maxPendingRequests = o.maxPendingRequests;
            outboundLowWaterMark = o.outboundLowWaterMark;
            outboundHighWaterMark = o.outboundHighWaterMark;
            maxOutboundBytes = o.maxOutboundBytes;
            maxConnections = o.maxConnections;
            maxConnectionsPerIp = o.maxConnectionsPerIp;
            duplicateLoginPolicy = o.duplicateLoginPolicy;
            compressionThreshold = o.compressionThreshold;
            maxInflatedBytes = o.maxInflatedBytes;
            recordsPerKey = o.recordsPerKey;
            handshakesPerSecondPerIp = o.handshakesPerSecondPerIp;
            handshakeBurstPerIp = o.handshakeBurstPerIp;
            handshakesPerSecond = o.handshakesPerSecond;
            requestsPerSecond = o.requestsPerSecond;
            requestBurst = o.requestBurst;
            requestRatePolicy = o.requestRatePolicy;
            resumeWindow = o.resumeWindow;
            replayBufferPackets = o.replayBufferPackets;
            replayBufferBytes = o.replayBufferBytes;
            replayMaxAge = o.replayMaxAge;
        }

        /**
         * Sets the largest frame body a client may send.
         *
         * @param bytes at least 64, at most 16 MiB
         * @return this builder
         */
        public Builder maxFrameLength(int bytes) {
            checkRange("maxFrameLength", bytes, 64, 16 * 1024 * 1024);
            this.maxFrameLength = bytes;
            return this;
        }

        /**
         * Sets the login deadline.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder loginTimeout(Duration timeout) {
            this.loginTimeout = checkPositive("loginTimeout", timeout);
            return this;
        }

        /**
         * Sets the idle timeout.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = checkPositive("idleTimeout", timeout);
            return this;
        }

        /**
         * Sets the heartbeat interval announced to clients.
         *
         * @param interval positive
         * @return this builder
         */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = checkPositive("heartbeatInterval", interval);
            return this;
        }

        /**
         * Sets the request deadline.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = checkPositive("requestTimeout", timeout);
            return this;
        }

        /**
         * Sets the most requests of one session in flight.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxPendingRequests(int max) {
            checkRange("maxPendingRequests", max, 1, 65_536);
            this.maxPendingRequests = max;
            return this;
        }

        /**
         * Sets the outbound water marks of a session.
         *
         * @param low bytes below which a session becomes writable again
         * @param high bytes above which it stops being writable; above {@code low}
         * @return this builder
         */
        public Builder outboundWaterMarks(int low, int high) {
            checkRange("outboundLowWaterMark", low, 1, Integer.MAX_VALUE - 1);
            checkRange("outboundHighWaterMark", high, low + 1, Integer.MAX_VALUE);
            this.outboundLowWaterMark = low;
            this.outboundHighWaterMark = high;
            return this;
        }

        /**
         * Sets how many bytes may be queued for a session before it is disconnected as a slow consumer.
         *
         * @param bytes above the high water mark
         * @return this builder
         */
        public Builder maxOutboundBytes(int bytes) {
            checkRange("maxOutboundBytes", bytes, 1, Integer.MAX_VALUE);
            this.maxOutboundBytes = bytes;
            return this;
        }

        /**
         * Sets the most connections of the gateway.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConnections(int max) {
            checkRange("maxConnections", max, 1, Integer.MAX_VALUE);
            this.maxConnections = max;
            return this;
        }

        /**
         * Sets the most connections from one IP address.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConnectionsPerIp(int max) {
            checkRange("maxConnectionsPerIp", max, 1, Integer.MAX_VALUE);
            this.maxConnectionsPerIp = max;
            return this;
        }

        /**
         * Sets what a second login of the same player does.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder duplicateLoginPolicy(DuplicateLoginPolicy policy) {
            this.duplicateLoginPolicy = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Sets the compression threshold.
         *
         * @param bytes bodies longer than this are compressed; 0 turns compression off
         * @return this builder
         */
        public Builder compressionThreshold(int bytes) {
            checkRange("compressionThreshold", bytes, 0, Integer.MAX_VALUE);
            this.compressionThreshold = bytes;
            return this;
        }

        /**
         * Sets the most bytes a compressed body may inflate to.
         *
         * @param bytes at least 64, at most 64 MiB
         * @return this builder
         */
        public Builder maxInflatedBytes(int bytes) {
            checkRange("maxInflatedBytes", bytes, 64, 64 * 1024 * 1024);
            this.maxInflatedBytes = bytes;
            return this;
        }

        /**
         * Sets how many records the gateway seals under one key before a key update; lower it only to
         * exercise key updates in tests.
         *
         * @param records 1 to 2^24 - 1
         * @return this builder
         */
        public Builder recordsPerKey(long records) {
            if (records < 1 || records >= io.janus.core.crypto.TrafficCipher.MAX_RECORDS_PER_KEY) {
                throw new IllegalArgumentException("recordsPerKey: " + records + " (expected: 1 to 16777215)");
            }
            this.recordsPerKey = records;
            return this;
        }

        /**
         * Limits new connections (handshakes) per client IP address.
         *
         * @param perSecond sustained rate, above 0
         * @param burst how many at once, at least 1
         * @return this builder
         */
        public Builder handshakeRatePerIp(double perSecond, int burst) {
            checkRate("handshakesPerSecondPerIp", perSecond);
            checkRange("handshakeBurstPerIp", burst, 1, Integer.MAX_VALUE);
            this.handshakesPerSecondPerIp = perSecond;
            this.handshakeBurstPerIp = burst;
            return this;
        }

        /**
         * Limits new connections (handshakes) for the whole gateway.
         *
         * @param perSecond sustained rate, above 0; also the burst
         * @return this builder
         */
        public Builder handshakeRate(double perSecond) {
            checkRate("handshakesPerSecond", perSecond);
            this.handshakesPerSecond = perSecond;
            return this;
        }

        /**
         * Limits the packets one logged-in session may send.
         *
         * @param perSecond sustained rate, above 0
         * @param burst how many at once, at least 1
         * @param policy what a session over the limit gets
         * @return this builder
         */
        public Builder requestRate(double perSecond, int burst, RateLimitPolicy policy) {
            checkRate("requestsPerSecond", perSecond);
            checkRange("requestBurst", burst, 1, Integer.MAX_VALUE);
            this.requestsPerSecond = perSecond;
            this.requestBurst = burst;
            this.requestRatePolicy = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Sets how long a resumable session waits for a resume after its connection ends
         * (docs/protocol.md, section 14).
         *
         * @param window {@link Duration#ZERO} to make no session resumable, else positive and below 24 days
         * @return this builder
         */
        public Builder resumeWindow(Duration window) {
            requireNonNull(window, "window");
            this.resumeWindow = window.isZero() ? Duration.ZERO : checkPositive("resumeWindow", window);
            return this;
        }

        /**
         * Bounds the replay buffer of each resumable session: passing either bound closes the session
         * with {@link io.janus.api.Reason#REPLAY_OVERFLOW}.
         *
         * @param packets unacknowledged packets kept, 1 to 1,048,576
         * @param bytes bytes of unacknowledged packets kept, 1 KiB to 256 MiB
         * @return this builder
         */
        public Builder replayBuffer(int packets, int bytes) {
            checkRange("replayBufferPackets", packets, 1, 1 << 20);
            checkRange("replayBufferBytes", bytes, 1024, 256 * 1024 * 1024);
            this.replayBufferPackets = packets;
            this.replayBufferBytes = bytes;
            return this;
        }

        /**
         * Bounds how long a packet sent to a connected client may stay unacknowledged: the first packet
         * numbered after that closes the session with {@link io.janus.api.Reason#REPLAY_OVERFLOW}. The
         * clock of a packet starts when it is sent (or replayed after a resume); while the session is
         * detached the resume window applies instead.
         *
         * @param age at least 1 s
         * @return this builder
         */
        public Builder replayMaxAge(Duration age) {
            requireNonNull(age, "age");
            if (age.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("replayMaxAge: " + age + " (expected: at least 1 s)");
            }
            this.replayMaxAge = age;
            return this;
        }

        private static void checkRate(String name, double perSecond) {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException(name + ": " + perSecond + " (expected: > 0 and finite)");
            }
        }

        /**
         * Builds the options.
         *
         * @return immutable options
         * @throws IllegalArgumentException when the limits contradict each other
         */
        public SessionOptions build() {
            if (maxOutboundBytes <= outboundHighWaterMark) {
                throw new IllegalArgumentException("maxOutboundBytes: " + maxOutboundBytes
                        + " (expected: > outboundHighWaterMark " + outboundHighWaterMark + ")");
            }
            if (heartbeatInterval.compareTo(idleTimeout) >= 0) {
                throw new IllegalArgumentException("heartbeatInterval: " + heartbeatInterval
                        + " (expected: < idleTimeout " + idleTimeout + ")");
            }
            return new SessionOptions(this);
        }

        private static void checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " to " + max + ")");
            }
        }

        /** Timeouts travel to clients as 32-bit milliseconds. */
        private static final Duration MAX_DURATION = Duration.ofMillis(Integer.MAX_VALUE);

        private static Duration checkPositive(String name, Duration d) {
            requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0 and < 24 days)");
            }
            return d;
        }
    }
}
