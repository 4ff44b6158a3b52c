package io.janus.core.fuzz;

import io.janus.testing.FuzzLifecycle;
import io.janus.testing.FuzzAllocator;
import io.janus.api.Reason;
import io.janus.core.protocol.ClientHello;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes {@link ClientHello#parse} (docs/protocol.md, section 4.1): any frame gives a ClientHello, exactly
 * when it is 68 bytes of type 1, version 1, known flags and a zero reserved byte, or a
 * {@code ProtocolException} with {@code HANDSHAKE_FAILED} or {@code UNSUPPORTED_VERSION}; nothing else,
 * no allocation beyond the frame's size, no buffer left unreleased.
 *
 * <p>Normal run: 100,000 tries. Long run (the -D reaches the test JVM through Surefire):
 * {@code mvn -B -pl janus-core test -Dtest='io.janus.core.fuzz.**' -Djanus.fuzz.tries=10000000
 * -Dsurefire.failIfNoSpecifiedTests=false}. A failing input is printed in hex; keep it in
 * {@code src/test/resources/fuzz-seeds/client-hello/} ({@link FuzzRegressionSeedsTest} replays it).
 */
@AddLifecycleHook(FuzzLifecycle.class)
class ClientHelloFuzzTest {

    static final String TARGET = "client-hello";
    private static final Set<Reason> ALLOWED = Fuzz.reasons(Reason.HANDSHAKE_FAILED, Reason.UNSUPPORTED_VERSION);

    private static final FuzzAllocator ALLOC = new FuzzAllocator();

    @Property(tries = 100_000)
    void parseGivesAHelloOrATypedError(@ForAll("frames") byte[] frame, @ForAll Fuzz.Shape shape) {
        check(frame, EnumSet.of(shape));
        Statistics.collect(Fuzz.takeOutcome());
    }

    /** The check of one frame in every buffer shape, for the regression seeds. */
    static void check(byte[] input) {
        check(input, EnumSet.allOf(Fuzz.Shape.class));
    }

    static void check(byte[] input, Set<Fuzz.Shape> shapes) {
        Fuzz.measured(TARGET, input, 1_000_000 + 16L * input.length, () -> {
            for (Fuzz.Shape shape : shapes) {
                checkOne(input, shape);
            }
            Fuzz.allReleased(TARGET, input, ALLOC);
        });
    }

    private static void checkOne(byte[] input, Fuzz.Shape shape) {
        boolean valid = input.length == ClientHello.LENGTH && input[0] == ClientHello.TYPE && input[1] == 1
                && (input[2] & ~ClientHello.FLAG_COMPRESSION) == 0 && input[3] == 0;
        Fuzz.inShape(ALLOC, input, shape, frame -> {
            ClientHello hello;
            try {
                hello = ClientHello.parse(frame);
            } catch (Throwable t) {
                Reason reason = Fuzz.typed(TARGET, input, t, ALLOWED);
                if (valid) {
                    throw Fuzz.failure(TARGET, input, "a valid ClientHello refused with " + reason, t);
                }
                Reason expected = input.length >= 2 && input[0] == ClientHello.TYPE && input[1] != 1
                        ? Reason.UNSUPPORTED_VERSION : Reason.HANDSHAKE_FAILED;
                if (reason != expected) {
                    throw Fuzz.failure(TARGET, input, "reason " + reason + " (expected " + expected + ")", t);
                }
                return;
            }
            if (!valid) {
                throw Fuzz.failure(TARGET, input, "an invalid ClientHello was accepted", null);
            }
            if (!Arrays.equals(hello.encoded(), input)
                    || hello.acceptsCompression() != ((input[2] & 1) != 0)
                    || !Arrays.equals(hello.publicKey(), Arrays.copyOfRange(input, 4, 36))
                    || !Arrays.equals(hello.random(), Arrays.copyOfRange(input, 36, 68))) {
                throw Fuzz.failure(TARGET, input, "the parsed ClientHello differs from the frame", null);
            }
            Fuzz.outcome("parsed");
        });
    }

    @Provide
    Arbitrary<byte[]> frames() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Fuzz.randomBytes(80)),
                Tuple.of(1, validHellos()),
                Tuple.of(6, Combinators.combine(validHellos(), Mutation.some()).as(Mutation::applyAll)));
    }

    /** A well-formed ClientHello with any key and random, and flags 0 or 1. */
    static Arbitrary<byte[]> validHellos() {
        return Combinators.combine(
                Arbitraries.bytes().array(byte[].class).ofSize(64),
                Arbitraries.of((byte) 0, (byte) 1))
                .as((keyAndRandom, flags) -> {
                    byte[] hello = new byte[ClientHello.LENGTH];
                    hello[0] = ClientHello.TYPE;
                    hello[1] = 1;
                    hello[2] = flags;
                    System.arraycopy(keyAndRandom, 0, hello, 4, 64);
                    return hello;
                });
    }

}
