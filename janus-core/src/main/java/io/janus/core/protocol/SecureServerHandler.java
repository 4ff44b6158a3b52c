package io.janus.core.protocol;

import static java.util.Objects.requireNonNull;

import io.janus.api.Kick;
import io.janus.api.Packet;
import io.janus.api.SystemSeq;
import io.janus.core.ProtocolException;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;

/**
 * The gateway end of the secure session protocol (docs/protocol.md, sections 4 to 6): answers the
 * ClientHello with a signed ServerHello, derives the keys, then seals and opens records. Sits between
 * the transport's framing and the {@link PacketCodec}.
 *
 * <p>Before the handshake completes, the only thing the gateway may send is a HandshakeError: a kick
 * written by the session layer in that state (a deadline, a limit, a bad ClientHello) is turned into
 * one; anything else is dropped.
 *
 * <p>Once the ServerHello is written and the keys are derived, the {@link HandshakeResult} is set on
 * the channel under {@link HandshakeResult#KEY} and fired inbound as a user event, for the layers above
 * that count or react to completed handshakes.
 *
 * <p>Once established, the session joins its event loop's {@link QuietSessions}: when it has sent and
 * received no record for a while, its two cipher engines are dropped until the next record.
 *
 * <p>The handshake's CPU work (one X25519 key generation and agreement, one Ed25519 signature: about
 * 0.27 ms with BouncyCastle on the 2-core development machine, docs/benchmarks.md) runs on the event loop.
 */
public final class SecureServerHandler extends ChannelDuplexHandler {

    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { AWAIT_HELLO, ESTABLISHED, FAILED }

    private final GatewayIdentity identity;
    private final int compressionThreshold;
    private final int maxInflatedBytes;
    private final long keyUpdateInterval;
    private State state = State.AWAIT_HELLO;
    private boolean readFailed;
    private SecureChannel records;

    /**
     * Creates the handler of one connection.
     *
     * @param identity the gateway's key and certificate
     * @param compressionThreshold bodies longer than this are compressed when the client accepts; 0 for never
     * @param maxInflatedBytes the most a compressed body may inflate to
     * @param keyUpdateInterval records after which the gateway updates its sending key
     */
    public SecureServerHandler(GatewayIdentity identity, int compressionThreshold, int maxInflatedBytes,
            long keyUpdateInterval) {
        this.identity = requireNonNull(identity, "identity");
        this.compressionThreshold = compressionThreshold;
        this.maxInflatedBytes = maxInflatedBytes;
        this.keyUpdateInterval = keyUpdateInterval;
    }

    /** The pipeline name this handler is installed under. */
    public static String name() {
        return SecureChannel.HANDLER_NAME;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (readFailed) {
                return; // the session is closing: read nothing more
            }
            if (state == State.ESTABLISHED) {
                records.read(ctx, frame);
            } else if (state == State.AWAIT_HELLO) {
                handshake(ctx, frame);
            }
        } catch (RuntimeException e) {
            // Inbound is dead; outbound keeps its keys so the kick naming the reason reaches the client.
            readFailed = true;
            if (state != State.ESTABLISHED) {
                state = State.FAILED;
            }
            throw e;
        } finally {
            frame.release();
        }
    }

    private void handshake(ChannelHandlerContext ctx, ByteBuf frame) {
        ClientHello hello = ClientHello.parse(frame);
        EphemeralKey ephemeral = EphemeralKey.generate(RANDOM);
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        int threshold = hello.acceptsCompression() ? compressionThreshold : 0;
        ServerHello serverHello = ServerHello.create(hello, ephemeral, random, threshold, identity);
        byte[] shared = ephemeral.agree(hello.publicKey());
        byte[] transcript = serverHello.transcriptHash(hello);
        KeySchedule keys = KeySchedule.derive(shared, transcript);
        records = new SecureChannel(TrafficCipher.sealing(keys.serverToClientSecret(), keyUpdateInterval),
                TrafficCipher.opening(keys.clientToServerSecret()));
        // Written from this handler's context: the ServerHello goes to the framing in clear.
        ctx.writeAndFlush(Unpooled.wrappedBuffer(serverHello.encoded()), ctx.voidPromise());
        state = State.ESTABLISHED;
        QuietSessions.join(ctx.executor(), records);
        ctx.fireUserEventTriggered(SecureChannel.established(ctx, transcript, keys, threshold, maxInflatedBytes,
                identity.certificate()));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf plaintext = (ByteBuf) msg;
        if (state == State.ESTABLISHED) {
            records.write(ctx, plaintext, promise);
            return;
        }
        // Not established: only a kick may leave, as a HandshakeError in clear.
        try {
            Packet packet = PacketCodec.decode(plaintext);
            if (SystemPackets.is(packet, SystemSeq.KICK)) {
                Kick kick = SystemPackets.parse(Kick.parser(), packet.getBody());
                ctx.write(HandshakeError.of(kick.getReason(), kick.getMessage()).encode(ctx.alloc()), promise);
            } else {
                promise.trySuccess();
            }
        } catch (ProtocolException e) {
            promise.tryFailure(e);
        } finally {
            ReferenceCountUtil.release(plaintext);
        }
    }

    /**
     * Takes the session out of its event loop's sweep of quiet sessions, then passes the event on.
     *
     * @param ctx the context
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        leaveSweep();
        super.channelInactive(ctx);
    }

    /**
     * Takes the session out of its event loop's sweep of quiet sessions.
     *
     * @param ctx the context
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        leaveSweep();
        super.handlerRemoved(ctx);
    }

    private void leaveSweep() {
        if (records != null) {
            QuietSessions.leave(records);
        }
    }

    /** Whether both cipher engines of the established session are held now; for tests. */
    boolean holdsCipherEngines() {
        return records != null && records.holdsEngines();
    }

    /** Whether the handshake completed. */
    public boolean isEstablished() {
        return state == State.ESTABLISHED;
    }
}
