package io.janus.transport.kcp.fec;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * The single entry point between a UDP socket and the KCP engine for a kcp-go compatible session: it
 * turns received datagrams into KCP payloads and KCP payloads into datagrams to send, applying the
 * layers kcp-go puts around KCP, outermost first:
 * <ol>
 *   <li>the packet header ({@link KcpGoHeader}: nonce and CRC32), when
 *       {@link KcpGoPacketConfig#packetHeader()} is on;</li>
 *   <li>the FEC layer ({@link FecEncoder}, {@link FecDecoder}), when FEC is configured;</li>
 *   <li>the KCP segments themselves, passed through untouched.</li>
 * </ol>
 * As kcp-go does, a receiver with FEC on accepts a datagram without an FEC header (bytes 4-5 are not
 * 0xf1/0xf2) as bare KCP segments. A receiver with FEC off refuses FEC shards with
 * {@link Reason#FEC_NOT_CONFIGURED} instead of guessing the peer's shard counts.
 *
 * <p>Ownership: neither method releases or keeps its input buffer; every buffer added to an output
 * list belongs to the caller, who must release (or write) it. When a method throws, it has added
 * nothing to the output list. A {@link ProtocolException} concerns only the datagram at hand: the codec
 * stays consistent and usable, so a transport may count the failure ({@code TransportContext.recordFailure}
 * with {@link ProtocolException#reason()}) and drop the datagram rather than end the session.
 *
 * <p>Typical use from a datagram handler (one codec per remote address):
 * <pre>{@code
 * List<ByteBuf> payloads = new ArrayList<>(4);
 * try {
 *     codec.decode(packet.content(), payloads);
 * } catch (ProtocolException e) {
 *     transportContext.recordFailure(e.reason()); // count and drop this datagram
 * } finally {
 *     packet.release();
 * }
 * for (ByteBuf payload : payloads) {
 *     kcp.input(payload); // the KCP engine now owns (and releases) each payload
 * }
 * }</pre>
 * and on the way out, {@code codec.encode(kcpOutput, datagrams)}, release {@code kcpOutput}, then write
 * each datagram in a {@code DatagramPacket} to the peer.
 *
 * <p>Memory is bounded by the configuration: see {@link FecEncoder} and {@link FecDecoder}. Not
 * thread-safe: one codec per session, used from its event loop; {@link #close()} releases what the
 * FEC decoder holds.
 *
 * @see <a href="https://github.com/xtaci/kcp-go">kcp-go v5</a>
 */
public final class KcpGoPacketCodec implements AutoCloseable {

    private final KcpGoPacketConfig config;
    private final ByteBufAllocator alloc;
    private final int headroom;
    private final FecEncoder encoder;
    private final FecDecoder decoder;

    /**
     * Creates a codec.
     *
     * @param config the framing both peers agreed on
     * @param alloc allocates the datagrams and recovered payloads (usually the channel's allocator)
     */
    public KcpGoPacketCodec(KcpGoPacketConfig config, ByteBufAllocator alloc) {
        this.config = requireNonNull(config, "config");
        this.alloc = requireNonNull(alloc, "alloc");
        this.headroom = config.packetHeader() ? KcpGoHeader.SIZE : 0;
        if (config.fecEnabled()) {
            this.encoder = new FecEncoder(config.dataShards(), config.parityShards(), headroom,
                    config.maxDatagramSize(), alloc);
            this.decoder = new FecDecoder(config.dataShards(), config.parityShards(),
                    config.maxDatagramSize() - headroom, config.maxFecGroups(), alloc);
        } else {
            this.encoder = null;
            this.decoder = null;
        }
    }

    /** Returns the configuration. */
    public KcpGoPacketConfig config() {
        return config;
    }

    /**
     * Returns the largest KCP payload {@link #encode} accepts: what the KCP engine's MTU may be at most.
     */
    public int maxPayloadSize() {
        return config.maxDatagramSize() - config.overhead();
    }

    /**
     * Returns the FEC decoder, for its counters, or {@code null} when FEC is off.
     */
    public FecDecoder fecDecoder() {
        return decoder;
    }

    /**
     * Returns the FEC encoder, or {@code null} when FEC is off.
     */
    public FecEncoder fecEncoder() {
        return encoder;
    }

    /**
     * Turns one received datagram into the KCP payloads it carries: none (a parity shard that
     * completed nothing, a duplicate), one, or several (a data shard plus data recovered from parity).
     *
     * @param datagram the UDP payload; its bytes are consumed, but it is not released: the caller
     *     keeps ownership
     * @param kcpPayloadsOut receives the KCP payloads, each owned by the caller (possibly slices sharing
     *     the datagram's memory, so release the datagram and each payload independently)
     * @throws ProtocolException with a reason of the 140-149 range when the datagram is malformed
     */
    public void decode(ByteBuf datagram, List<ByteBuf> kcpPayloadsOut) {
        requireNonNull(datagram, "datagram");
        requireNonNull(kcpPayloadsOut, "kcpPayloadsOut");
        if (config.packetHeader()) {
            KcpGoHeader.verifyAndSkip(datagram);
        } else if (!datagram.isReadable()) {
            throw new ProtocolException(Reason.KCPGO_DATAGRAM_TOO_SHORT, "empty kcp-go datagram");
        }
        if (FecDecoder.isFecShard(datagram)) {
            if (decoder == null) {
                throw new ProtocolException(Reason.FEC_NOT_CONFIGURED, "FEC shard received (type 0x"
                        + Integer.toHexString(datagram.getUnsignedShortLE(datagram.readerIndex() + 4))
                        + ") but this side is configured without FEC");
            }
            decoder.decode(datagram, kcpPayloadsOut);
        } else {
            kcpPayloadsOut.add(datagram.readRetainedSlice(datagram.readableBytes()));
        }
    }

    /**
     * Turns one KCP payload (one or more KCP segments, as the engine flushes them) into the datagrams
     * to send: one, plus the parity shards when it completes an FEC group.
     *
     * @param kcpPayload the payload; neither its indexes nor its reference count change (the caller
     *     keeps ownership)
     * @param datagramsOut receives the datagrams, each owned by the caller
     * @throws IllegalArgumentException when the payload is empty or above {@link #maxPayloadSize()}
     */
    public void encode(ByteBuf kcpPayload, List<ByteBuf> datagramsOut) {
        requireNonNull(kcpPayload, "kcpPayload");
        requireNonNull(datagramsOut, "datagramsOut");
        int length = kcpPayload.readableBytes();
        if (length < 1 || length > maxPayloadSize()) {
            throw new IllegalArgumentException("KCP payload of " + length + " bytes (expected: 1.."
                    + maxPayloadSize() + ")");
        }
        int sizeBefore = datagramsOut.size();
        try {
            if (encoder != null) {
                encoder.encode(kcpPayload, datagramsOut);
            } else {
                ByteBuf datagram = alloc.buffer(headroom + length);
                datagramsOut.add(datagram);
                datagram.writeZero(headroom);
                datagram.writeBytes(kcpPayload, kcpPayload.readerIndex(), length);
            }
            if (headroom > 0) {
                for (int i = sizeBefore; i < datagramsOut.size(); i++) {
                    KcpGoHeader.seal(datagramsOut.get(i));
                }
            }
        } catch (RuntimeException e) {
            for (int i = datagramsOut.size() - 1; i >= sizeBefore; i--) {
                datagramsOut.remove(i).release();
            }
            throw e;
        }
    }

    /** Releases the shards the FEC decoder keeps. */
    @Override
    public void close() {
        if (decoder != null) {
            decoder.close();
        }
    }
}
