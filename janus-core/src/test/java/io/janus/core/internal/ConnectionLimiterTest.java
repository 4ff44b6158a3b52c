package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link ConnectionLimiter}: total and per-address limits, and slots given back on release. */
class ConnectionLimiterTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no DNS lookup
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final InetAddress A = ip("10.0.0.1");
    private static final InetAddress B = ip("10.0.0.2");
    private static final InetAddress C = ip("2001:db8::1");

    @Test
    void refusesConnectionsOverTheTotalLimit() {
        ConnectionLimiter limiter = new ConnectionLimiter(2, 10);

        assertThat(limiter.tryAcquire(A)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(B)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(C)).isEqualTo(Reason.CONNECTION_LIMIT);
        assertThat(limiter.total()).isEqualTo(2);
        assertThat(limiter.addresses()).as("a refused address is not counted").isEqualTo(2);
    }

    @Test
    void addresslessConnectionsCountOnlyAgainstTheTotal() {
        ConnectionLimiter limiter = new ConnectionLimiter(2, 1);

        assertThat(limiter.tryAcquire(null)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(null)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(null)).isEqualTo(Reason.CONNECTION_LIMIT);
        assertThat(limiter.addresses()).isZero();
    }

    @Test
    void refusesConnectionsOverThePerAddressLimit() {
        ConnectionLimiter limiter = new ConnectionLimiter(10, 2);

        assertThat(limiter.tryAcquire(A)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(A)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(A)).isEqualTo(Reason.CONNECTION_LIMIT_PER_IP);
        assertThat(limiter.tryAcquire(B)).as("other addresses are unaffected").isEqualTo(Reason.OK);
        assertThat(limiter.total()).as("a per-address refusal gives its total slot back").isEqualTo(3);
    }

    @Test
    void releaseFreesTheSlotsForNewConnections() {
        ConnectionLimiter limiter = new ConnectionLimiter(2, 1);
        limiter.tryAcquire(A);
        limiter.tryAcquire(B);
        assertThat(limiter.tryAcquire(C)).isEqualTo(Reason.CONNECTION_LIMIT);

        limiter.release(A);

        assertThat(limiter.tryAcquire(A)).as("both the total and A's own slot are free").isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(C)).isEqualTo(Reason.CONNECTION_LIMIT);
    }

    @Test
    void perAddressMapEmptiesOnceEveryConnectionIsReleased() {
        ConnectionLimiter limiter = new ConnectionLimiter(100, 10);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire(A);
            limiter.tryAcquire(B);
        }
        limiter.tryAcquire(null);
        assertThat(limiter.addresses()).isEqualTo(2);

        for (int i = 0; i < 3; i++) {
            limiter.release(A);
            limiter.release(B);
        }
        limiter.release(null);

        assertThat(limiter.addresses()).isZero();
        assertThat(limiter.total()).isZero();
    }

    @Test
    void concurrentAcquiresNeverExceedTheLimits() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(1000, 3);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger admittedFromA = new AtomicInteger();
            AtomicInteger admittedOther = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 500; i++) {
                        if (limiter.tryAcquire(A) == Reason.OK) {
                            admittedFromA.incrementAndGet();
                        }
                        if (limiter.tryAcquire(null) == Reason.OK) {
                            admittedOther.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }

            assertThat(admittedFromA.get()).isEqualTo(3);
            assertThat(admittedOther.get()).isEqualTo(1000 - 3);
            assertThat(limiter.total()).isEqualTo(1000);
        } finally {
            pool.shutdownNow();
        }
    }
}
