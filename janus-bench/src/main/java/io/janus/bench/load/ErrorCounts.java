package io.janus.bench.load;

import io.janus.core.JanusException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failures by kind: the gateway's {@link io.janus.api.Reason} when the failure carries one, else the
 * exception's class name. Thread-safe. Bounded: at most {@value #MAX_KINDS} kinds; any further kind is
 * counted as {@code OTHER}.
 */
final class ErrorCounts {

    /** Distinct kinds kept. */
    static final int MAX_KINDS = 64;

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts a failure. */
    void record(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof InFlightLimitException) {
            record("IN_FLIGHT_LIMIT");
            return;
        }
        JanusException janus = JanusException.find(t);
        record(janus != null ? janus.reason().name() : t.getClass().getSimpleName());
    }

    /** Counts a failure of a named kind. */
    void record(String kind) {
        LongAdder count = counts.get(kind);
        if (count == null) {
            if (counts.size() >= MAX_KINDS) {
                kind = "OTHER";
            }
            count = counts.computeIfAbsent(kind, k -> new LongAdder());
        }
        count.increment();
    }

    /** The total. */
    long total() {
        long total = 0;
        for (LongAdder c : counts.values()) {
            total += c.sum();
        }
        return total;
    }

    /** A sorted copy. */
    Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
