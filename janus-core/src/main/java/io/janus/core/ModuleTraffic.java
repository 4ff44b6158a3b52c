package io.janus.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Packets and bytes in and out of a gateway by module, for metrics. Module numbers come from clients, so
 * the number of series is bounded: modules {@code 0} to {@value #TRACKED_MODULES}{@code - 1} are counted
 * one by one, every higher module in one {@value #OTHER} bucket. Thread-safe; an update is one
 * {@link LongAdder} increment per counter once a module's counters exist.
 */
public final class ModuleTraffic {

    /** Modules counted one by one; higher ones share the {@value #OTHER} bucket. */
    public static final int TRACKED_MODULES = 1024;

    /** The label of the bucket of modules at or above {@link #TRACKED_MODULES}. */
    public static final String OTHER = "other";

    /** {@link #label(int)} of the tracked modules, made on first use. */
    private static final String[] LABELS = new String[TRACKED_MODULES];

    /** The counters of one module (or of the {@value #OTHER} bucket). */
    public static final class Counters {
        private final LongAdder packetsIn = new LongAdder();
        private final LongAdder bytesIn = new LongAdder();
        private final LongAdder packetsOut = new LongAdder();
        private final LongAdder bytesOut = new LongAdder();

        Counters() {
        }

        /** Packets received from clients. */
        public long packetsIn() {
            return packetsIn.sum();
        }

        /** Bytes of packets received from clients (encoded packet size, before encryption). */
        public long bytesIn() {
            return bytesIn.sum();
        }

        /** Packets sent to clients. */
        public long packetsOut() {
            return packetsOut.sum();
        }

        /** Bytes of packets sent to clients (encoded packet size, before compression and encryption). */
        public long bytesOut() {
            return bytesOut.sum();
        }
    }

    private final AtomicReferenceArray<Counters> modules = new AtomicReferenceArray<>(TRACKED_MODULES);
    private final Counters other = new Counters();

    ModuleTraffic() {
    }

    /**
     * Counts a packet received from a client.
     *
     * @param module the packet's module (unsigned)
     * @param bytes its encoded size
     */
    public void recordIn(int module, int bytes) {
        Counters c = counters(module);
        c.packetsIn.increment();
        c.bytesIn.add(bytes);
    }

    /**
     * Counts a packet sent to a client.
     *
     * @param module the packet's module (unsigned)
     * @param bytes its encoded size
     */
    public void recordOut(int module, int bytes) {
        Counters c = counters(module);
        c.packetsOut.increment();
        c.bytesOut.add(bytes);
    }

    private Counters counters(int module) {
        if (module < 0 || module >= TRACKED_MODULES) {
            return other;
        }
        Counters c = modules.get(module);
        if (c == null) {
            Counters created = new Counters();
            c = modules.compareAndExchange(module, null, created);
            if (c == null) {
                c = created;
            }
        }
        return c;
    }

    /**
     * The modules seen so far, in module order, then {@value #OTHER} when it counted anything.
     *
     * @return label to counters; a new map each call
     */
    public Map<String, Counters> snapshot() {
        Map<String, Counters> out = new LinkedHashMap<>();
        for (int i = 0; i < TRACKED_MODULES; i++) {
            Counters c = modules.get(i);
            if (c != null) {
                out.put(Integer.toString(i), c);
            }
        }
        if (other.packetsIn() + other.packetsOut() > 0) {
            out.put(OTHER, other);
        }
        return out;
    }

    /**
     * The metric label of a module.
     *
     * @param module the module (unsigned)
     * @return its number, or {@value #OTHER}
     */
    public static String label(int module) {
        if (module < 0 || module >= TRACKED_MODULES) {
            return OTHER;
        }
        // Made once per module: the label is asked for on every request (a span attribute), and
        // Integer.toString each time was 1.7% of the gateway's allocation. A benign race may make one
        // twice; strings are immutable.
        String label = LABELS[module];
        if (label == null) {
            label = Integer.toString(module);
            LABELS[module] = label;
        }
        return label;
    }
}
