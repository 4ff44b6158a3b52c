package io.janus.core.protocol;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client end of the secure session protocol (docs/protocol.md, sections 4 to 6): sends the
 * ClientHello when the connection opens, checks the gateway's certificate against the pinned roots and
 * its signature over both hellos before anything secret is sent, derives the keys, then seals and opens
 * records. Sits between the transport's framing and the {@link PacketCodec}.
 *
 * <p>Writes before the handshake completes fail; wait for {@link #handshakeFuture()}.
 */
public final class SecureClientHandler extends ChannelDuplexHandler {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<byte[]> pinnedRoots;
    private final Clock clock;
    private final Duration skew;
    private final boolean acceptCompression;
    private final int maxInflatedBytes;
    private final long keyUpdateInterval;
    private final CompletableFuture<HandshakeResult> handshake = new CompletableFuture<>();
    private ClientHello hello;
    private EphemeralKey ephemeral;
    private SecureChannel records;

    /**
     * Creates the handler of one connection.
     *
     * @param pinnedRoots the root public keys this client trusts (32 bytes each)
     * @param clock the clock that certificate validity is checked against
     * @param skew allowed clock difference
     * @param acceptCompression whether to offer compressed bodies
     * @param maxInflatedBytes the most a compressed body may inflate to
     * @param keyUpdateInterval records after which the client updates its sending key
     */
    public SecureClientHandler(List<byte[]> pinnedRoots, Clock clock, Duration skew, boolean acceptCompression,
            int maxInflatedBytes, long keyUpdateInterval) {
        if (requireNonNull(pinnedRoots, "pinnedRoots").isEmpty()) {
            throw new IllegalArgumentException("pinnedRoots: empty (expected: at least one root public key)");
        }
        this.pinnedRoots = List.copyOf(pinnedRoots);
        this.clock = requireNonNull(clock, "clock");
        this.skew = requireNonNull(skew, "skew");
        this.acceptCompression = acceptCompression;
        this.maxInflatedBytes = maxInflatedBytes;
        this.keyUpdateInterval = keyUpdateInterval;
    }

    /** The pipeline name this handler is installed under. */
    public static String name() {
        return SecureChannel.HANDLER_NAME;
    }

    /**
     * Completed when the gateway is verified and keys are in place; failed with a
     * {@link JanusException} whose reason says why not ({@link Reason#CERTIFICATE_INVALID},
     * {@link Reason#HANDSHAKE_FAILED}, or the reason of the gateway's HandshakeError).
     *
     * @return the handshake future
     */
    public CompletableFuture<HandshakeResult> handshakeFuture() {
        return handshake;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        byte[] random = new byte[ClientHello.RANDOM_LENGTH];
        RANDOM.nextBytes(random);
        EphemeralKey ephemeral = EphemeralKey.generate(RANDOM);
        hello = ClientHello.create(ephemeral, random, acceptCompression);
        this.ephemeral = ephemeral;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(hello.encoded()), ctx.voidPromise());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (records != null) {
                records.read(ctx, frame);
            } else if (!handshake.isDone()) {
                onServerHello(ctx, frame);
            }
        } finally {
            frame.release();
        }
    }

    private void onServerHello(ChannelHandlerContext ctx, ByteBuf frame) {
        if (HandshakeError.is(frame)) {
            HandshakeError error = HandshakeError.parse(frame);
            throw new ProtocolException(error.reason(), "the gateway refused the handshake: " + error.message());
        }
        ServerHello serverHello = ServerHello.parse(frame);
        serverHello.verify(hello, pinnedRoots, clock.instant(), skew);
        byte[] shared = ephemeral.agree(serverHello.publicKey());
        ephemeral = null;
        byte[] transcript = serverHello.transcriptHash(hello);
        KeySchedule keys = KeySchedule.derive(shared, transcript);
        int threshold = serverHello.compressionThreshold();
        if (threshold > 0 && !acceptCompression) {
            throw new ProtocolException(Reason.HANDSHAKE_FAILED, "the gateway turned on compression unasked");
        }
        records = new SecureChannel(TrafficCipher.sealing(keys.clientToServerSecret(), keyUpdateInterval),
                TrafficCipher.opening(keys.serverToClientSecret()));
        handshake.complete(SecureChannel.established(ctx, transcript, keys, threshold, maxInflatedBytes,
                serverHello.certificate()));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        if (records == null) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new IllegalStateException("the handshake has not completed"));
            return;
        }
        records.write(ctx, (ByteBuf) msg, promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (!handshake.isDone()) {
            JanusException known = JanusException.find(cause);
            handshake.completeExceptionally(known != null ? known : cause);
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        handshake.completeExceptionally(new ProtocolException(Reason.HANDSHAKE_FAILED,
                "the connection closed before the handshake completed"));
        super.channelInactive(ctx);
    }
}
