package io.janus.core.internal;

import io.janus.api.Packet;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;

/**
 * Sizes {@link Packet}s for Netty's outbound accounting. Netty's default estimator counts an unknown
 * message as 8 bytes, so pushes queued from other threads would barely move the water marks and a
 * client that does not read could make the gateway queue without bound.
 */
final class PacketSizeEstimator implements MessageSizeEstimator {

    static final PacketSizeEstimator INSTANCE = new PacketSizeEstimator();

    /** Framing and record overhead added to each packet further down the pipeline. */
    private static final int OVERHEAD = 8;

    private static final Handle HANDLE = new Handle() {
        private final Handle fallback = DefaultMessageSizeEstimator.DEFAULT.newHandle();

        @Override
        public int size(Object msg) {
            if (msg instanceof Packet) {
                return ((Packet) msg).getSerializedSize() + OVERHEAD;
            }
            return fallback.size(msg);
        }
    };

    private PacketSizeEstimator() {
    }

    @Override
    public Handle newHandle() {
        return HANDLE;
    }
}
