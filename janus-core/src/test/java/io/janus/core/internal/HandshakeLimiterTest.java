package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Handshake rate limits per address and in total, on a clock the test moves. */
class HandshakeLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    private static InetAddress ip(int last) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, 0, (byte) (last >> 8), (byte) last});
    }

    @Test
    void oneAddressIsLimitedWithoutTouchingOthers() throws Exception {
        HandshakeLimiter limiter = new HandshakeLimiter(1, 2, 1000, 100, 0);

        assertThat(limiter.tryAcquire(ip(1), 0)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(ip(1), 0)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(ip(1), 0)).isEqualTo(Reason.HANDSHAKE_RATE_LIMITED);
        assertThat(limiter.tryAcquire(ip(2), 0)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(ip(1), SECOND)).isEqualTo(Reason.OK);
    }

    @Test
    void theGatewayAsAWholeIsLimited() throws Exception {
        HandshakeLimiter limiter = new HandshakeLimiter(100, 100, 3, 100, 0);

        assertThat(limiter.tryAcquire(ip(1), 0)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(ip(2), 0)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(ip(3), 0)).isEqualTo(Reason.OK);
        assertThat(limiter.tryAcquire(ip(4), 0)).isEqualTo(Reason.HANDSHAKE_RATE_LIMITED);
        assertThat(limiter.tryAcquire(ip(4), SECOND)).isEqualTo(Reason.OK);
    }

    @Test
    void aFloodFromOneAddressDoesNotSpendTheGatewaysTokens() throws Exception {
        HandshakeLimiter limiter = new HandshakeLimiter(1, 1, 10, 100, 0);
        limiter.tryAcquire(ip(1), 0);
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.tryAcquire(ip(1), 0)).isEqualTo(Reason.HANDSHAKE_RATE_LIMITED);
        }

        for (int i = 2; i < 11; i++) {
            assertThat(limiter.tryAcquire(ip(i), 0)).as("address %s", i).isEqualTo(Reason.OK);
        }
    }

    @Test
    void trackedAddressesAreBoundedAndNewcomersShareTheOverflowBucket() throws Exception {
        HandshakeLimiter limiter = new HandshakeLimiter(1, 1, 1_000_000, 10, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire(ip(i), 0)).isEqualTo(Reason.OK);
        }
        assertThat(limiter.trackedAddresses()).isEqualTo(10);

        // Thousands of new (spoofed) addresses: the map does not grow; they share one bucket.
        int admitted = 0;
        for (int i = 10; i < 5000; i++) {
            if (limiter.tryAcquire(ip(i), 0) == Reason.OK) {
                admitted++;
            }
        }
        assertThat(limiter.trackedAddresses()).isEqualTo(10);
        assertThat(admitted).isEqualTo(1);
    }

    @Test
    void idleAddressesAreForgottenToMakeRoom() throws Exception {
        HandshakeLimiter limiter = new HandshakeLimiter(1, 1, 1_000_000, 10, 0);
        for (int i = 0; i < 10; i++) {
            limiter.tryAcquire(ip(i), 0);
        }

        // Ten seconds later every bucket has refilled: a newcomer gets a bucket of its own.
        assertThat(limiter.tryAcquire(ip(100), 10 * SECOND)).isEqualTo(Reason.OK);
        assertThat(limiter.trackedAddresses()).isEqualTo(1);
    }
}
