package io.janus.bench.load;

import com.google.protobuf.ByteString;
import java.util.concurrent.CompletableFuture;

/**
 * One connection of the load generator: a Janus session or a raw framed connection to the
 * {@link CeilingServer}. Thread-safe.
 */
interface Connection {

    /**
     * Sends one echo request.
     *
     * @param body the payload
     * @return completed when the echo arrives, or exceptionally (also at once when the connection
     *         already has its limit of requests in flight)
     */
    CompletableFuture<?> request(ByteString body);

    /** Whether the connection is open. */
    boolean isActive();

    /** Closes the connection; does not wait. */
    void close();
}
