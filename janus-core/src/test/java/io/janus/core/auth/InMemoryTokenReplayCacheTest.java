package io.janus.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** {@link InMemoryTokenReplayCache}: once per id until expiry, bounded, and failing closed when full. */
class InMemoryTokenReplayCacheTest {

    private final MutableClock clock = MutableClock.at("2025-03-01T12:00:00Z");

    private static ByteString id(long n) {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(8, n).array());
    }

    private long in(Duration d) {
        return clock.millis() + d.toMillis();
    }

    private static Boolean answer(CompletionStage<Boolean> stage) {
        assertThat(stage.toCompletableFuture()).as("answers at once").isDone();
        return stage.toCompletableFuture().join();
    }

    @Test
    void acceptsAnIdOnceUntilItExpires() {
        InMemoryTokenReplayCache cache = new InMemoryTokenReplayCache(10, clock);
        long expiresAt = in(Duration.ofMinutes(5));

        assertThat(answer(cache.firstUse(id(1), expiresAt))).isTrue();
        assertThat(answer(cache.firstUse(id(1), expiresAt))).isFalse();
        assertThat(answer(cache.firstUse(id(2), expiresAt))).isTrue();

        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(answer(cache.firstUse(id(1), expiresAt))).as("one ms before expiry").isFalse();
    }

    @Test
    void forgetsAnIdOnceItsTokenExpired() {
        InMemoryTokenReplayCache cache = new InMemoryTokenReplayCache(10, clock);
        long expiresAt = in(Duration.ofMinutes(5));
        cache.firstUse(id(1), expiresAt);

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(answer(cache.firstUse(id(2), in(Duration.ofMinutes(5))))).isTrue();

        assertThat(cache.size()).as("id 1 evicted on the way").isEqualTo(1);
        assertThat(answer(cache.firstUse(id(1), in(Duration.ofMinutes(5))))).as("a new life for id 1").isTrue();
        assertThat(answer(cache.firstUse(id(1), in(Duration.ofMinutes(5))))).isFalse();
    }

    @Test
    void doesNotRememberIdsThatAlreadyExpired() {
        InMemoryTokenReplayCache cache = new InMemoryTokenReplayCache(1, clock);

        assertThat(answer(cache.firstUse(id(1), clock.millis()))).isTrue();
        assertThat(cache.size()).isZero();
    }

    @Test
    void refusesWithAuthUnavailableWhenFullOfLiveIds() {
        InMemoryTokenReplayCache cache = new InMemoryTokenReplayCache(3, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(answer(cache.firstUse(id(i), in(Duration.ofMinutes(5))))).isTrue();
        }

        CompletionStage<Boolean> full = cache.firstUse(id(3), in(Duration.ofMinutes(5)));

        assertThat(Tokens.refusal(full).reason()).isEqualTo(Reason.AUTH_UNAVAILABLE);
        assertThat(Tokens.refusal(full)).hasMessage("token replay cache full: 3 unexpired token ids");
        // Full, yet it still recognises a replay rather than failing: it never forgets a live id.
        assertThat(answer(cache.firstUse(id(0), in(Duration.ofMinutes(5))))).isFalse();
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void evictsExpiredIdsToMakeRoom() {
        InMemoryTokenReplayCache cache = new InMemoryTokenReplayCache(3, clock);
        cache.firstUse(id(0), in(Duration.ofMinutes(1)));
        cache.firstUse(id(1), in(Duration.ofMinutes(10)));
        cache.firstUse(id(2), in(Duration.ofMinutes(1)));

        clock.advance(Duration.ofMinutes(2));

        assertThat(answer(cache.firstUse(id(3), in(Duration.ofMinutes(10))))).isTrue();
        assertThat(answer(cache.firstUse(id(4), in(Duration.ofMinutes(10))))).isTrue();
        assertThat(cache.size()).isEqualTo(3);
        assertThat(answer(cache.firstUse(id(1), in(Duration.ofMinutes(10))))).as("still live").isFalse();
        assertThat(Tokens.refusal(cache.firstUse(id(5), in(Duration.ofMinutes(10)))).reason())
                .isEqualTo(Reason.AUTH_UNAVAILABLE);
    }

    @Test
    void keepsUpWithSteadyTrafficLongerThanItsBound() {
        // 100 ids a second, each for 10 s: about 1,000 live at any time in a cache of 1,100.
        InMemoryTokenReplayCache cache = new InMemoryTokenReplayCache(1_100, clock);
        for (int i = 0; i < 100_000; i++) {
            assertThat(answer(cache.firstUse(id(i), in(Duration.ofSeconds(10))))).isTrue();
            clock.advance(Duration.ofMillis(10));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(1_100);
    }

    @Test
    void validatesItsArguments() {
        assertThatThrownBy(() -> new InMemoryTokenReplayCache(0, clock)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEntries: 0 (expected: > 0)");
        assertThatThrownBy(() -> new InMemoryTokenReplayCache(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(new InMemoryTokenReplayCache().maxEntries()).isEqualTo(1_000_000);
    }
}
