package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run with {@code EVALSHA}, falling back to {@code EVAL} (which also loads it) when the
 * server answers {@code NOSCRIPT}, for instance after a restart (https://redis.io/docs/latest/commands/evalsha/).
 *
 * <p>On Redis Cluster, Lettuce sends {@code EVALSHA}/{@code EVAL} to the master of the first key's slot;
 * a script must therefore declare every key it touches in {@code KEYS}, all in one slot (the scripts of
 * this package touch exactly one key). Each master has its own script cache, so the {@code NOSCRIPT}
 * fallback happens per master, on the master that answered it.
 */
final class LuaScript {

    private final String source;
    private final String sha1;

    LuaScript(String source) {
        this.source = requireNonNull(source, "source");
        this.sha1 = sha1Hex(source);
    }

    String sha1() {
        return sha1;
    }

    /**
     * Runs the script with an integer result: {@code EVALSHA} first, {@code EVAL} on {@code NOSCRIPT};
     * any other failure fails the stage.
     */
    CompletionStage<Long> evalLong(RedisClusterAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletionStage<Long> bySha = redis.<Long>evalsha(sha1, ScriptOutputType.INTEGER, keys, args);
        return bySha.handle((value, error) -> {
            if (error == null) {
                return (CompletionStage<Long>) CompletableFuture.completedFuture(value);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException) {
                return redis.<Long>eval(source, ScriptOutputType.INTEGER, keys, args);
            }
            return CompletableFuture.<Long>failedFuture(cause);
        }).thenCompose(stage -> stage);
    }

    private static String sha1Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 missing from the JDK", e);
        }
    }
}
