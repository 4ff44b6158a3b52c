package io.janus.core.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Installs the length-prefixed stream framing (docs/protocol.md, "Framing over TCP") on a pipeline;
 * shared by every transport that carries frames over a byte stream (TCP, smux streams over KCP), on the
 * server and the client side.
 */
public final class StreamFraming {

    /** Flushes at most this many writes apart when a read is in progress; see FlushConsolidationHandler. */
    private static final int FLUSHES_PER_SYSCALL = 256;

    private StreamFraming() {
    }

    /**
     * Adds flush consolidation, the frame decoder and the frame encoder at the end of the pipeline.
     *
     * @param pipeline the pipeline of a byte-stream channel
     * @param maxFrameLength the largest frame body accepted from the peer
     */
    public static void install(ChannelPipeline pipeline, int maxFrameLength) {
        // Many small writes in one event loop turn share one syscall: consolidate flushes, also when no
        // read is in progress (pushes from game threads).
        pipeline.addLast("janus-flush", new FlushConsolidationHandler(FLUSHES_PER_SYSCALL, true));
        pipeline.addLast("janus-frame-decoder", new FrameDecoder(maxFrameLength));
        pipeline.addLast("janus-frame-encoder", FrameEncoder.INSTANCE);
    }
}
