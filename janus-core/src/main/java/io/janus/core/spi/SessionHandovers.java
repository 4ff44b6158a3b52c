package io.janus.core.spi;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The gateway's side of a session handover (docs/protocol.md, section 14.6): what a
 * {@link SessionDirectory} calls when another gateway resumes, and so takes over, one of this gateway's
 * sessions, and when packets arrive for a session another gateway handed to this one. Implemented by the
 * gateway and given to the directory in its {@link SessionDirectoryContext}.
 *
 * <p>A handover runs in three steps: {@link #export} freezes the session (it lets go of its connection
 * and stops taking resumes) and answers its sealed state; then exactly one of {@link #committed} (the
 * other gateway now holds the directory entry: this gateway lets go) or {@link #aborted} (it does not:
 * the session stays here, resumable again). The directory decides which, from the taker's word or, when
 * that is lost, from the directory entry itself.
 *
 * <p>Every method may be called from any thread and never blocks.
 */
public interface SessionHandovers {

    /** Refuses every handover: for a gateway whose sessions cannot move. */
    SessionHandovers NONE = new SessionHandovers() {
        @Override
        public CompletionStage<byte[]> export(long sessionId, long playerId, String toGateway) {
            return CompletableFuture.failedFuture(new JanusException(Reason.RESUME_SESSION_GONE,
                    "this gateway does not hand sessions over"));
        }

        @Override
        public List<byte[]> committed(long sessionId, String toGateway) {
            return List.of();
        }

        @Override
        public void aborted(long sessionId) {
        }

        @Override
        public void deliver(long sessionId, List<byte[]> packets) {
        }
    };

    /**
     * Freezes a resumable session of this gateway for a handover to {@code toGateway} and answers its
     * state, sealed under the fleet's resume ticket key (only gateways holding that key can read it).
     *
     * @param sessionId the session
     * @param playerId its player, as the resume ticket names it
     * @param toGateway the gateway taking it over
     * @return the sealed state, or failed with a {@link JanusException} of
     *     {@link Reason#RESUME_SESSION_GONE} when the session is not here, not resumable, closed, or already
     *     being resumed
     */
    CompletionStage<byte[]> export(long sessionId, long playerId, String toGateway);

    /**
     * The taker holds the session now: this gateway lets go of its frozen copy, without ending the session
     * for the game, and from now on forwards to the taker what still arrives for it (answers to requests
     * that were in flight, late pushes). Ignored for a session that is not frozen.
     *
     * @param sessionId the session
     * @param toGateway the gateway that took it
     * @return the packets numbered here after the snapshot, oldest first, for the directory to send to the
     *     taker ahead of anything else; empty when none (or the session was not frozen)
     */
    List<byte[]> committed(long sessionId, String toGateway);

    /**
     * The handover did not happen: the frozen session becomes resumable here again. Ignored for a session
     * that is not frozen.
     *
     * @param sessionId the session
     */
    void aborted(long sessionId);

    /**
     * Packets the gateway that handed a session to this one forwards to it; written to the session as
     * any push (numbered, buffered while it is detached). Dropped when the session is not here.
     *
     * @param sessionId the session
     * @param packets encoded packets, oldest first
     */
    void deliver(long sessionId, List<byte[]> packets);
}
