package io.janus.discovery.etcd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Tells, without blocking the caller, whether a TCP endpoint accepts connections. */
final class TcpProbe {

    private TcpProbe() {
    }

    /**
     * Tries one connection and closes it at once.
     *
     * @return a stage completed with {@code true} when the connection was accepted within {@code timeout},
     *         {@code false} otherwise; never completed exceptionally
     */
    static CompletableFuture<Boolean> connects(String host, int port, Duration timeout) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        AsynchronousSocketChannel channel;
        try {
            channel = AsynchronousSocketChannel.open();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(false);
        }
        channel.connect(new InetSocketAddress(host, port), null, new CompletionHandler<Void, Void>() {
            @Override
            public void completed(Void v, Void attachment) {
                result.complete(true);
            }

            @Override
            public void failed(Throwable t, Void attachment) {
                result.complete(false);
            }
        });
        return result.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, t) -> {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing was sent; a failed close leaks nothing that matters.
            }
        });
    }
}
