package io.janus.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestDeadlines}: deadlines expire in order and only once due, a cancelled one never, the
 * one timer stops when nothing waits, a thread keeps a bounded number of instances, and a cancel from
 * another thread reaches the loop. The one timer is not re-armed while nothing waits. Time is the embedded loop's, moved by the test.
 */
class RequestDeadlinesTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private RequestDeadlines deadlines(long millis) {
        return RequestDeadlines.of(channel.eventLoop(), millis, TimeUnit.MILLISECONDS);
    }

    @Test
    void deadlinesExpireInTheOrderTheyStartedAndOnlyWhenDue() {
        channel.freezeTime();
        RequestDeadlines deadlines = deadlines(100);
        List<String> expired = new ArrayList<>();
        deadlines.add(() -> expired.add("a"));
        channel.advanceTimeBy(40, TimeUnit.MILLISECONDS);
        deadlines.add(() -> expired.add("b"));
        channel.advanceTimeBy(40, TimeUnit.MILLISECONDS);
        deadlines.add(() -> expired.add("c"));
        assertThat(deadlines.size()).isEqualTo(3);

        channel.advanceTimeBy(19, TimeUnit.MILLISECONDS); // t = 99: nothing due
        channel.runScheduledPendingTasks();
        assertThat(expired).isEmpty();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS); // t = 100: a
        channel.runScheduledPendingTasks();
        assertThat(expired).containsExactly("a");

        channel.advanceTimeBy(80, TimeUnit.MILLISECONDS); // t = 180: b and c
        channel.runScheduledPendingTasks();
        assertThat(expired).containsExactly("a", "b", "c");
        assertThat(deadlines.size()).isZero();
        assertThat(channel.runScheduledPendingTasks()).as("no timer left").isEqualTo(-1);
    }

    @Test
    void aCancelledDeadlineNeverExpiresAndTheTimerEndsWhenNothingWaits() {
        channel.freezeTime();
        RequestDeadlines deadlines = deadlines(100);
        List<String> expired = new ArrayList<>();
        RequestDeadlines.Deadline a = deadlines.add(() -> expired.add("a"));
        RequestDeadlines.Deadline b = deadlines.add(() -> expired.add("b"));
        RequestDeadlines.Deadline c = deadlines.add(() -> expired.add("c"));

        b.cancel(); // from the middle
        b.cancel(); // twice is harmless
        a.cancel(); // the head
        assertThat(deadlines.size()).isOne();
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(expired).containsExactly("c");
        c.cancel(); // after it expired: nothing

        RequestDeadlines.Deadline d = deadlines.add(() -> expired.add("d"));
        assertThat(channel.runScheduledPendingTasks()).as("a timer runs for d").isPositive();
        d.cancel();
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        assertThat(channel.runScheduledPendingTasks()).as("fired once, found nothing, not re-armed").isEqualTo(-1);
        assertThat(expired).containsExactly("c");
    }

    @Test
    void anExpiryThatAddsOrThrowsDoesNotStopTheOthers() {
        channel.freezeTime();
        RequestDeadlines deadlines = deadlines(50);
        List<String> expired = new ArrayList<>();
        deadlines.add(() -> {
            expired.add("a");
            deadlines.add(() -> expired.add("a2")); // due 50 ms later
        });
        deadlines.add(() -> {
            throw new IllegalStateException("a failing expiry (expected in this test)");
        });
        deadlines.add(() -> expired.add("c"));

        channel.advanceTimeBy(50, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(expired).containsExactly("a", "c");
        channel.advanceTimeBy(50, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(expired).containsExactly("a", "c", "a2");
    }

    @Test
    void aThreadKeepsOneInstancePerLoopAndTimeoutAndABoundedNumber() {
        RequestDeadlines hundred = deadlines(100);
        assertThat(deadlines(100)).isSameAs(hundred);
        assertThat(deadlines(200)).isNotSameAs(hundred);
        assertThatThrownBy(() -> deadlines(0)).isInstanceOf(IllegalArgumentException.class);

        // Fill the thread's instances with busy ones (other timeouts, each with a request waiting).
        List<RequestDeadlines.Deadline> busy = new ArrayList<>();
        for (int i = 0; i < RequestDeadlines.MAX_PER_THREAD; i++) {
            RequestDeadlines d = deadlines(1_000 + i);
            if (d != null) {
                busy.add(d.add(() -> { }));
            }
        }
        assertThat(deadlines(5_000)).as("every instance busy: schedule instead").isNull();
        busy.forEach(RequestDeadlines.Deadline::cancel);
        assertThat(deadlines(5_000)).as("an idle one made room").isNotNull();
    }

    @Test
    void ofRefusesAnotherThread() {
        DefaultEventLoop other = new DefaultEventLoop();
        try {
            assertThatThrownBy(() -> RequestDeadlines.of(other, 1, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aCancelFromAnotherThreadIsHandedToTheLoop() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try {
            AtomicReference<RequestDeadlines> deadlines = new AtomicReference<>();
            AtomicReference<RequestDeadlines.Deadline> deadline = new AtomicReference<>();
            CountDownLatch expired = new CountDownLatch(1);
            loop.submit(() -> {
                deadlines.set(RequestDeadlines.of(loop, 30, TimeUnit.SECONDS));
                deadline.set(deadlines.get().add(expired::countDown));
            }).get(5, TimeUnit.SECONDS);

            deadline.get().cancel(); // this thread is not the loop

            assertThat(loop.submit(() -> deadlines.get().size()).get(5, TimeUnit.SECONDS)).isZero();
            assertThat(expired.getCount()).isOne();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void startUsesTheLoopsListOnTheLoopAndASchedulerTaskElsewhere() throws Exception {
        channel.freezeTime();
        List<String> expired = new ArrayList<>();
        RequestDeadlines.Deadline onLoop = RequestDeadlines.start(channel.eventLoop(), 100, TimeUnit.MILLISECONDS,
                () -> expired.add("on loop"));
        assertThat(deadlines(100).size()).as("in the loop's list").isOne();
        onLoop.cancel();
        assertThat(deadlines(100).size()).isZero();

        EventLoop other = new DefaultEventLoop();
        try {
            CountDownLatch ran = new CountDownLatch(1);
            // From this thread, not the loop's: a task scheduled on the loop, cancelled the same way.
            RequestDeadlines.Deadline cancelled = RequestDeadlines.start(other, 50, TimeUnit.MILLISECONDS,
                    () -> expired.add("cancelled"));
            cancelled.cancel();
            RequestDeadlines.start(other, 50, TimeUnit.MILLISECONDS, ran::countDown);
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(other.submit(() -> expired.size()).get(5, TimeUnit.SECONDS)).isZero();
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
