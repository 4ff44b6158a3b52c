package io.janus.client;

/**
 * Hears how a {@link ClientSession}'s connection comes and goes, for an application that shows "reconnecting..."
 * or pauses its input. All methods run on the session's event loop, in the order the events happen, and must
 * not block; each has an empty default so a listener overrides only what it needs.
 *
 * <p>A resumable session (docs/protocol.md, section 14) that loses its connection reports
 * {@link #reconnecting(int, Throwable)} once per attempt to reach the gateway again, then either
 * {@link #resumed()} (nothing was lost: pushes continue in order and requests in flight complete) or
 * {@link #closed(CloseReason)}. A session that is not resumable only ever reports {@link #closed(CloseReason)}.
 */
public interface SessionListener {

    /**
     * The connection was lost and the client is about to make reconnect attempt number {@code attempt}.
     * Requests may still be sent: they wait, bounded, and go out once the session resumes.
     *
     * @param attempt 1 for the first attempt after the loss, then 2, 3, ...
     * @param cause why the connection (or the previous attempt) failed
     */
    default void reconnecting(int attempt, Throwable cause) {
    }

    /** The session resumed on a new connection: everything the gateway sent meanwhile follows, once, in order. */
    default void resumed() {
    }

    /**
     * The session ended for good, also after a resume failed: the gateway refused it
     * ({@link io.janus.api.Reason#RESUME_SESSION_GONE}, ...), or the resume window passed
     * ({@link io.janus.api.Reason#RESUME_WINDOW_EXPIRED}). Called once; pending requests have failed
     * with a {@link SessionClosedException} carrying the same reason, and {@link ClientSession#closeFuture()}
     * completes right after this call.
     *
     * @param reason why
     */
    default void closed(CloseReason reason) {
    }
}
