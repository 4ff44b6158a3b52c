package io.janus.core;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;

/**
 * The root of the exceptions Janus raises for a failure that has a stable {@link Reason} code. The
 * reason is what the client receives, what the gateway logs and the label of the failure counter, so
 * the same failure reads the same in all three places.
 *
 * <p>Exceptions raised on the hot path for client misbehaviour are created without a stack trace
 * ({@code writableStackTrace = false}): they are expected, frequent under attack, and their message
 * says everything the stack would.
 */
public class JanusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    /**
     * Creates an exception with a stack trace.
     *
     * @param reason the stable reason code
     * @param message what was wrong and what was expected
     */
    public JanusException(Reason reason, String message) {
        this(reason, message, null, true);
    }

    /**
     * Creates an exception with a cause and a stack trace.
     *
     * @param reason the stable reason code
     * @param message what was wrong and what was expected
     * @param cause the underlying failure
     */
    public JanusException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, true);
    }

    /**
     * Creates an exception, optionally without a stack trace.
     *
     * @param reason the stable reason code
     * @param message what was wrong and what was expected
     * @param cause the underlying failure, or {@code null}
     * @param writableStackTrace {@code false} for cheap exceptions on the hot path
     */
    protected JanusException(Reason reason, String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, false, writableStackTrace);
        this.reason = requireNonNull(reason, "reason");
    }

    /** Returns the stable reason code of this failure. */
    public final Reason reason() {
        return reason;
    }

    /**
     * Finds the first {@code JanusException} in a cause chain (Netty wraps decoder failures in a
     * {@code DecoderException}), or returns {@code null}.
     *
     * @param t a throwable, possibly {@code null}
     * @return the first {@code JanusException} in the chain, or {@code null}
     */
    public static JanusException find(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof JanusException) {
                return (JanusException) t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + reason + "]: " + getMessage();
    }
}
