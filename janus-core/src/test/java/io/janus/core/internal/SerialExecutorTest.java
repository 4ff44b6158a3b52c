package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link SerialExecutor}: order, mutual exclusion, the queue bound and rejection by the shared executor. */
class SerialExecutorTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    /** An executor that holds what it is given until the test runs it; can be told to refuse. */
    private static final class ManualExecutor implements Executor {
        final Queue<Runnable> submitted = new ArrayDeque<>();
        boolean refuse;

        @Override
        public void execute(Runnable command) {
            if (refuse) {
                throw new RejectedExecutionException("refused by the test");
            }
            submitted.add(command);
        }

        void runNext() {
            Runnable next = submitted.poll();
            assertThat(next).as("a submitted drain").isNotNull();
            next.run();
        }
    }

    /** A task that records whether it ran or was rejected. */
    private static final class RecordingTask implements SerialExecutor.Rejectable {
        boolean ran;
        RejectedExecutionException rejected;

        @Override
        public void run() {
            ran = true;
        }

        @Override
        public void reject(RejectedExecutionException cause) {
            rejected = cause;
        }
    }

    @Test
    void runsTasksInSubmissionOrderOnAMultiThreadPool() {
        SerialExecutor serial = new SerialExecutor(pool, 10_000);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());

        for (int i = 0; i < 2_000; i++) {
            int n = i;
            serial.execute(() -> order.add(n));
        }

        await().until(() -> order.size() == 2_000);
        assertThat(order).isEqualTo(IntStream.range(0, 2_000).boxed().toList());
    }

    @Test
    void runsAtMostOneTaskAtATime() {
        SerialExecutor serial = new SerialExecutor(pool, 10_000);
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();

        for (int i = 0; i < 500; i++) {
            serial.execute(() -> {
                maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                Thread.yield();
                active.decrementAndGet();
                done.incrementAndGet();
            });
        }

        await().until(() -> done.get() == 500);
        assertThat(maxActive.get()).isEqualTo(1);
    }

    @Test
    void separateSerialExecutorsDoNotWaitForEachOther() {
        SerialExecutor first = new SerialExecutor(pool, 10);
        SerialExecutor second = new SerialExecutor(pool, 10);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger secondRan = new AtomicInteger();

        first.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            second.execute(secondRan::incrementAndGet);

            await().until(() -> secondRan.get() == 1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void refusesTasksBeyondCapacityAndAcceptsAgainOnceTheQueueDrains() {
        ManualExecutor delegate = new ManualExecutor();
        SerialExecutor serial = new SerialExecutor(delegate, 2);
        RecordingTask t1 = new RecordingTask();
        RecordingTask t2 = new RecordingTask();
        serial.execute(t1);
        serial.execute(t2);

        assertThatThrownBy(() -> serial.execute(new RecordingTask()))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("serial queue full (2 tasks)");

        delegate.runNext(); // runs t1, schedules the next drain
        assertThat(t1.ran).isTrue();
        RecordingTask t3 = new RecordingTask();
        serial.execute(t3);
        delegate.runNext();
        delegate.runNext();

        assertThat(t2.ran).isTrue();
        assertThat(t3.ran).isTrue();
        assertThat(delegate.submitted).isEmpty();
    }

    @Test
    void schedulesOneDrainAtATimeOnTheDelegate() {
        ManualExecutor delegate = new ManualExecutor();
        SerialExecutor serial = new SerialExecutor(delegate, 10);

        serial.execute(new RecordingTask());
        serial.execute(new RecordingTask());
        serial.execute(new RecordingTask());

        assertThat(delegate.submitted).hasSize(1);
    }

    @Test
    void delegateRejectionRejectsTheWaitingTasks() {
        ManualExecutor delegate = new ManualExecutor();
        delegate.refuse = true;
        SerialExecutor serial = new SerialExecutor(delegate, 10);
        RecordingTask task = new RecordingTask();

        assertThatThrownBy(() -> serial.execute(task))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
                .hasMessage("refused by the test");

        assertThat(task.ran).isFalse();
        assertThat(task.rejected).hasMessage("refused by the test");
    }

    @Test
    void delegateRejectionOfALaterDrainRejectsEveryTaskStillQueued() {
        ManualExecutor delegate = new ManualExecutor();
        SerialExecutor serial = new SerialExecutor(delegate, 10);
        RecordingTask t1 = new RecordingTask();
        RecordingTask t2 = new RecordingTask();
        RecordingTask t3 = new RecordingTask();
        serial.execute(t1);
        serial.execute(t2);
        serial.execute(t3);

        delegate.refuse = true;
        delegate.runNext();

        assertThat(t1.ran).isTrue();
        assertThat(t2.rejected).isNotNull();
        assertThat(t3.rejected).isNotNull();
        assertThat(t2.ran || t3.ran).isFalse();
    }

    @Test
    void acceptsWorkAgainAfterTheDelegateRecovers() {
        ManualExecutor delegate = new ManualExecutor();
        delegate.refuse = true;
        SerialExecutor serial = new SerialExecutor(delegate, 10);
        assertThatThrownBy(() -> serial.execute(new RecordingTask()))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);

        delegate.refuse = false;
        RecordingTask later = new RecordingTask();
        serial.execute(later);
        delegate.runNext();

        assertThat(later.ran).isTrue();
        assertThat(later.rejected).isNull();
    }

    @Test
    void aFailingTaskDoesNotStallTheTasksBehindIt() {
        ManualExecutor delegate = new ManualExecutor();
        SerialExecutor serial = new SerialExecutor(delegate, 10);
        RecordingTask after = new RecordingTask();
        serial.execute(() -> {
            throw new IllegalStateException("handler bug");
        });
        serial.execute(after);

        assertThatThrownBy(delegate::runNext).hasMessage("handler bug");
        delegate.runNext();

        assertThat(after.ran).isTrue();
    }

    @Test
    void refusesANonPositiveCapacity() {
        assertThatThrownBy(() -> new SerialExecutor(pool, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity: 0 (expected: > 0)");
    }
}
