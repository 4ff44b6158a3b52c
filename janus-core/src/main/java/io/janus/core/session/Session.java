package io.janus.core.session;

import io.janus.api.Reason;
import io.janus.core.game.Push;
import io.janus.core.spi.Identity;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;

/**
 * One client connection on this gateway, from accept to close. Thread-safe.
 */
public interface Session {

    /** The session id, unique across gateways with overwhelming probability. */
    long id();

    /** The transport name ({@code tcp}, {@code ws}, {@code kcp}). */
    String transport();

    /** The client's address. */
    SocketAddress remoteAddress();

    /** The authenticated player, or {@code null} before login completes. */
    Identity identity();

    /** The session as game code sees it, or {@code null} before login completes. */
    SessionInfo info();

    /** Whether the connection is open. */
    boolean isActive();

    /** Free-form attributes for the embedding application. */
    ConcurrentMap<String, Object> attributes();

    /**
     * Sends a push. Never blocks; may be called from any thread.
     *
     * @param push the message
     * @return {@code true} if the session took it; {@code false} if the session is closed, not logged in,
     *         or was just disconnected because its outbound queue is over its limit
     */
    boolean push(Push push);

    /**
     * Sends the client a system notice (module 0, seq NOTICE), for example a maintenance announcement.
     * Never blocks; may be called from any thread.
     *
     * @param text the notice
     * @return whether the session took it
     */
    boolean notice(String text);

    /**
     * The round-trip time the client last reported in a heartbeat, in milliseconds, or -1 before the
     * first report.
     *
     * @return the round-trip time
     */
    long rttMillis();

    /**
     * Sends the client a kick with the reason, then closes the connection.
     *
     * @param reason why
     * @param message detail for the client and the log
     */
    void close(Reason reason, String message);

    /**
     * A future completed with the reason the session closed ({@link Reason#OK} when the client simply
     * went away; {@link Reason#SESSION_MOVED} when it was resumed on another gateway of the fleet, which
     * serves it from then on: for this gateway's embedded game logic it ended).
     *
     * @return the close future
     */
    CompletableFuture<Reason> closeFuture();
}
