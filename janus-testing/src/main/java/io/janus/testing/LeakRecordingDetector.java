package io.janus.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Netty {@link ResourceLeakDetector} that records every leak it reports, so that a test can fail on
 * it rather than leave a line in a log nobody reads.
 *
 * <p>Netty instantiates it for every tracked resource type when the test JVM runs with
 * {@code -Dio.netty.customResourceLeakDetector=io.janus.testing.LeakRecordingDetector} (the parent POM
 * sets this, together with {@code -Dio.netty.leakDetection.level=PARANOID}, for every module).
 * {@link LeakDetectionExtension} drains and checks the record after every test.
 *
 * @param <T> the tracked resource type
 */
public final class LeakRecordingDetector<T> extends ResourceLeakDetector<T> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final List<LeakRecordingDetector<?>> INSTANCES = new CopyOnWriteArrayList<>();

    /**
     * Called by Netty's {@code ResourceLeakDetectorFactory}.
     *
     * @param resourceType the tracked type
     * @param samplingInterval how often a resource is tracked below PARANOID
     * @param maxActive ignored by Netty since 4.1
     */
    public LeakRecordingDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
        INSTANCES.add(this);
    }

    /**
     * Called by Netty's {@code ResourceLeakDetectorFactory}.
     *
     * @param resourceType the tracked type
     * @param samplingInterval how often a resource is tracked below PARANOID
     */
    public LeakRecordingDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        INSTANCES.add(this);
    }

    @Override
    protected boolean needReport() {
        // Report even when the logger is quiet: the record is what fails the test.
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK of " + resourceType + ": release() was not called before it was garbage-collected."
                + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK of " + resourceType + ": release() was not called before it was garbage-collected"
                + " (no access records).");
        super.reportUntracedLeak(resourceType);
    }

    /** Whether Netty has created at least one detector of this class in this JVM. */
    static boolean isInstalled() {
        return !INSTANCES.isEmpty();
    }

    /**
     * Makes every detector look at its reference queue, which is where the garbage collector puts
     * resources that became unreachable without being released. Netty only looks there when it tracks a
     * new resource, so this tracks and closes one throwaway object per detector.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void drain() {
        for (LeakRecordingDetector detector : INSTANCES) {
            Object probe = new Object();
            ResourceLeakTracker tracker = detector.trackForcibly(probe);
            if (tracker != null) {
                tracker.close(probe);
            }
        }
    }

    /** Returns and forgets the leaks recorded so far. */
    static List<String> takeLeaks() {
        List<String> taken = new ArrayList<>(LEAKS);
        LEAKS.removeAll(taken);
        return taken;
    }
}
