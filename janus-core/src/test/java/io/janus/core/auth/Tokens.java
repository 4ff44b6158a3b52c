package io.janus.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.janus.core.AuthenticationException;
import io.janus.core.spi.AuthRequest;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** Helpers shared by the sealed-token tests. */
final class Tokens {

    private Tokens() {
    }

    static AuthRequest request(String token) {
        return new AuthRequest(token, new InetSocketAddress("127.0.0.1", 40000), "tcp");
    }

    static byte[] decode(String token) {
        return Base64.getUrlDecoder().decode(token);
    }

    static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Decodes a token, lets {@code edit} change its bytes, and encodes it again. */
    static String edit(String token, Consumer<byte[]> edit) {
        byte[] bytes = decode(token);
        edit.accept(bytes);
        return encode(bytes);
    }

    /** The refusal a completed stage failed with, not wrapped in a CompletionException. */
    static AuthenticationException refusal(CompletionStage<?> stage) {
        assertThat(stage.toCompletableFuture()).as("an in-memory verdict is immediate").isDone();
        Throwable t = catchThrowable(() -> stage.toCompletableFuture().join());
        assertThat(t).isInstanceOf(CompletionException.class);
        assertThat(t.getCause()).isInstanceOf(AuthenticationException.class);
        return (AuthenticationException) t.getCause();
    }
}
