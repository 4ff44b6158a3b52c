package io.janus.core;

import io.janus.api.Reason;

/**
 * A request failed with a status: either a Janus {@link Reason} (status 1 to 999) or a status defined
 * by the game (1000 and above). Game handlers throw it to answer a request with an error; clients
 * receive it as the failure of a request's future.
 */
public final class RequestException extends JanusException {

    private static final long serialVersionUID = 1L;

    /** The first status a game may define; lower statuses are Janus reason codes. */
    public static final int FIRST_GAME_STATUS = 1000;

    private final int status;

    private RequestException(Reason reason, int status, String message) {
        super(reason, message, null, false);
        this.status = status;
    }

    /**
     * A failure with a game-defined status.
     *
     * @param status the game's status code, at least {@link #FIRST_GAME_STATUS}
     * @param message detail for logs
     * @return the exception
     */
    public static RequestException game(int status, String message) {
        if (status < FIRST_GAME_STATUS) {
            throw new IllegalArgumentException(
                    "game status: " + status + " (expected: >= " + FIRST_GAME_STATUS + ")");
        }
        return new RequestException(Reason.GAME_ERROR, status, message);
    }

    /**
     * A failure with a Janus reason code.
     *
     * @param reason the reason, not {@link Reason#OK}
     * @param message detail for logs
     * @return the exception
     */
    public static RequestException of(Reason reason, String message) {
        if (reason == Reason.OK || reason == Reason.UNRECOGNIZED) {
            throw new IllegalArgumentException("reason: " + reason + " (expected: a failure reason)");
        }
        return new RequestException(reason, reason.getNumber(), message);
    }

    /**
     * Builds the exception for a status received on the wire.
     *
     * @param status a non-zero status
     * @param message detail, possibly empty
     * @return the exception
     */
    public static RequestException fromStatus(int status, String message) {
        if (status == 0) {
            throw new IllegalArgumentException("status: 0 (expected: a failure status, not 0)");
        }
        if (status >= FIRST_GAME_STATUS) {
            return game(status, message);
        }
        Reason reason = Reason.forNumber(status);
        return new RequestException(reason == null ? Reason.UNRECOGNIZED : reason, status, message);
    }

    /** The wire status: a Janus reason code below 1000, a game status from 1000. */
    public int status() {
        return status;
    }

    /**
     * Whether the status was defined by the game rather than by Janus; {@link #reason()} is then
     * {@link Reason#GAME_ERROR}.
     */
    public boolean isGameStatus() {
        return status >= FIRST_GAME_STATUS;
    }
}
