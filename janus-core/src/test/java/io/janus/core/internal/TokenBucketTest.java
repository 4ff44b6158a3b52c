package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The token bucket, on a clock the test moves. */
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void startsFullThenAdmitsAtTheRate() {
        TokenBucket bucket = new TokenBucket(10, 3, 0);

        assertThat(bucket.tryAcquire(0)).isTrue();
        assertThat(bucket.tryAcquire(0)).isTrue();
        assertThat(bucket.tryAcquire(0)).isTrue();
        assertThat(bucket.tryAcquire(0)).as("burst used up").isFalse();
        assertThat(bucket.tryAcquire(SECOND / 20)).as("half a token after 50 ms").isFalse();
        assertThat(bucket.tryAcquire(SECOND / 10)).as("one token after 100 ms").isTrue();
        assertThat(bucket.tryAcquire(SECOND / 10)).isFalse();
    }

    @Test
    void neverSavesMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(10, 2, 0);
        bucket.tryAcquire(0);

        long later = 100 * SECOND;
        assertThat(bucket.isFull(later)).isTrue();
        assertThat(bucket.tryAcquire(later)).isTrue();
        assertThat(bucket.tryAcquire(later)).isTrue();
        assertThat(bucket.tryAcquire(later)).isFalse();
    }

    @Test
    void clockGoingBackwardsAddsNothing() {
        TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertThat(bucket.tryAcquire(10 * SECOND)).isTrue();

        assertThat(bucket.tryAcquire(5 * SECOND)).isFalse();
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0.5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(Double.NaN, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
