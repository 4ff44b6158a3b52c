package io.janus.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.List;

/**
 * Numbers the packet records of a resumable session (docs/protocol.md, section 14). Sits between the
 * secure handler and the packet codec, so it sees every encoded packet the session sends, whoever wrote
 * it (the session, or a broadcast writing an encoded packet below the codec), after compression: what
 * it keeps is byte for byte what is sealed, and what a resume replays.
 *
 * <p>Until the session becomes resumable, and for sessions that never do, it passes everything on
 * untouched. Confined to its channel's event loop.
 */
final class ReplayHandler extends ChannelOutboundHandlerAdapter {

    /** The pipeline name. */
    static final String NAME = "janus-replay";

    private ChannelHandlerContext ctx;
    private DefaultSession session;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** From now on, every packet record of this channel belongs to {@code session}'s numbering. Event loop only. */
    void numberFor(DefaultSession session) {
        this.session = session;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        DefaultSession s = session;
        if (s == null || !(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        s.outbound(ctx, (ByteBuf) msg, promise);
    }

    /**
     * Writes packet records that are not numbered (the answer to a resume) or already numbered (a
     * replay), straight to the secure handler, and flushes. Event loop only.
     *
     * @param records encoded packets; released by the pipeline
     */
    void writeUnnumbered(List<ByteBuf> records) {
        for (ByteBuf record : records) {
            ctx.write(record, ctx.voidPromise());
        }
        ctx.flush();
    }
}
