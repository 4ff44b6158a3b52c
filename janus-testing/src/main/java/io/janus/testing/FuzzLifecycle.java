package io.janus.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * The jqwik lifecycle of every fuzz property (registered with {@code @AddLifecycleHook} on the class).
 *
 * <ul>
 *   <li>Tries: {@code -Djanus.fuzz.tries=N} overrides the {@code tries} of every fuzz property, for the long
 *       profile. jqwik's own {@code jqwik.tries.default} does not reach properties that name their tries.
 *   <li>Leaks: jqwik is its own test engine, so the JUnit Jupiter {@code LeakDetectionExtension} of
 *       janus-testing does not run around properties. This hook does the same after each property:
 *       garbage-collects, makes Netty's PARANOID detector look for collected unreleased buffers, and
 *       fails the property if it found any. (Each target also checks its buffers exactly, per try, with
 *       {@link FuzzAllocator}; this is the second net.)
 *   <li>Hangs: a try that runs longer than {@code janus.fuzz.hangMillis} (default 10 s) is reported with
 *       its input and the stack of the test thread, then interrupted and, at twice that, stopped; a try
 *       that finishes but took longer
 *       than {@code janus.fuzz.slowMillis} (default 2 s) fails.
 * </ul>
 */
public final class FuzzLifecycle implements AroundPropertyHook, AroundTryHook {

    /** The system property that overrides the tries of every fuzz property. */
    public static final String TRIES_PROPERTY = "janus.fuzz.tries";

    private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("janus.fuzz.slowMillis", 2_000));
    private static final long HANG_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("janus.fuzz.hangMillis", 10_000));

    private static volatile long tryStart;
    private static volatile List<Object> tryInput;
    private static volatile Thread tryThread;
    private static volatile int reported;

    /** Registered on a fuzz class, applies to each of its properties. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.DIRECT_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        Integer tries = Integer.getInteger(TRIES_PROPERTY);
        if (tries != null) {
            context.attributes().setTries(tries);
        }
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            return property.execute().mapToFailed(new AssertionError("Netty leak detection runs at "
                    + ResourceLeakDetector.getLevel() + "; fuzz properties need PARANOID (janus.test.argLine)"));
        }
        collectLeaks(); // earlier leaks were reported against earlier tests
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "janus-fuzz-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleAtFixedRate(FuzzLifecycle::watch, 1, 1, TimeUnit.SECONDS);
        long start = System.nanoTime();
        PropertyExecutionResult result;
        try {
            result = property.execute();
        } finally {
            watchdog.shutdownNow();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("[janus-fuzz] %s: %d tries, %d checks, %d ms, %s%n", context.extendedLabel(),
                result.countTries(), result.countChecks(), millis, result.status());
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty() && result.status() == PropertyExecutionResult.Status.SUCCESSFUL) {
            return result.mapToFailed(new AssertionError(leaks.size() + " Netty resource leak(s) in "
                    + context.extendedLabel() + ":\n" + String.join("\n\n", leaks)));
        }
        return result;
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
        tryInput = parameters;
        tryThread = Thread.currentThread();
        reported = 0;
        long start = System.nanoTime();
        tryStart = start;
        TryExecutionResult result;
        try {
            result = aTry.execute(parameters);
        } finally {
            tryStart = 0;
        }
        long took = System.nanoTime() - start;
        if (result.isSatisfied() && took > SLOW_NANOS) {
            return TryExecutionResult.falsified(new AssertionError("one try took "
                    + TimeUnit.NANOSECONDS.toMillis(took) + " ms (limit: janus.fuzz.slowMillis="
                    + TimeUnit.NANOSECONDS.toMillis(SLOW_NANOS) + "); input: " + parameters));
        }
        return result;
    }

    @Override
    public int aroundTryProximity() {
        return -100; // outermost: measure everything the try does
    }

    @SuppressWarnings("deprecation") // Thread.stop: the only way to end a decoder stuck in a loop
    private static void watch() {
        long start = tryStart;
        Thread thread = tryThread;
        if (start == 0 || thread == null) {
            return;
        }
        long running = System.nanoTime() - start;
        if (reported == 1 && running > 2 * HANG_NANOS) {
            reported = 2;
            thread.stop(); // JDK 17 still honours it; the try then fails instead of hanging the build
            return;
        }
        if (reported != 0 || running < HANG_NANOS) {
            return;
        }
        reported = 1;
        StringBuilder sb = new StringBuilder("[janus-fuzz] HANG: a try has run for more than ")
                .append(TimeUnit.NANOSECONDS.toMillis(HANG_NANOS)).append(" ms; input: ").append(tryInput)
                .append("\n");
        for (StackTraceElement e : thread.getStackTrace()) {
            sb.append("\tat ").append(e).append('\n');
        }
        System.err.print(sb);
        System.out.print(sb);
        thread.interrupt();
    }

    /** Runs the garbage collector and returns the leaks Netty's detector reports for collected buffers. */
    static List<String> collectLeaks() {
        return LeakDetectionExtension.collectLeaks();
    }
}
