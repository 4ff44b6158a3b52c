package io.janus.core.game;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;

/** A message the server sends to a client without a request: module, seq, target object and body. Immutable. */
public final class Push {

    private final int module;
    private final int seq;
    private final long obj;
    private final ByteString body;

    private Push(int module, int seq, long obj, ByteString body) {
        if (module <= 0) {
            throw new IllegalArgumentException("module: " + module + " (expected: > 0; 0 is the system module)");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("seq: " + seq + " (expected: >= 0)");
        }
        this.module = module;
        this.seq = seq;
        this.obj = obj;
        this.body = requireNonNull(body, "body");
    }

    /**
     * A push with no target object.
     *
     * @param module the game module, above 0
     * @param seq the command within the module
     * @param body the payload
     * @return the push
     */
    public static Push of(int module, int seq, ByteString body) {
        return new Push(module, seq, 0, body);
    }

    /**
     * A push about a target object (a room, a match).
     *
     * @param module the game module, above 0
     * @param seq the command within the module
     * @param obj the target object id
     * @param body the payload
     * @return the push
     */
    public static Push of(int module, int seq, long obj, ByteString body) {
        return new Push(module, seq, obj, body);
    }

    /**
     * The push carried by a packet: its module, seq, obj and body; index, flags and status are ignored.
     *
     * @param packet the packet
     * @return the push
     * @throws IllegalArgumentException for module 0 (the system module) or a negative seq
     */
    public static Push of(Packet packet) {
        return new Push(packet.getModule(), packet.getSeq(), packet.getObj(), packet.getBody());
    }

    /**
     * The packet that carries this push to a client: index 0 (a push), no flags, status 0.
     *
     * @return a new packet
     */
    public Packet toPacket() {
        return Packet.newBuilder().setModule(module).setSeq(seq).setObj(obj).setBody(body).build();
    }

    /** The game module. */
    public int module() {
        return module;
    }

    /** The command within the module. */
    public int seq() {
        return seq;
    }

    /** The target object id, 0 when none. */
    public long obj() {
        return obj;
    }

    /** The payload. */
    public ByteString body() {
        return body;
    }

    @Override
    public String toString() {
        return "Push{module=" + module + ", seq=" + seq + ", obj=" + obj + ", body=" + body.size() + " bytes}";
    }
}
