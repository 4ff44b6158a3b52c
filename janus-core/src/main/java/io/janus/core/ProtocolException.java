package io.janus.core;

import io.janus.api.Reason;

/**
 * A peer broke the wire protocol: a bad frame, a malformed packet, a packet that is not allowed in the
 * current state. The session that received it is closed. Created without a stack trace: a hostile
 * client can make the gateway raise these at will.
 */
public final class ProtocolException extends JanusException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates a protocol exception.
     *
     * @param reason the stable reason code, one of the 1xx codes
     * @param message what was wrong and what was expected
     */
    public ProtocolException(Reason reason, String message) {
        super(reason, message, null, false);
    }
}
