package io.janus.core;

import io.janus.api.Reason;

/**
 * An {@link io.janus.core.spi.Authenticator} refused a token, or could not decide. The reason is one of
 * the 2xx codes: {@link Reason#AUTH_FAILED}, {@link Reason#TOKEN_INVALID}, {@link Reason#TOKEN_EXPIRED},
 * {@link Reason#TOKEN_REPLAYED}, {@link Reason#AUTH_UNAVAILABLE}, {@link Reason#BANNED},
 * {@link Reason#TOKEN_TAMPERED}, {@link Reason#TOKEN_UNKNOWN_KEY}, {@link Reason#TOKEN_NOT_YET_VALID},
 * {@link Reason#ATTESTATION_FAILED}.
 */
public final class AuthenticationException extends JanusException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an authentication failure without a stack trace.
     *
     * @param reason the stable reason code
     * @param message why the token was refused; sent to the client, so it must not reveal secrets
     */
    public AuthenticationException(Reason reason, String message) {
        super(reason, message, null, false);
    }
}
