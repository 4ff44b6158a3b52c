package io.janus.core.spi;

import io.janus.core.session.SessionInfo;
import java.util.concurrent.CompletionStage;

/**
 * A session another gateway handed over for a resume on this one ({@link SessionDirectory#takeOver}):
 * its sealed state, frozen on the holder, until this gateway {@linkplain #commit commits} or
 * {@linkplain #abort aborts}. Exactly one of the two must be called.
 */
public interface SessionTakeover {

    /**
     * The gateway that held the session.
     *
     * @return its id
     */
    String holder();

    /**
     * The session's state as the holder sealed it ({@link SessionHandovers#export}).
     *
     * @return the sealed state
     */
    byte[] sealedState();

    /**
     * Moves the session's directory entry from the holder to this gateway with a compare-and-set (so a
     * resume racing on a third gateway, or a new login, wins or loses as a whole), then tells the holder
     * to let go.
     *
     * @param session the session's login as this gateway now holds it
     * @return completed with whether the entry is this gateway's now; {@code false} when the entry changed
     *     meanwhile (the holder keeps the session)
     */
    CompletionStage<Boolean> commit(SessionInfo session);

    /** Gives up: the holder keeps the session, resumable again. */
    void abort();
}
