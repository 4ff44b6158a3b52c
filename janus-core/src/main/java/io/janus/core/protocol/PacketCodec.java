package io.janus.core.protocol;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns whole frames into {@link Packet}s and back (docs/protocol.md, "Packet"). Stateless and
 * {@link Sharable}; used by the gateway and by janus-client.
 *
 * <p>Inbound: each {@link ByteBuf} message is one frame body and is released by this codec. A frame that
 * is not a well-formed packet raises a {@link ProtocolException} with {@link Reason#MALFORMED_PACKET}.
 * Outbound: each {@link Packet} becomes one frame body in a buffer from the channel's allocator, which
 * the next handler (the transport's framing) owns and releases.
 */
@Sharable
public final class PacketCodec extends MessageToMessageCodec<ByteBuf, Packet> {

    /** The pipeline name of the codec on both ends. */
    public static final String NAME = "janus-packet";

    /** The shared instance. */
    public static final PacketCodec INSTANCE = new PacketCodec();

    private PacketCodec() {
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Packet packet, List<Object> out) {
        out.add(encode(ctx.alloc(), packet));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decode(frame));
    }

    /**
     * Serialises a packet into a new buffer.
     *
     * @param alloc the allocator
     * @param packet the packet
     * @return a buffer holding exactly the packet; the caller owns it
     */
    public static ByteBuf encode(ByteBufAllocator alloc, Packet packet) {
        int size = packet.getSerializedSize();
        ByteBuf buf = alloc.ioBuffer(size);
        try {
            ByteBuffer target = buf.nioBuffer(buf.writerIndex(), size);
            CodedOutputStream cos = CodedOutputStream.newInstance(target);
            packet.writeTo(cos);
            cos.flush();
            buf.writerIndex(buf.writerIndex() + size);
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw new IllegalStateException("cannot serialise a packet of " + size + " bytes", e);
        }
    }

    /**
     * Parses one frame body. Does not release {@code frame}.
     *
     * @param frame the frame body
     * @return the packet
     * @throws ProtocolException with {@link Reason#MALFORMED_PACKET} when the bytes are not a packet
     */
    public static Packet decode(ByteBuf frame) {
        int length = frame.readableBytes();
        try {
            Packet packet = frame.nioBufferCount() == 1
                    ? Packet.parseFrom(frame.nioBuffer())
                    : Packet.parseFrom(io.netty.buffer.ByteBufUtil.getBytes(frame));
            frame.skipBytes(length);
            return packet;
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(Reason.MALFORMED_PACKET,
                    "a frame of " + length + " bytes is not a valid packet: " + e.getMessage());
        }
    }
}
