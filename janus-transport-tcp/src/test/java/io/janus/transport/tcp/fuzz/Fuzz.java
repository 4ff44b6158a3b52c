package io.janus.transport.tcp.fuzz;

import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the fuzz targets of this module share: the check that a failure is typed, the allocation meter,
 * hex and the regression seeds under {@code src/test/resources/fuzz-seeds/<target>/}. A subset of
 * janus-core's {@code io.janus.core.fuzz.Fuzz}, copied because this module does not see janus-core's
 * test classes.
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

    /** A regression seed: one input that once mattered. */
    record Seed(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The seeds of a target: every {@code fuzz-seeds/<target>/*.hex} on the test class path, sorted by
     * name. A file holds the input in hex; whitespace is ignored and {@code #} starts a comment.
     */
    static List<Seed> seeds(String target) {
        URL dir = Fuzz.class.getClassLoader().getResource("fuzz-seeds/" + target);
        if (dir == null) {
            throw new AssertionError("no directory fuzz-seeds/" + target + " on the test class path");
        }
        try (Stream<Path> files = Files.list(Paths.get(dir.toURI()))) {
            List<Seed> seeds = new ArrayList<>();
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".hex")).sorted()::iterator) {
                seeds.add(new Seed(target + "/" + file.getFileName(), parseSeed(Files.readString(file, StandardCharsets.UTF_8))));
            }
            return seeds;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] parseSeed(String text) {
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            int comment = line.indexOf('#');
            String data = comment >= 0 ? line.substring(0, comment) : line;
            for (int i = 0; i < data.length(); i++) {
                char c = data.charAt(i);
                if (!Character.isWhitespace(c)) {
                    hex.append(c);
                }
            }
        }
        return HEX.parseHex(hex.toString());
    }
}
