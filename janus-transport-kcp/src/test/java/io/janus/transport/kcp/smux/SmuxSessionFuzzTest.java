package io.janus.transport.kcp.smux;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import io.janus.testing.FuzzAllocator;
import io.janus.testing.FuzzLifecycle;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Histogram;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Hostile input to a server session: three valid SYNs, then frames whose fields are drawn near the
 * edges (versions 0..3, commands 0..5, lengths around the limits, stream ids of both parities, open or
 * not, UPDs that acknowledge too much), cut into random pieces, while the server writes on the streams
 * it accepted. Whatever arrives, the session either goes on or fails exactly once through
 * {@link SmuxSession.Listener#sessionFailed} with an smux reason (150..158); nothing else is thrown, and
 * every buffer is released once it is closed.
 */
@AddLifecycleHook(FuzzLifecycle.class)
class SmuxSessionFuzzTest {

    private static final FuzzAllocator ALLOC = new FuzzAllocator();
    private static final Set<Reason> SMUX_REASONS = EnumSet.of(Reason.SMUX_BAD_VERSION, Reason.SMUX_BAD_COMMAND,
            Reason.SMUX_BAD_LENGTH, Reason.SMUX_UNKNOWN_STREAM, Reason.SMUX_BAD_STREAM_ID,
            Reason.SMUX_FLOW_CONTROL_VIOLATION, Reason.SMUX_BAD_WINDOW_UPDATE);

    /** version (-1: the session's), command, declared length, stream id, actual payload length. */
    record RawFrame(int version, int command, int length, int sid, int payload) {}

    @Provide
    Arbitrary<List<RawFrame>> frames() {
        Arbitrary<Integer> version = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(400, -1), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(1, 2),
                net.jqwik.api.Tuple.of(1, 0), net.jqwik.api.Tuple.of(1, 3));
        Arbitrary<Integer> command = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(2, 0), net.jqwik.api.Tuple.of(2, 1), net.jqwik.api.Tuple.of(30, 2),
                net.jqwik.api.Tuple.of(2, 3), net.jqwik.api.Tuple.of(4, 4), net.jqwik.api.Tuple.of(1, 5));
        Arbitrary<Integer> anyLength = Arbitraries.oneOf(Arbitraries.of(0, 1, 7, 8, 9, 255, 256, 257, 65_535),
                Arbitraries.integers().between(0, 300));
        // Mostly the few ids a client would open, so that streams live long enough to carry data.
        Arbitrary<Integer> sid = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(12, Arbitraries.of(1, 3, 5)),
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 12)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(-1, Integer.MAX_VALUE, Integer.MIN_VALUE)))
                .flatMap(a -> a);
        Arbitrary<Integer> shortfall = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(20, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(1, 5));
        // Mostly the length the command wants, so that input gets past the header checks and reaches
        // the stream and flow-control rules; sometimes any length.
        Arbitrary<int[]> commandAndLength = command.flatMap(c -> {
            Arbitrary<Integer> proper = c == 2 ? Arbitraries.integers().between(1, 256) : Arbitraries.just(c == 4 ? 8 : 0);
            return Arbitraries.frequency(net.jqwik.api.Tuple.of(40, proper), net.jqwik.api.Tuple.of(1, anyLength))
                    .flatMap(a -> a).map(l -> new int[] {c, l});
        });
        return Combinators.combine(version, commandAndLength, sid, shortfall)
                .as((v, cl, sd, cut) -> new RawFrame(v, cl[0], cl[1], sd, Math.max(0, cl[1] - cut)))
                .list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 64).list().ofMinSize(1).ofMaxSize(10);
    }

    @Property(tries = 1_000)
    @StatisticsReport(format = Histogram.class)
    void hostileInputFailsTheSessionWithAnSmuxReasonOrIsHandled(@ForAll("frames") List<RawFrame> frames,
            @ForAll("cuts") List<Integer> cuts, @ForAll @IntRange(min = 1, max = 2) int wireVersion,
            @ForAll boolean acceptClientVersion, @ForAll boolean consumes, @ForAll long payloadSeed) {
        SmuxConfig config = SmuxConfig.builder()
                .version(acceptClientVersion ? SmuxConfig.ACCEPT_CLIENT_VERSION : wireVersion)
                .maxFrameSize(256).maxStreams(3).streamWindow(512).receiveBuffer(300).build();
        java.util.Random payloadBytes = new java.util.Random(payloadSeed);
        List<ByteBuf> sent = new ArrayList<>();
        RecordingListener events = new RecordingListener();
        SmuxSession server = SmuxSession.server(config, ALLOC, sent::add, events, 0);
        events.session = server;
        events.autoConsume = false;
        ByteBuf wire = ALLOC.buffer();
        // Three valid opens first, so that the frames drawn next find streams to act on.
        for (int sid = 1; sid <= 5; sid += 2) {
            wire.writeByte(wireVersion).writeByte(SmuxFrame.CMD_SYN).writeShortLE(0).writeIntLE(sid);
        }
        for (RawFrame f : frames) {
            int v = f.version() < 0 ? wireVersion : f.version();
            wire.writeByte(v).writeByte(f.command()).writeShortLE(f.length()).writeIntLE(f.sid());
            byte[] payload = new byte[f.payload()];
            payloadBytes.nextBytes(payload);
            if (payload.length == 8 && payloadBytes.nextBoolean()) {
                payload[0] = payload[1] = payload[2] = payload[3] = 0; // a UPD that acknowledges nothing
            }
            wire.writeBytes(payload);
        }
        try {
            int i = 0;
            while (wire.isReadable()) {
                int n = Math.min(wire.readableBytes(), cuts.get(i++ % cuts.size()));
                server.onBytes(wire.readRetainedSlice(n));
                // The server writes on the streams it accepted, so that UPDs have something to acknowledge.
                for (int sid : List.copyOf(events.opened)) {
                    if (server.isWritable(sid)) {
                        server.write(sid, ALLOC.buffer(16).writeZero(16));
                    }
                }
                if (consumes && i % 5 == 0) {
                    for (int sid : List.copyOf(events.unconsumed.keySet())) {
                        events.consumeAll(sid);
                    }
                }
            }
            if (events.failure != null) {
                assertThat(events.failure.reason()).isIn(SMUX_REASONS);
                assertThat(server.isClosed()).isTrue();
                assertThat(server.stats().failure()).isEqualTo(events.failure.reason());
            }
            Statistics.collect(events.failure == null ? "handled" : events.failure.reason().name());
            // Each outcome must be reached, or the generator drifted away from the edges it is meant to
            // hit. Flow-control violations need hundreds of valid bytes in a row and are left to
            // SmuxBadInputTest, which builds them on purpose.
            Statistics.coverage(checker -> {
                checker.check("handled").count(c -> c > 0);
                for (Reason reason : SMUX_REASONS) {
                    if (reason != Reason.SMUX_FLOW_CONTROL_VIOLATION) {
                        checker.check(reason.name()).count(c -> c > 0);
                    }
                }
            });

        } finally {
            wire.release();
            server.close();
            sent.forEach(ByteBuf::release);
        }
        assertThat(ALLOC.live()).as("bytes of unreleased buffers").isZero();
    }
}
