package io.janus.core.auth;

import com.google.protobuf.ByteString;
import java.util.concurrent.CompletionStage;

/**
 * Remembers the ids of the sealed tokens already used, so that each token logs in once
 * (docs/protocol.md, section 10). {@link InMemoryTokenReplayCache} serves one gateway; a shared
 * implementation (the Redis routing module's) serves a fleet.
 *
 * <p>Implementations are thread-safe and never block: {@link #firstUse} is called on an event loop.
 */
public interface TokenReplayCache {

    /**
     * Records a use of a token id, and says whether it is the first.
     *
     * <p>An implementation remembers the id at least until {@code expiresAtMs}; when it cannot (full,
     * or its store unreachable) it fails closed rather than forget.
     *
     * @param tokenId the token's {@code token_id}
     * @param expiresAtMs when the token expires, in milliseconds since the Unix epoch; the id may be
     *        forgotten from then on
     * @return a stage completed with {@code true} on the first use of the id, {@code false} when it was
     *         used before and has not expired; or exceptionally with an
     *         {@link io.janus.core.AuthenticationException} of reason
     *         {@link io.janus.api.Reason#AUTH_UNAVAILABLE} when the cache cannot decide
     */
    CompletionStage<Boolean> firstUse(ByteString tokenId, long expiresAtMs);
}
