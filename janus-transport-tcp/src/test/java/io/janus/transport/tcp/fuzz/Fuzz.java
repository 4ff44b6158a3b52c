package io.janus.transport.tcp.fuzz;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;

/**
 * What the fuzz targets of this module share: the check that a failure is typed, the allocation meter
 * and hex. A subset of janus-core's {@code io.janus.core.fuzz.Fuzz}, copied because this module does not
 * see janus-core's test classes; the regression seeds are read by {@link io.janus.testing.FuzzSeeds}.
 */
final class Fuzz {

    private static final HexFormat HEX = HexFormat.of();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static String outcome = "";

    private Fuzz() {
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Thrown when a target misbehaves; names the input so that it can become a regression seed. */
    static AssertionError failure(String target, byte[] input, String what, Throwable cause) {
        return new AssertionError(target + ": " + what + "\n  input (" + input.length
                + " bytes; save as src/test/resources/fuzz-seeds/" + target + "/<name>.hex):\n  " + hex(input), cause);
    }

    /** The 1xx reason of a {@link ProtocolException} in {@code t}'s cause chain; fails for anything else. */
    static Reason typed(String target, byte[] input, Throwable t) {
        JanusException janus = JanusException.find(t);
        if (!(janus instanceof ProtocolException)) {
            throw failure(target, input, "an untyped exception: " + t, t);
        }
        Reason reason = janus.reason();
        if (reason == Reason.UNRECOGNIZED || reason.getNumber() < 100 || reason.getNumber() > 199) {
            throw failure(target, input, "a reason outside 1xx: " + janus, t);
        }
        return reason;
    }

    /** Notes what the last check ended with, for the property's statistics. */
    static void outcome(String what) {
        outcome = what;
    }

    static String takeOutcome() {
        String out = outcome;
        outcome = "";
        return out;
    }

    /** Bytes the current thread has allocated on the Java heap so far. */
    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    private static boolean warm;

    /**
     * Runs a check and fails when it allocated more than {@code bound} bytes of Java heap. The very first
     * check runs twice, the first time unmeasured: loading classes allocates megabytes.
     */
    static void measured(String target, byte[] input, long bound, Runnable check) {
        if (!warm) {
            warm = true;
            check.run();
        }
        long before = allocated();
        check.run();
        long used = allocated() - before;
        if (used > bound) {
            throw failure(target, input, "allocated " + used + " bytes for an input of " + input.length
                    + " bytes (bound " + bound + ")", null);
        }
    }
}
