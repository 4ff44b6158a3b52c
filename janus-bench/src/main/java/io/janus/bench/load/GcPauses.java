package io.janus.bench.load;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The garbage-collection pauses of this JVM, counted from the JVM's collection notifications
 * (HotSpot's {@code com.sun.management} API), so that a latency tail can be set against the pauses
 * behind it: the gateway's and the load generator's own (docs/benchmarks.md, scenario 6).
 *
 * <p>Counted: collections that stop the application (G1's young and mixed and full collections,
 * ParallelGC's, ZGC's pauses); not counted: concurrent cycles, which run beside it (collectors whose
 * name says "Cycles" or "Concurrent"). A notification's duration is the collection's, which for the
 * stopping ones is the pause as the collector measured it (time-to-safepoint not included).
 */
final class GcPauses {

    private static final GcPauses INSTANCE = new GcPauses();

    private long count;
    private long totalMicros;
    private long maxMicros;
    private boolean installed;

    private GcPauses() {
    }

    /** The JVM's instance, listening from the first call on. */
    static synchronized GcPauses get() {
        if (!INSTANCE.installed) {
            INSTANCE.installed = true;
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                String name = bean.getName();
                if (name.contains("Cycles") || name.contains("Concurrent") || !(bean instanceof NotificationEmitter)) {
                    continue;
                }
                ((NotificationEmitter) bean).addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        GarbageCollectionNotificationInfo info =
                                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                        INSTANCE.pause(info.getGcInfo().getDuration() * 1_000L);
                    }
                }, null, null);
            }
        }
        return INSTANCE;
    }

    private synchronized void pause(long micros) {
        count++;
        totalMicros += micros;
        maxMicros = Math.max(maxMicros, micros);
    }

    /**
     * The pauses since the previous call (or since {@link #get()} first ran), and starts a new window.
     *
     * @return {@code gcPauses}, {@code gcPauseMs} (their sum) and {@code gcMaxPauseMs}
     */
    synchronized Map<String, Object> window() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("gcPauses", count);
        result.put("gcPauseMs", totalMicros / 1e3);
        result.put("gcMaxPauseMs", maxMicros / 1e3);
        count = 0;
        totalMicros = 0;
        maxMicros = 0;
        return result;
    }
}
