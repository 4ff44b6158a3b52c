package io.janus.core.game;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;

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
