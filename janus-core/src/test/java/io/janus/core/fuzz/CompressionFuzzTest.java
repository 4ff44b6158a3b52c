package io.janus.core.fuzz;

import io.janus.testing.FuzzLifecycle;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.Packet;
import io.janus.api.PacketFlag;
import io.janus.api.Reason;
import io.janus.core.protocol.CompressionHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
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
 * Fuzzes the inbound side of {@link CompressionHandler} (docs/protocol.md, section 7, "Compression") on
 * an {@link EmbeddedChannel}: a packet without the compressed flag passes unchanged; a flagged one comes
 * out inflated with the flag cleared, or fails with {@code BODY_TOO_LARGE} (past the limit, or any
 * flagged body when compression is off) or {@code MALFORMED_PACKET} (not one whole zlib stream), exactly
 * as a plain {@link Inflater} written from RFC 1950 decides. A compression bomb costs no more than the
 * limit: the thread may allocate a few times the limit, not the bomb's size.
 *
 * <p>Input bytes: one encoded {@code janus.v1.Packet}. Normal run: 100,000 tries. Long run:
 * {@code mvn -B -pl janus-core test -Dtest='io.janus.core.fuzz.**' -Djanus.fuzz.tries=10000000
 * -Dsurefire.failIfNoSpecifiedTests=false}. A failing input is printed in hex; keep it in
 * {@code src/test/resources/fuzz-seeds/compression/}.
 */
@AddLifecycleHook(FuzzLifecycle.class)
class CompressionFuzzTest {

    static final String TARGET = "compression";
    static final int THRESHOLD = 64;
    static final int LIMIT = 16 * 1024;
    private static final int COMPRESSED = PacketFlag.PACKET_FLAG_COMPRESSED_VALUE;
    private static final Set<Reason> ALLOWED = Fuzz.reasons(Reason.BODY_TOO_LARGE, Reason.MALFORMED_PACKET);

    /** Bodies that are expensive to make, made once: bombs at, just past and far past the limit. */
    static final List<byte[]> FIXED_BODIES = List.of(
            zlib(new byte[LIMIT], 9, null),
            zlib(new byte[LIMIT + 1], 9, null),
            zlib(new byte[64 * LIMIT], 9, null),
            zlib(new byte[0], 6, null),
            zlib("with a preset dictionary".getBytes(), 6, "dictionary".getBytes()),
            deflateRaw("raw deflate, no zlib header".getBytes()),
            gzip("gzip, not zlib".getBytes()),
            PacketCodecFuzzTest.concat(zlib("one".getBytes(), 6, null), zlib("two".getBytes(), 6, null)));

    /** The outcome {@link #reference} predicts. */
    record Outcome(Reason failure, byte[] body) {
    }

    @Property(tries = 100_000)
    void inflateGivesTheBodyOrATypedError(@ForAll("packets") byte[] packet) {
        check(packet);
        Statistics.collect(Fuzz.takeOutcome());
    }

    /** The check of one encoded packet, shared with the regression seeds. */
    static void check(byte[] input) {
        Packet packet;
        try {
            packet = Packet.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            throw Fuzz.failure(TARGET, input, "the input is not an encoded janus.v1.Packet", e);
        }
        Fuzz.measured(TARGET, input, 2_000_000 + 8L * LIMIT + 32L * input.length, () -> checkOnce(input, packet));
    }

    private static void checkOnce(byte[] input, Packet packet) {
        boolean flagged = (packet.getFlags() & COMPRESSED) != 0;
        Outcome expected = flagged ? reference(packet.getBody().toByteArray()) : null;
        Packet out = inbound(input, new CompressionHandler(THRESHOLD, LIMIT), packet,
                flagged ? expected.failure() : null);
        if (!flagged) {
            if (out != packet) {
                throw Fuzz.failure(TARGET, input, "an uncompressed packet was changed", null);
            }
        } else if (expected.failure() != null) {
            if (out != null) {
                throw Fuzz.failure(TARGET, input, "inflated to " + out.getBody().size() + " bytes; expected "
                        + expected.failure(), null);
            }
        } else if (out == null) {
            throw Fuzz.failure(TARGET, input, "refused a body a plain Inflater reads as " + expected.body().length
                    + " bytes", null);
        } else if (!Arrays.equals(out.getBody().toByteArray(), expected.body())
                || out.getFlags() != (packet.getFlags() & ~COMPRESSED)
                || !out.toBuilder().clearBody().clearFlags().build()
                        .equals(packet.toBuilder().clearBody().clearFlags().build())) {
            throw Fuzz.failure(TARGET, input, "inflated to another packet than a plain Inflater gives", null);
        }
        // With compression off, any flagged body is refused.
        Packet off = inbound(input, new CompressionHandler(0, LIMIT), packet, flagged ? Reason.BODY_TOO_LARGE : null);
        if (flagged ? off != null : off != packet) {
            throw Fuzz.failure(TARGET, input, "with compression off, passed on " + off, null);
        }
        Fuzz.outcome(!flagged ? "not flagged" : expected.failure() != null ? expected.failure().name() : "inflated");
    }

    /** Feeds one packet; returns what came out, or null after a failure typed with {@code wanted}. */
    private static Packet inbound(byte[] input, CompressionHandler handler, Packet packet, Reason wanted) {
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        try {
            channel.writeInbound(packet);
            Object out = channel.readInbound();
            if (!(out instanceof Packet) || channel.readInbound() != null) {
                throw Fuzz.failure(TARGET, input, "passed on " + out + " (expected one packet)", null);
            }
            return (Packet) out;
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            Reason reason = Fuzz.typed(TARGET, input, t, ALLOWED);
            if (reason != wanted) {
                throw Fuzz.failure(TARGET, input, "failed with " + reason + " (expected " + wanted + ")", t);
            }
            return null;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Inflates with a fresh {@link Inflater}, up to {@link #LIMIT} + 1 bytes, as RFC 1950 reads a body. */
    static Outcome reference(byte[] body) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(body);
            byte[] out = new byte[LIMIT + 1];
            int n = 0;
            while (!inflater.finished()) {
                int remaining = inflater.getRemaining();
                int k = inflater.inflate(out, n, out.length - n);
                n += k;
                if (n > LIMIT) {
                    return new Outcome(Reason.BODY_TOO_LARGE, null);
                }
                if (k == 0 && !inflater.finished()
                        && (inflater.needsDictionary() || inflater.needsInput() || inflater.getRemaining() == remaining)) {
                    return new Outcome(Reason.MALFORMED_PACKET, null);
                }
            }
            if (inflater.getRemaining() > 0) {
                return new Outcome(Reason.MALFORMED_PACKET, null);
            }
            return new Outcome(null, Arrays.copyOf(out, n));
        } catch (DataFormatException e) {
            return new Outcome(Reason.MALFORMED_PACKET, null);
        } finally {
            inflater.end();
        }
    }

    static byte[] zlib(byte[] payload, int level, byte[] dictionary) {
        Deflater deflater = new Deflater(level);
        try {
            if (dictionary != null) {
                deflater.setDictionary(dictionary);
            }
            deflater.setInput(payload);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] deflateRaw(byte[] payload) {
        Deflater deflater = new Deflater(6, true);
        try {
            deflater.setInput(payload);
            deflater.finish();
            byte[] chunk = new byte[256];
            int n = deflater.deflate(chunk);
            return Arrays.copyOf(chunk, n);
        } finally {
            deflater.end();
        }
    }

    private static byte[] gzip(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Provide
    Arbitrary<byte[]> packets() {
        return flaggedPackets();
    }

    /** Encoded packets, most flagged compressed, with valid, corrupted and hostile zlib bodies. */
    static Arbitrary<byte[]> flaggedPackets() {
        Arbitrary<byte[]> payload = Arbitraries.frequencyOf(
                Tuple.of(2, Fuzz.randomBytes(200)),
                // Compressible: a short pattern repeated, up to a few KiB.
                Tuple.of(2, Combinators.combine(Fuzz.randomBytes(8).filter(b -> b.length > 0),
                        Arbitraries.integers().between(1, 4000)).as((pattern, n) -> {
                            byte[] out = new byte[n];
                            for (int i = 0; i < n; i++) {
                                out[i] = pattern[i % pattern.length];
                            }
                            return out;
                        })));
        Arbitrary<byte[]> validBody = Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(payload, Arbitraries.of(0, 1, 6, 9)).as((p, level) -> zlib(p, level, null))),
                Tuple.of(2, Arbitraries.of(FIXED_BODIES)));
        Arbitrary<byte[]> body = Arbitraries.frequencyOf(
                Tuple.of(3, validBody),
                Tuple.of(1, Fuzz.randomBytes(64)),
                Tuple.of(5, Combinators.combine(validBody, Mutation.some()).as(Mutation::applyAll)));
        Arbitrary<Integer> flags = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(COMPRESSED)),
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers()));
        return Combinators.combine(body, flags, Arbitraries.integers().between(0, 9), Arbitraries.integers())
                .as((b, f, module, index) -> Packet.newBuilder().setModule(module).setSeq(3).setIndex(index)
                        .setBody(ByteString.copyFrom(b)).setFlags(f).build().toByteArray());
    }
}
