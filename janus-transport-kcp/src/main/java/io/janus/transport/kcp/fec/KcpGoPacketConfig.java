package io.janus.transport.kcp.fec;

/**
 * How kcp-go frames a UDP datagram around its KCP segments: whether the packet header (nonce and
 * CRC32) is present, the Reed-Solomon FEC shard counts, and the bounds the codec enforces. Both peers
 * must agree on all of it; kcptun's defaults are {@code --crypt aes --datashard 10 --parityshard 3}
 * (Janus supports only the {@code none} block cipher of that header: the session above it is already
 * encrypted with AES-GCM).
 *
 * <p>Immutable; build with {@link #builder()}.
 *
 * @see <a href="https://github.com/xtaci/kcp-go/blob/master/sess.go">kcp-go sess.go (packet header)</a>
 * @see <a href="https://github.com/xtaci/kcp-go/blob/master/fec.go">kcp-go fec.go (FEC layer)</a>
 */
public final class KcpGoPacketConfig {

    /** kcp-go's {@code mtuLimit}: no datagram it sends or accepts is longer. */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 1500;

    /**
     * FEC groups the decoder keeps while they are incomplete: 3, so it holds at most about
     * {@code 3 * (dataShards + parityShards)} shards, the window kcp-go's decoder keeps ({@code rxlimit}).
     */
    public static final int DEFAULT_MAX_FEC_GROUPS = 3;

    /** The largest group window accepted by {@link Builder#maxFecGroups(int)}. */
    public static final int MAX_FEC_GROUPS_LIMIT = 64;

    /** The largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM_SIZE_LIMIT = 65507;

    private final boolean packetHeader;
    private final int dataShards;
    private final int parityShards;
    private final int maxDatagramSize;
    private final int maxFecGroups;

    private KcpGoPacketConfig(Builder b) {
        this.packetHeader = b.packetHeader;
        this.dataShards = b.dataShards;
        this.parityShards = b.parityShards;
        this.maxDatagramSize = b.maxDatagramSize;
        this.maxFecGroups = b.maxFecGroups;
    }

    /** Returns a builder with kcptun's defaults for {@code --crypt none}: header on, FEC 10 + 3. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .packetHeader(packetHeader)
                .fec(dataShards, parityShards)
                .maxDatagramSize(maxDatagramSize)
                .maxFecGroups(maxFecGroups);
    }

    /**
     * Returns whether each datagram starts with kcp-go's 16-byte nonce and 4-byte CRC32 header (what a
     * kcp-go peer with any block cipher, including {@code none}, sends).
     */
    public boolean packetHeader() {
        return packetHeader;
    }

    /** Returns the data shards per FEC group, 0 when FEC is off. */
    public int dataShards() {
        return dataShards;
    }

    /** Returns the parity shards per FEC group, 0 when FEC is off. */
    public int parityShards() {
        return parityShards;
    }

    /** Returns whether the FEC layer is on. */
    public boolean fecEnabled() {
        return dataShards > 0;
    }

    /** Returns the longest datagram, headers included, the codec produces or accepts as an FEC shard. */
    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    /** Returns the number of incomplete FEC groups the decoder keeps. */
    public int maxFecGroups() {
        return maxFecGroups;
    }

    /** Returns the bytes the codec adds in front of each KCP payload it sends as a data shard. */
    public int overhead() {
        return (packetHeader ? KcpGoHeader.SIZE : 0) + (fecEnabled() ? FecEncoder.DATA_SHARD_OVERHEAD : 0);
    }

    @Override
    public String toString() {
        return "KcpGoPacketConfig{packetHeader=" + packetHeader + ", dataShards=" + dataShards
                + ", parityShards=" + parityShards + ", maxDatagramSize=" + maxDatagramSize
                + ", maxFecGroups=" + maxFecGroups + '}';
    }

    /** Builds a {@link KcpGoPacketConfig}. */
    public static final class Builder {

        private boolean packetHeader = true;
        private int dataShards = 10;
        private int parityShards = 3;
        private int maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE;
        private int maxFecGroups = DEFAULT_MAX_FEC_GROUPS;

        private Builder() {
        }

        /**
         * Sets whether datagrams carry kcp-go's nonce and CRC32 header.
         *
         * @param packetHeader {@code true} for a kcp-go peer configured with a block cipher (kcptun always
         *     is; {@code --crypt none} included), {@code false} for a kcp-go peer without one
         * @return this builder
         */
        public Builder packetHeader(boolean packetHeader) {
            this.packetHeader = packetHeader;
            return this;
        }

        /**
         * Sets the FEC shard counts; {@code (0, 0)} turns FEC off.
         *
         * @param dataShards data shards per group, 0 or more
         * @param parityShards parity shards per group, 0 or more; 0 exactly when dataShards is 0
         * @return this builder
         * @throws IllegalArgumentException when only one count is 0, a count is negative or the sum
         *     exceeds 256
         */
        public Builder fec(int dataShards, int parityShards) {
            if (dataShards < 0 || parityShards < 0 || (dataShards == 0) != (parityShards == 0)) {
                throw new IllegalArgumentException("dataShards: " + dataShards + ", parityShards: "
                        + parityShards + " (expected: both 0, or both > 0)");
            }
            if (dataShards + parityShards > ReedSolomon.MAX_TOTAL_SHARDS) {
                throw new IllegalArgumentException("dataShards + parityShards: " + (dataShards + parityShards)
                        + " (expected: <= " + ReedSolomon.MAX_TOTAL_SHARDS + ")");
            }
            this.dataShards = dataShards;
            this.parityShards = parityShards;
            return this;
        }

        /** Turns FEC off; the same as {@code fec(0, 0)}. */
        public Builder noFec() {
            return fec(0, 0);
        }

        /**
         * Sets the longest datagram the codec produces or accepts as an FEC shard.
         *
         * @param maxDatagramSize bytes, headers included, between 64 and 65507
         * @return this builder
         */
        public Builder maxDatagramSize(int maxDatagramSize) {
            if (maxDatagramSize < 64 || maxDatagramSize > MAX_DATAGRAM_SIZE_LIMIT) {
                throw new IllegalArgumentException("maxDatagramSize: " + maxDatagramSize
                        + " (expected: 64.." + MAX_DATAGRAM_SIZE_LIMIT + ")");
            }
            this.maxDatagramSize = maxDatagramSize;
            return this;
        }

        /**
         * Sets how many incomplete FEC groups the decoder keeps before it evicts the oldest.
         *
         * @param maxFecGroups 1 to 64
         * @return this builder
         */
        public Builder maxFecGroups(int maxFecGroups) {
            if (maxFecGroups < 1 || maxFecGroups > MAX_FEC_GROUPS_LIMIT) {
                throw new IllegalArgumentException("maxFecGroups: " + maxFecGroups + " (expected: 1.."
                        + MAX_FEC_GROUPS_LIMIT + ")");
            }
            this.maxFecGroups = maxFecGroups;
            return this;
        }

        /** Returns the configuration. */
        public KcpGoPacketConfig build() {
            return new KcpGoPacketConfig(this);
        }
    }
}
