package io.janus.bench.load;

import com.google.protobuf.ByteString;
import io.janus.client.ClientSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A logged-in Janus session sending echo requests; at most {@code maxInFlight} at a time. */
final class JanusConnection implements Connection {

    private final ClientSession session;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    JanusConnection(ClientSession session, int maxInFlight) {
        this.session = session;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public CompletableFuture<?> request(ByteString body) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(InFlightLimitException.INSTANCE);
        }
        CompletableFuture<ByteString> answer = session.request(BenchGateway.ECHO_MODULE, BenchGateway.ECHO_SEQ, body);
        answer.whenComplete((r, t) -> inFlight.decrementAndGet());
        return answer;
    }

    @Override
    public boolean isActive() {
        return session.isActive();
    }

    @Override
    public void close() {
        session.close();
    }
}
