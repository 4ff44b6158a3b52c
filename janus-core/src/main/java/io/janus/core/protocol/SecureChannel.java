package io.janus.core.protocol;

import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * The record layer shared by both ends once the handshake is done: seals outgoing plaintext frames,
 * opens incoming records, and sends key updates when due. Confined to the channel's event loop.
 */
final class SecureChannel {

    /** The pipeline name of the secure handler on both ends. */
    static final String HANDLER_NAME = "janus-secure";
    /** The pipeline name of the compression handler, added after the packet codec when negotiated. */
    static final String COMPRESSION_NAME = "janus-compression";

    private final TrafficCipher sealer;
    private final TrafficCipher opener;
    /** Whether a record went either way since the last {@link #sweep()}. */
    private boolean touched = true;
    /** This channel's slot in its event loop's {@link QuietSessions}, or -1 when not in one. */
    int quietSlot = -1;

    SecureChannel(TrafficCipher sealer, TrafficCipher opener) {
        this.sealer = sealer;
        this.opener = opener;
    }

    /**
     * What both ends do once their keys are in place: install the compression handler behind the packet
     * codec (also when compression is off: it then refuses a body flagged as compressed, docs/protocol.md
     * section 7) and publish the handshake's result on the channel.
     */
    static HandshakeResult established(ChannelHandlerContext ctx, byte[] transcript,
            io.janus.core.crypto.KeySchedule keys, int threshold, int maxInflatedBytes,
            io.janus.core.crypto.GatewayCertificate certificate) {
        ctx.pipeline().addAfter(PacketCodec.NAME, COMPRESSION_NAME, CompressionHandler.of(threshold, maxInflatedBytes));
        HandshakeResult result = new HandshakeResult(transcript, keys.resumeSecret(), threshold, certificate);
        ctx.channel().attr(HandshakeResult.KEY).set(result);
        return result;
    }

    /** Opens a record and passes its plaintext on; a key update is applied and passed on as nothing. */
    void read(ChannelHandlerContext ctx, ByteBuf record) {
        touched = true;
        ByteBuf plaintext = opener.open(ctx.alloc(), record);
        if (plaintext != null) {
            ctx.fireChannelRead(plaintext);
        }
    }

    /** Seals a plaintext frame, releasing it; precedes it with a key update when one is due. */
    void write(ChannelHandlerContext ctx, ByteBuf plaintext, ChannelPromise promise) {
        touched = true;
        ByteBuf record;
        try {
            if (sealer.needsKeyUpdate()) {
                ctx.write(sealer.sealKeyUpdate(ctx.alloc()), ctx.voidPromise());
            }
            record = sealer.seal(ctx.alloc(), plaintext);
        } catch (RuntimeException e) {
            promise.tryFailure(e);
            return;
        } finally {
            plaintext.release();
        }
        ctx.write(record, promise);
    }

    /**
     * Called by {@link QuietSessions} once a period: a session that sent and received no record during
     * the whole period drops its two cipher engines until its next record.
     */
    void sweep() {
        if (!touched) {
            sealer.releaseEngine();
            opener.releaseEngine();
        }
        touched = false;
    }

    /** Whether both cipher engines are held; for tests. */
    boolean holdsEngines() {
        return sealer.holdsEngine() && opener.holdsEngine();
    }
}
