package io.janus.core.internal;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A logger for the hot path: at most {@code perSecond} lines a second; the lines it drops are counted
 * and the count is reported with the next line that gets through. Thread-safe, lock-free.
 */
public final class RateLimitedLog {

    private final Logger logger;
    private final int perSecond;
    private final AtomicLong windowStart = new AtomicLong();
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * Creates a rate-limited view of a logger.
     *
     * @param logger the logger
     * @param perSecond most lines a second
     */
    public RateLimitedLog(Logger logger, int perSecond) {
        this.logger = requireNonNull(logger, "logger");
        this.perSecond = perSecond;
    }

    /** The underlying logger. */
    public Logger logger() {
        return logger;
    }

    /**
     * Logs at INFO unless over the rate.
     *
     * @param format slf4j format
     * @param args arguments; a trailing throwable is logged with its stack
     */
    public void info(String format, Object... args) {
        if (logger.isInfoEnabled() && admit()) {
            logger.info(withSuppressed(format), withSuppressedArg(args));
        }
    }

    /**
     * Logs at WARN unless over the rate.
     *
     * @param format slf4j format
     * @param args arguments; a trailing throwable is logged with its stack
     */
    public void warn(String format, Object... args) {
        if (logger.isWarnEnabled() && admit()) {
            logger.warn(withSuppressed(format), withSuppressedArg(args));
        }
    }

    private boolean admit() {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start >= TimeUnit.SECONDS.toNanos(1) && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() <= perSecond) {
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }

    private String withSuppressed(String format) {
        return suppressed.get() > 0 ? format + " ({} similar lines suppressed)" : format;
    }

    private Object[] withSuppressedArg(Object[] args) {
        long dropped = suppressed.getAndSet(0);
        if (dropped == 0) {
            return args;
        }
        // Keep a trailing throwable last so slf4j still logs its stack.
        boolean trailingThrowable = args.length > 0 && args[args.length - 1] instanceof Throwable;
        Object[] out = new Object[args.length + 1];
        if (trailingThrowable) {
            System.arraycopy(args, 0, out, 0, args.length - 1);
            out[args.length - 1] = dropped;
            out[args.length] = args[args.length - 1];
        } else {
            System.arraycopy(args, 0, out, 0, args.length);
            out[args.length] = dropped;
        }
        return out;
    }
}
