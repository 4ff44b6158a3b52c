package io.janus.core.game;

import com.google.protobuf.ByteString;
import java.util.concurrent.CompletionStage;

/**
 * Handles one (module, seq) command asynchronously. Called on the event loop: it must start its work
 * without blocking and return at once.
 */
@FunctionalInterface
public interface AsyncGameHandler {

    /**
     * Handles a request.
     *
     * @param request the request
     * @return a stage completed with the response body, or exceptionally with a
     *         {@link io.janus.core.RequestException} for a game status
     */
    CompletionStage<ByteString> handle(GameRequest request);
}
