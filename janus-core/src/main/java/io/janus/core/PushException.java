package io.janus.core;

import io.janus.api.Reason;

/**
 * A push that was not handed on: malformed, too large, too many at once, or the session directory
 * could not be reached. Its reason is in the 600 range ({@link Reason#PUSH_INVALID},
 * {@link Reason#PUSH_TOO_MANY_TARGETS}, {@link Reason#PUSH_BACKLOG_FULL}, {@link Reason#PUSH_UNAVAILABLE})
 * and is what the caller, the gateway's log and its {@code janus_pushes_rejected_total} counter show.
 * Without a stack trace: it is an expected outcome under load.
 */
public final class PushException extends JanusException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason why, from the 600 range
     * @param message what was wrong and what was expected
     */
    public PushException(Reason reason, String message) {
        super(reason, message, null, false);
    }

    /**
     * Creates the exception with a cause (a Redis failure).
     *
     * @param reason why, from the 600 range
     * @param message what was wrong
     * @param cause the underlying failure
     */
    public PushException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause, false);
    }
}
