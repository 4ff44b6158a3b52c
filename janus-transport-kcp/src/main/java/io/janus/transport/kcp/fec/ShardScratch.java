package io.janus.transport.kcp.fec;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * Per-thread working arrays for Reed-Solomon reconstruction, so a decoder holds no big arrays of its
 * own between recoveries. Bounded: a thread keeps at most {@code 256} arrays, each as long as the
 * longest shard it reconstructed (at most {@link KcpGoPacketConfig#MAX_DATAGRAM_SIZE_LIMIT}); with kcp-go's
 * defaults (13 shards of at most 1500 bytes) that is about 20 KiB per event-loop thread.
 */
final class ShardScratch {

    private static final FastThreadLocal<ShardScratch> CURRENT = new FastThreadLocal<ShardScratch>() {
        @Override
        protected ShardScratch initialValue() {
            return new ShardScratch();
        }
    };

    private byte[][] arrays = new byte[0][];

    private ShardScratch() {
    }

    /**
     * Returns {@code count} arrays of at least {@code length} bytes each, owned by the calling thread
     * until its next call. Contents are undefined.
     */
    static byte[][] get(int count, int length) {
        ShardScratch scratch = CURRENT.get();
        byte[][] arrays = scratch.arrays;
        if (arrays.length < count) {
            arrays = Arrays.copyOf(arrays, count);
            scratch.arrays = arrays;
        }
        for (int i = 0; i < count; i++) {
            if (arrays[i] == null || arrays[i].length < length) {
                arrays[i] = new byte[length];
            }
        }
        byte[][] view = new byte[count][];
        System.arraycopy(arrays, 0, view, 0, count);
        return view;
    }
}
