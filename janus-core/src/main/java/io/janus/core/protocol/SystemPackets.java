package io.janus.core.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.janus.api.ErrorDetail;
import io.janus.api.Kick;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.core.ProtocolException;

/** Builds and parses the packets of the system module (module 0). Used by the gateway and by clients. */
public final class SystemPackets {

    /** The module number of the system module. */
    public static final int MODULE = 0;

    private SystemPackets() {
    }

    /**
     * A system request or response.
     *
     * @param seq the system command
     * @param index the correlation index (0 for a push)
     * @param body the message
     * @return the packet
     */
    public static Packet packet(SystemSeq seq, int index, MessageLite body) {
        return Packet.newBuilder()
                .setModule(MODULE)
                .setSeq(seq.getNumber())
                .setIndex(index)
                .setBody(body.toByteString())
                .build();
    }

    /**
     * The kick the gateway pushes before it closes a session.
     *
     * @param reason why
     * @param message detail
     * @return the packet
     */
    public static Packet kick(Reason reason, String message) {
        return packet(SystemSeq.KICK, 0, Kick.newBuilder().setReason(reason).setMessage(message).build());
    }

    /**
     * The kick the gateway pushes before it closes a session, with the address the client should
     * reconnect to: the drain notice ({@link Reason#SERVER_DRAIN}, docs/protocol.md section 8).
     *
     * @param reason why
     * @param message detail
     * @param reconnectAddress where to reconnect; {@code null} or empty for none
     * @return the packet
     */
    public static Packet kick(Reason reason, String message, String reconnectAddress) {
        Kick.Builder kick = Kick.newBuilder().setReason(reason).setMessage(message);
        if (reconnectAddress != null) {
            kick.setReconnectAddress(reconnectAddress);
        }
        return packet(SystemSeq.KICK, 0, kick.build());
    }

    /**
     * The error answer to a request: the request's module, seq, index and obj, the reason as status and
     * an {@link ErrorDetail} body.
     *
     * @param request the request
     * @param reason the reason, not {@link Reason#OK}
     * @param message detail
     * @return the packet
     */
    public static Packet error(Packet request, Reason reason, String message) {
        return error(request, reason.getNumber(), ErrorDetail.newBuilder().setReason(reason).setMessage(message)
                .build().toByteString());
    }

    /**
     * The error answer to a request with any status and body.
     *
     * @param request the request
     * @param status the status: a reason code below 1000 or a game status
     * @param body the body
     * @return the packet
     */
    public static Packet error(Packet request, int status, ByteString body) {
        return Packet.newBuilder()
                .setModule(request.getModule())
                .setSeq(request.getSeq())
                .setIndex(request.getIndex())
                .setObj(request.getObj())
                .setStatus(status)
                .setBody(body)
                .build();
    }

    /**
     * Whether a packet is a given system command.
     *
     * @param packet the packet
     * @param seq the command
     * @return whether it is
     */
    public static boolean is(Packet packet, SystemSeq seq) {
        return packet.getModule() == MODULE && packet.getSeq() == seq.getNumber();
    }

    /**
     * Parses a system message body.
     *
     * @param parser the message's parser
     * @param body the body
     * @param <T> the message type
     * @return the message
     * @throws ProtocolException with {@link Reason#MALFORMED_PACKET} when the body does not parse
     */
    public static <T> T parse(Parser<T> parser, ByteString body) {
        try {
            return parser.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(Reason.MALFORMED_PACKET, "malformed system message body: " + e.getMessage());
        }
    }
}
