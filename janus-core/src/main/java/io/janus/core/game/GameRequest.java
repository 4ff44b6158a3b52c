package io.janus.core.game;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.core.session.SessionInfo;

/**
 * One request from a client to a game handler. Immutable. The same type reaches handlers embedded in
 * the gateway and handlers in a remote game service, so game code does not know where it runs.
 */
public final class GameRequest {

    private final SessionInfo session;
    private final int module;
    private final int seq;
    private final int index;
    private final long obj;
    private final ByteString body;
    private final Pusher pusher;

    /**
     * Creates a request; called by tunnels.
     *
     * @param session the sending session
     * @param module the module
     * @param seq the command within the module
     * @param index the client's correlation index, 0 for a one-way message
     * @param obj the target object id
     * @param body the payload
     * @param pusher where the handler can push from
     */
    public GameRequest(SessionInfo session, int module, int seq, int index, long obj, ByteString body,
            Pusher pusher) {
        this.session = requireNonNull(session, "session");
        this.module = module;
        this.seq = seq;
        this.index = index;
        this.obj = obj;
        this.body = requireNonNull(body, "body");
        this.pusher = requireNonNull(pusher, "pusher");
    }

    /** The sending session. */
    public SessionInfo session() {
        return session;
    }

    /** Shortcut for {@code session().playerId()}. */
    public long playerId() {
        return session.playerId();
    }

    /** The module. */
    public int module() {
        return module;
    }

    /** The command within the module. */
    public int seq() {
        return seq;
    }

    /** The client's correlation index; 0 for a one-way message, whose answer is not sent. */
    public int index() {
        return index;
    }

    /** The target object id, 0 when unused. */
    public long obj() {
        return obj;
    }

    /** The payload. */
    public ByteString body() {
        return body;
    }

    /** Pushes to this or any other player. */
    public Pusher pusher() {
        return pusher;
    }

    @Override
    public String toString() {
        return "GameRequest{module=" + module + ", seq=" + seq + ", index=" + index + ", obj=" + obj + ", body="
                + body.size() + " bytes, " + session + "}";
    }
}
