package io.janus.bench.load;

/**
 * A request the generator did not send because its connection already had its limit of requests in
 * flight: the target fell behind an open-loop rate. Counted as an error, never queued without bound.
 * Shared and without a stack trace: it is thrown on the hot path.
 */
final class InFlightLimitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The shared instance. */
    static final InFlightLimitException INSTANCE = new InFlightLimitException();

    private InFlightLimitException() {
        super("too many requests in flight on one connection", null, false, false);
    }
}
