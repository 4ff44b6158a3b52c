package io.janus.core.fuzz;

import io.janus.testing.FuzzLifecycle;
import io.janus.testing.FuzzAllocator;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.protocol.PacketCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Fuzzes {@link PacketCodec#decode} (docs/protocol.md, section 7) in every buffer shape, and the codec as
 * a handler on an {@link EmbeddedChannel}: any frame gives the packet protobuf itself reads from the same
 * bytes, or a {@code ProtocolException} with {@code MALFORMED_PACKET} exactly when protobuf refuses them.
 * A declared field length larger than the frame (a {@code body} of 2^31 - 1 bytes) must fail without
 * allocating for it; the handler releases every frame, failed or not.
 *
 * <p>Normal run: 100,000 tries. Long run: {@code mvn -B -pl janus-core test -Dtest='io.janus.core.fuzz.**'
 * -Djanus.fuzz.tries=10000000 -Dsurefire.failIfNoSpecifiedTests=false}. A failing input is printed in
 * hex; keep it in {@code src/test/resources/fuzz-seeds/packet-codec/}.
 */
@AddLifecycleHook(FuzzLifecycle.class)
class PacketCodecFuzzTest {

    static final String TARGET = "packet-codec";
    private static final Set<Reason> ALLOWED = Fuzz.reasons(Reason.MALFORMED_PACKET);

    private static final FuzzAllocator ALLOC = new FuzzAllocator();

    @Property(tries = 100_000)
    void decodeGivesAPacketOrMalformedPacket(@ForAll("frames") byte[] frame, @ForAll Fuzz.Shape shape) {
        check(frame, EnumSet.of(shape));
        Statistics.collect(Fuzz.takeOutcome());
    }

    /** The check of one frame in every buffer shape, for the regression seeds. */
    static void check(byte[] input) {
        check(input, EnumSet.allOf(Fuzz.Shape.class));
    }

    static void check(byte[] input, Set<Fuzz.Shape> shapes) {
        Fuzz.measured(TARGET, input, 1_000_000 + 32L * input.length, () -> {
            checkOnce(input, shapes);
            Fuzz.allReleased(TARGET, input, ALLOC);
        });
    }

    private static void checkOnce(byte[] input, Set<Fuzz.Shape> shapes) {
        Packet expected;
        try {
            expected = Packet.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            expected = null;
        }
        Packet oracle = expected;
        for (Fuzz.Shape shape : shapes) {
            Fuzz.inShape(ALLOC, input, shape, frame -> {
            Packet packet;
            try {
                packet = PacketCodec.decode(frame);
            } catch (Throwable t) {
                Fuzz.typed(TARGET, input, t, ALLOWED);
                if (oracle != null) {
                    throw Fuzz.failure(TARGET, input, "refused a frame protobuf parses as " + oracle, t);
                }
                return;
            }
            if (!packet.equals(oracle)) {
                throw Fuzz.failure(TARGET, input, "decoded " + packet + " (protobuf reads " + oracle + ")", null);
            }
            if (frame.isReadable()) {
                throw Fuzz.failure(TARGET, input, "a decoded frame was not consumed", null);
            }
            Fuzz.outcome("decoded");
            });
        }
        // As a handler: the codec owns and releases every inbound frame.
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(ALLOC);
        channel.pipeline().addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
        ByteBuf frame = ALLOC.untrackedHeap(input.length).writeBytes(input);
        try {
            channel.writeInbound(frame);
            Object read = channel.readInbound();
            if (!(read instanceof Packet) || !read.equals(oracle)) {
                throw Fuzz.failure(TARGET, input, "the handler passed on " + read + " (protobuf reads " + oracle + ")", null);
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            Fuzz.typed(TARGET, input, t, ALLOWED);
            if (oracle != null) {
                throw Fuzz.failure(TARGET, input, "the handler refused a frame protobuf parses", t);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        if (frame.refCnt() != 0) {
            throw Fuzz.failure(TARGET, input, "the handler did not release its frame", null);
        }
    }

    @Provide
    Arbitrary<byte[]> frames() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Fuzz.randomBytes(64)),
                Tuple.of(1, packets()),
                Tuple.of(2, Combinators.combine(packets(), Fuzz.randomBytes(16).filter(b -> b.length > 0))
                        .as(PacketCodecFuzzTest::concat)),
                Tuple.of(1, lyingLengths()),
                Tuple.of(5, Combinators.combine(packets(), Mutation.some()).as(Mutation::applyAll)));
    }

    /** Encoded packets with every field, small and extreme values, bodies of up to 64 bytes. */
    static Arbitrary<byte[]> packets() {
        Arbitrary<Integer> u32 = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 20)),
                Tuple.of(1, Arbitraries.of(0, 1, Integer.MAX_VALUE, -1, Integer.MIN_VALUE)),
                Tuple.of(1, Arbitraries.integers()));
        Arbitrary<Long> obj = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.longs().between(-5, 5)),
                Tuple.of(1, Arbitraries.longs()));
        Arbitrary<Packet> packet = Combinators.combine(u32, u32, u32, obj, Fuzz.randomBytes(64), u32, u32)
                .as((module, seq, index, o, body, flags, status) -> Packet.newBuilder().setModule(module)
                        .setSeq(seq).setIndex(index).setObj(o).setBody(ByteString.copyFrom(body))
                        .setFlags(flags).setStatus(status).build());
        return packet.map(Packet::toByteArray);
    }

    /**
     * A field whose declared length is larger than what follows: 0, the rest plus one, 2^31 - 1 and
     * 0xFFFFFFFF as varints, on the body field (5) and on an unknown field (15), after a valid prefix.
     */
    static Arbitrary<byte[]> lyingLengths() {
        return Combinators.combine(
                Arbitraries.of(5, 15, 4, 1),
                Arbitraries.of(0L, 1L, 2L, 127L, 128L, 65_536L, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, -1L),
                Fuzz.randomBytes(12))
                .as((field, length, rest) -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    try {
                        CodedOutputStream cos = CodedOutputStream.newInstance(out);
                        cos.writeUInt32(1, 7);
                        cos.writeTag(field, 2); // length-delimited, whatever the field's real type
                        cos.writeUInt64NoTag(length);
                        cos.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    out.writeBytes(rest);
                    return out.toByteArray();
                });
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
