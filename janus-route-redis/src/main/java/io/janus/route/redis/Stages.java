package io.janus.route.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** The two helpers every Redis-backed class here needs around Lettuce's futures. */
final class Stages {

    private Stages() {
    }

    /** Runs one Redis call, turning a synchronous refusal (closed connection, full queue) into a failed stage. */
    static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> command) {
        try {
            return command.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The cause of a {@link CompletionException}, or the error itself. */
    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
