package io.janus.core.game;

import com.google.protobuf.ByteString;

/**
 * Handles one (module, seq) command and returns the response body. Registered with
 * {@link GameHandlers.Builder#on} it runs on the gateway's blocking executor, one request of a session
 * at a time and in arrival order, so it may call a database; registered with
 * {@link GameHandlers.Builder#onNonBlocking} it runs on the event loop and must not block.
 */
@FunctionalInterface
public interface GameHandler {

    /**
     * Handles a request.
     *
     * @param request the request
     * @return the response body, never {@code null} ({@link ByteString#EMPTY} for none)
     * @throws io.janus.core.RequestException to answer with a game status (1000 and above)
     * @throws Exception any other failure, answered with {@link io.janus.api.Reason#INTERNAL_ERROR}
     */
    ByteString handle(GameRequest request) throws Exception;
}
