package io.janus.transport.kcp.internal;

/** The monotonic millisecond clock that drives every KCP engine of this module. */
final class KcpClock {

    private static final long ORIGIN = System.nanoTime();

    private KcpClock() {
    }

    /** Milliseconds since this class loaded, monotonic. */
    static long now() {
        return (System.nanoTime() - ORIGIN) / 1_000_000L;
    }
}
