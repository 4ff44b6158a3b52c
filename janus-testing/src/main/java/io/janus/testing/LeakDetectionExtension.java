package io.janus.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a leaked buffer during it.
 *
 * <p>Registered for every test through JUnit's extension auto-detection (the parent POM enables it and
 * this module lists the extension in {@code META-INF/services}). After each test and after each test
 * class it runs the garbage collector, makes Netty look for buffers that were collected without being
 * released, and throws an {@link AssertionError} listing their access records. A leak caused by a
 * class-level fixture (a server shared by the tests of a class) fails the class.
 *
 * <p>It also refuses to run when the JVM was started without PARANOID leak detection or without
 * {@link LeakRecordingDetector}, because then leaks would go unnoticed.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private static final int GC_ROUNDS = 3;
    /** How long a round waits for the reference handler after a collection, at most. */
    private static final long SENTINEL_WAIT_MILLIS = 200;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("Netty leak detection runs at " + ResourceLeakDetector.getLevel()
                    + "; tests need -Dio.netty.leakDetection.level=PARANOID (set by the parent POM's "
                    + "janus.test.argLine)");
        }
        ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
        probe.release();
        if (!LeakRecordingDetector.isInstalled()) {
            throw new AssertionError("Netty did not install " + LeakRecordingDetector.class.getName()
                    + "; tests need -Dio.netty.customResourceLeakDetector="
                    + LeakRecordingDetector.class.getName());
        }
        // Leaks of earlier classes in the same JVM were already reported against them.
        collectLeaks();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        failOnLeaks(context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        failOnLeaks(context.getDisplayName() + " (class fixtures)");
    }

    private static void failOnLeaks(String where) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty resource leak(s) in " + where + ":\n"
                    + String.join("\n\n", leaks));
        }
    }

    static List<String> collectLeaks() {
        for (int i = 0; i < GC_ROUNDS; i++) {
            // The JVM's reference handler thread enqueues what a collection found after System.gc()
            // returns; on a busy machine it may not have run yet. A sentinel collected in the same cycle
            // tells when it has, so that the detector's queue holds this cycle's leaks when it is drained.
            java.lang.ref.ReferenceQueue<Object> queue = new java.lang.ref.ReferenceQueue<>();
            java.lang.ref.WeakReference<Object> sentinel = new java.lang.ref.WeakReference<>(new Object(), queue);
            System.gc();
            System.runFinalization();
            try {
                queue.remove(SENTINEL_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sentinel.clear();
            LeakRecordingDetector.drain();
        }
        return LeakRecordingDetector.takeLeaks();
    }
}
