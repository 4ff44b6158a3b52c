package io.janus.transport.tcp;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.flush.FlushConsolidationHandler;

/** Installs the TCP framing on a pipeline; shared by the server and client sides. */
final class Framing {

    /** Stateless and sharable: prepends the 4-byte length, sending header and body as two buffers. */
    private static final LengthFieldPrepender PREPENDER = new LengthFieldPrepender(FrameDecoder.HEADER_LENGTH);

    /** Flushes at most this many writes apart when a read is in progress; see FlushConsolidationHandler. */
    private static final int FLUSHES_PER_SYSCALL = 256;

    private Framing() {
    }

    static void install(ChannelPipeline pipeline, int maxFrameLength) {
        // Many small writes in one event loop turn share one syscall: consolidate flushes, also when no
        // read is in progress (pushes from game threads).
        pipeline.addLast("janus-flush", new FlushConsolidationHandler(FLUSHES_PER_SYSCALL, true));
        pipeline.addLast("janus-frame-decoder", new FrameDecoder(maxFrameLength));
        pipeline.addLast("janus-frame-encoder", PREPENDER);
    }
}
