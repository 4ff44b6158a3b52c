package io.janus.client.conformance;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import io.janus.core.RequestException;
import io.janus.core.game.GameHandler;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.Push;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.Identity;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** The game the conformance suite runs behind every transport. */
public final class TestGame {

    /** Module of the test commands. */
    public static final int MODULE = 1;
    /** Echoes the body (non-blocking handler). */
    public static final int ECHO = 1;
    /** Body: 4-byte count; pushes that many numbered pushes to the sender, then answers. */
    public static final int PUSH_ME = 2;
    /** Body: 4-byte size; answers with that many bytes. */
    public static final int BIG = 3;
    /** Echoes the body from the blocking executor. */
    public static final int BLOCKING_ECHO = 4;
    /** Fails with game status 1001. */
    public static final int GAME_ERROR = 5;
    /** Body: 4-byte size; pushes pushes of that size to the sender until one is refused, answers the count. */
    public static final int FLOOD = 6;
    /** Answers the name of the thread the (blocking) handler ran on. */
    public static final int THREAD_BLOCKING = 7;
    /** Answers the name of the thread the non-blocking handler ran on. */
    public static final int THREAD_NON_BLOCKING = 8;
    /** Seq of the pushes PUSH_ME and FLOOD send. */
    public static final int PUSH_SEQ = 100;

    private TestGame() {
    }

    /** Tokens are {@code player-<id>}; anything else is refused with TOKEN_INVALID. */
    public static Authenticator authenticator() {
        return request -> {
            String token = request.token();
            if (!token.startsWith("player-")) {
                return CompletableFuture.failedFuture(
                        new AuthenticationException(Reason.TOKEN_INVALID, "unknown token"));
            }
            try {
                return CompletableFuture.completedFuture(Identity.of(Long.parseLong(token.substring(7))));
            } catch (NumberFormatException e) {
                return CompletableFuture.failedFuture(
                        new AuthenticationException(Reason.TOKEN_INVALID, "malformed token"));
            }
        };
    }

    /** The handlers. */
    public static GameHandlers handlers() {
        return GameHandlers.builder()
                .onNonBlocking(MODULE, ECHO, req -> req.body())
                .on(MODULE, BLOCKING_ECHO, req -> req.body())
                .onNonBlocking(MODULE, PUSH_ME, req -> {
                    int count = req.body().asReadOnlyByteBuffer().getInt();
                    for (int i = 0; i < count; i++) {
                        req.pusher().pushToSession(req.session().sessionId(),
                                Push.of(MODULE, PUSH_SEQ, i, ByteString.copyFrom(ByteBuffer.allocate(4).putInt(0, i))));
                    }
                    return ByteString.EMPTY;
                })
                .onNonBlocking(MODULE, BIG, req -> ByteString.copyFrom(new byte[req.body().asReadOnlyByteBuffer()
                        .getInt()]))
                .on(MODULE, THREAD_BLOCKING, req -> ByteString.copyFromUtf8(Thread.currentThread().getName()))
                .onNonBlocking(MODULE, THREAD_NON_BLOCKING,
                        req -> ByteString.copyFromUtf8(Thread.currentThread().getName()))
                .onNonBlocking(MODULE, GAME_ERROR, req -> {
                    throw RequestException.game(1001, "game says no");
                })
                .on(MODULE, FLOOD, req -> {
                    int size = req.body().asReadOnlyByteBuffer().getInt();
                    ByteString payload = ByteString.copyFrom(new byte[size]);
                    int accepted = 0;
                    // Bounded: the gateway must refuse long before this many.
                    for (int i = 0; i < 1_000_000; i++) {
                        if (!req.pusher().pushToSession(req.session().sessionId(), Push.of(MODULE, PUSH_SEQ, payload))
                                .toCompletableFuture().join()) {
                            break;
                        }
                        accepted++;
                    }
                    return ByteString.copyFrom(ByteBuffer.allocate(4).putInt(0, accepted));
                })
                .build();
    }

    /**
     * A 4-byte big-endian integer body.
     *
     * @param value the value
     * @return the body
     */
    public static ByteString intBody(int value) {
        return ByteString.copyFrom(ByteBuffer.allocate(4).putInt(0, value));
    }

    /**
     * A range body for {@link #pushRange}: 4-byte start, 4-byte count.
     *
     * @param start the first push's obj
     * @param count how many pushes
     * @return the body
     */
    public static ByteString rangeBody(int start, int count) {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putInt(start).putInt(count).flip());
    }

    /**
     * A handler that pushes to the sender's session {@link #PUSH_SEQ} pushes with obj {@code start} to
     * {@code start + count - 1} (body from {@link #rangeBody}), then answers empty.
     *
     * @return the handler
     */
    public static GameHandler pushRange() {
        return request -> {
            ByteBuffer body = request.body().asReadOnlyByteBuffer();
            int start = body.getInt();
            int count = body.getInt();
            for (int i = start; i < start + count; i++) {
                request.pusher().pushToSession(request.session().sessionId(),
                        Push.of(MODULE, PUSH_SEQ, i, ByteString.EMPTY));
            }
            return ByteString.EMPTY;
        };
    }

    /**
     * A blocking handler that releases {@code started}, waits (at most 30 s) for {@code gate}, then echoes:
     * a request the test holds in flight.
     *
     * @param started released when a request arrives
     * @param gate what the handler waits for
     * @return the handler
     */
    public static GameHandler gated(Semaphore started, CountDownLatch gate) {
        return request -> {
            started.release();
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return request.body();
        };
    }
}
