package io.janus.client;

import io.janus.core.JanusException;

/** A request could not complete because its session closed; carries the reason the session closed. */
public final class SessionClosedException extends JanusException {

    private static final long serialVersionUID = 1L;

    SessionClosedException(CloseReason reason) {
        super(reason.reason(), "the session is closed: " + reason, null, false);
    }
}
