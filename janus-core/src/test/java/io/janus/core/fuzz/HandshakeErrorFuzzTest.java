package io.janus.core.fuzz;

import io.janus.testing.FuzzLifecycle;
import io.janus.testing.FuzzAllocator;
import io.janus.api.Reason;
import io.janus.core.protocol.HandshakeError;
import java.nio.charset.StandardCharsets;
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
 * Fuzzes {@link HandshakeError#parse} (docs/protocol.md, section 4.3). The parser is lenient by contract:
 * any frame gives a HandshakeError and nothing is thrown; a frame under 5 bytes reads as
 * {@code HANDSHAKE_FAILED}, an unknown code as {@code UNRECOGNIZED} with the code kept, and the message
 * is the UTF-8 text of at most the declared length and never more than the frame holds (a declared
 * length of 65,535 over a short frame must not allocate for 65,535).
 *
 * <p>Normal run: 100,000 tries. Long run: {@code mvn -B -pl janus-core test -Dtest='io.janus.core.fuzz.**'
 * -Djanus.fuzz.tries=10000000 -Dsurefire.failIfNoSpecifiedTests=false}. A failing input is printed in
 * hex; keep it in {@code src/test/resources/fuzz-seeds/handshake-error/}.
 */
@AddLifecycleHook(FuzzLifecycle.class)
class HandshakeErrorFuzzTest {

    static final String TARGET = "handshake-error";

    private static final FuzzAllocator ALLOC = new FuzzAllocator();

    @Property(tries = 100_000)
    void parseNeverThrows(@ForAll("frames") byte[] frame, @ForAll Fuzz.Shape shape) {
        check(frame, EnumSet.of(shape));
        Statistics.collect(Fuzz.takeOutcome());
    }

    /** The check of one frame in every buffer shape, for the regression seeds. */
    static void check(byte[] input) {
        check(input, EnumSet.allOf(Fuzz.Shape.class));
    }

    static void check(byte[] input, Set<Fuzz.Shape> shapes) {
        Fuzz.measured(TARGET, input, 1_000_000 + 32L * input.length, () -> {
            for (Fuzz.Shape shape : shapes) {
                checkOne(input, shape);
            }
            Fuzz.allReleased(TARGET, input, ALLOC);
        });
    }

    private static void checkOne(byte[] input, Fuzz.Shape shape) {
        Fuzz.inShape(ALLOC, input, shape, frame -> {
            HandshakeError error;
            try {
                error = HandshakeError.parse(frame);
            } catch (Throwable t) {
                throw Fuzz.failure(TARGET, input, "the lenient parser threw " + t, t);
            }
            Fuzz.outcome(error.reason() == Reason.UNRECOGNIZED ? "unknown code" : "known code");
            if (input.length < 5) {
                Fuzz.outcome("under 5 bytes");
                if (error.reason() != Reason.HANDSHAKE_FAILED) {
                    throw Fuzz.failure(TARGET, input, "a short frame read as " + error, null);
                }
                return;
            }
            int code = ((input[1] & 0xFF) << 8) | (input[2] & 0xFF);
            int declared = ((input[3] & 0xFF) << 8) | (input[4] & 0xFF);
            String message = new String(input, 5, Math.min(declared, input.length - 5), StandardCharsets.UTF_8);
            Reason reason = Reason.forNumber(code);
            if (error.code() != code || error.reason() != (reason == null ? Reason.UNRECOGNIZED : reason)
                    || !error.message().equals(message)) {
                throw Fuzz.failure(TARGET, input, "parsed as " + error + " (expected code " + code
                        + ", message '" + message + "')", null);
            }
        });
    }

    @Provide
    Arbitrary<byte[]> frames() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Fuzz.randomBytes(64)),
                Tuple.of(2, valid()),
                Tuple.of(5, Combinators.combine(valid(), Mutation.some()).as(Mutation::applyAll)));
    }

    /** A well-formed HandshakeError: any code (known or not), any UTF-8 text. */
    static Arbitrary<byte[]> valid() {
        return Combinators.combine(
                Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.of(Reason.values()).filter(r -> r != Reason.UNRECOGNIZED)
                                .map(Reason::getNumber)),
                        Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF))),
                Arbitraries.strings().ofMaxLength(40))
                .as((code, text) -> {
                    byte[] message = text.getBytes(StandardCharsets.UTF_8);
                    byte[] frame = new byte[5 + message.length];
                    frame[0] = HandshakeError.TYPE;
                    frame[1] = (byte) (code >>> 8);
                    frame[2] = code.byteValue();
                    frame[3] = (byte) (message.length >>> 8);
                    frame[4] = (byte) message.length;
                    System.arraycopy(message, 0, frame, 5, message.length);
                    return frame;
                });
    }
}
