package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.PacketFlag;
import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CompressionHandler}: zlib bodies (RFC 1950) between two peers, the threshold, compression off,
 * the inflate limit against compression bombs, malformed streams, and freeing zlib's native memory.
 */
class CompressionHandlerTest {

    private static final int THRESHOLD = 64;
    private static final int MAX_INFLATED = 1 << 20;
    private static final int COMPRESSED = PacketFlag.PACKET_FLAG_COMPRESSED_VALUE;

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel channel(CompressionHandler handler) {
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel channel(int threshold, int maxInflatedBytes) {
        return channel(new CompressionHandler(threshold, maxInflatedBytes));
    }

    private static Packet packet(ByteString body) {
        return Packet.newBuilder()
                .setModule(6)
                .setSeq(2)
                .setIndex(41)
                .setObj(-9_000_000_000L)
                .setBody(body)
                .setStatus(1001)
                .build();
    }

    private static ByteString text(int length) {
        byte[] bytes = new byte[length];
        byte[] phrase = "the room is full of players; ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            bytes[i] = phrase[i % phrase.length];
        }
        return ByteString.copyFrom(bytes);
    }

    private static ByteString random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return ByteString.copyFrom(bytes);
    }

    private static byte[] zlib(byte[] data) {
        Deflater deflater = new Deflater();
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflateWithPlainZlib(ByteString compressed) throws Exception {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed.toByteArray());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                assertThat(n > 0 || inflater.finished()).as("a whole zlib stream").isTrue();
                out.write(buf, 0, n);
            }
            assertThat(inflater.getRemaining()).isZero();
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    private static Packet flagged(byte[] body) {
        return packet(ByteString.copyFrom(body)).toBuilder().setFlags(COMPRESSED).build();
    }

    private static JanusException refusal(EmbeddedChannel channel, Packet inbound) {
        Throwable thrown = catchThrowable(() -> channel.writeInbound(inbound));
        assertThat(thrown).isInstanceOf(DecoderException.class);
        JanusException cause = JanusException.find(thrown);
        assertThat(cause).isInstanceOf(ProtocolException.class);
        assertThat((Object) channel.readInbound()).as("nothing reaches the session").isNull();
        return cause;
    }

    @Test
    void roundTripThroughTwoPeersRestoresTheBodyAndClearsTheFlag() {
        EmbeddedChannel sender = channel(THRESHOLD, MAX_INFLATED);
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        Packet original = packet(text(100_000)).toBuilder().setFlags(2).build();

        assertThat(sender.writeOutbound(original)).isTrue();
        Packet wire = sender.readOutbound();

        assertThat(wire.getFlags()).as("compressed, other bits kept").isEqualTo(2 | COMPRESSED);
        assertThat(wire.getBody().size()).isLessThan(original.getBody().size() / 10);
        assertThat(wire.toBuilder().clearBody().clearFlags().build())
                .as("every other field is kept")
                .isEqualTo(original.toBuilder().clearBody().clearFlags().build());

        assertThat(receiver.writeInbound(wire)).isTrue();
        Packet received = receiver.readInbound();

        assertThat(received).isEqualTo(original);
    }

    @Test
    void compressedBodyIsAStandardZlibStream() throws Exception {
        EmbeddedChannel sender = channel(THRESHOLD, MAX_INFLATED);
        ByteString body = text(5_000);

        sender.writeOutbound(packet(body));
        Packet wire = sender.readOutbound();

        assertThat(wire.getBody().byteAt(0) & 0x0f).as("RFC 1950 CM = 8, deflate").isEqualTo(8);
        assertThat(inflateWithPlainZlib(wire.getBody())).isEqualTo(body.toByteArray());
    }

    @Test
    void inflatesABodyCompressedByAnotherZlibImplementationAtAnotherLevel() throws IOException {
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        byte[] body = text(300_000).toByteArray();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        Deflater best = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream out = new DeflaterOutputStream(compressed, best)) {
            out.write(body);
        } finally {
            best.end();
        }

        receiver.writeInbound(flagged(compressed.toByteArray()));

        Packet received = receiver.readInbound();
        assertThat(received.getFlags()).isZero();
        assertThat(received.getBody().toByteArray()).isEqualTo(body);
    }

    @ParameterizedTest(name = "body of {0} bytes")
    @ValueSource(ints = {0, 1, THRESHOLD - 1, THRESHOLD})
    void bodiesAtOrUnderTheThresholdGoOutUntouched(int length) {
        EmbeddedChannel sender = channel(THRESHOLD, MAX_INFLATED);
        Packet small = packet(text(length));

        sender.writeOutbound(small);

        assertThat((Packet) sender.readOutbound()).isSameAs(small);
    }

    @Test
    void aBodyOneByteOverTheThresholdIsCompressed() {
        EmbeddedChannel sender = channel(THRESHOLD, MAX_INFLATED);

        sender.writeOutbound(packet(text(THRESHOLD + 1)));

        Packet wire = sender.readOutbound();
        assertThat(wire.getFlags()).isEqualTo(COMPRESSED);
        assertThat(wire.getBody().size()).isLessThan(THRESHOLD + 1);
    }

    @ParameterizedTest(name = "random body of {0} bytes")
    @ValueSource(ints = {THRESHOLD + 1, 4_096, 100_000})
    void incompressibleBodiesGoOutUncompressed(int length) {
        EmbeddedChannel sender = channel(THRESHOLD, MAX_INFLATED);
        Packet noise = packet(random(length, length));

        sender.writeOutbound(noise);

        assertThat((Packet) sender.readOutbound()).isSameAs(noise);
    }

    @Test
    void anAlreadyCompressedPacketGoesOutUntouched() {
        EmbeddedChannel sender = channel(THRESHOLD, MAX_INFLATED);
        Packet already = flagged(zlib(text(10_000).toByteArray()));

        sender.writeOutbound(already);

        assertThat((Packet) sender.readOutbound()).isSameAs(already);
    }

    @Test
    void packetsWithoutTheFlagComeInUntouched() {
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        Packet plain = packet(text(10_000));

        receiver.writeInbound(plain);

        assertThat((Packet) receiver.readInbound()).isSameAs(plain);
    }

    @Test
    void compressionOffNeverCompresses() {
        EmbeddedChannel sender = channel(0, MAX_INFLATED);
        Packet large = packet(ByteString.copyFrom(new byte[200_000]));

        sender.writeOutbound(large);

        assertThat((Packet) sender.readOutbound()).isSameAs(large);
    }

    @Test
    void compressionOffRefusesACompressedBodyWithBodyTooLarge() {
        EmbeddedChannel receiver = channel(0, MAX_INFLATED);
        Packet plain = packet(text(1_000));
        receiver.writeInbound(plain);
        assertThat((Packet) receiver.readInbound()).as("unflagged packets still pass").isSameAs(plain);

        JanusException refused = refusal(receiver, flagged(zlib(text(1_000).toByteArray())));

        assertThat(refused.reason()).isEqualTo(Reason.BODY_TOO_LARGE);
        assertThat(refused).hasMessage("a compressed body arrived but compression is off for this session");
    }

    @Test
    void compressionBombIsRefusedAtTheLimitWithoutInflatingIt() throws IOException {
        long bombSize = 50L << 20;
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        try (DeflaterOutputStream out = new DeflaterOutputStream(bomb)) {
            for (long written = 0; written < bombSize; written += zeros.length) {
                out.write(zeros);
            }
        }
        Packet inbound = flagged(bomb.toByteArray());
        assertThat(inbound.getBody().size()).as("a few tens of KB").isLessThan(100_000);
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        com.sun.management.ThreadMXBean threads = allocationCounter();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();

        JanusException refused = assertTimeout(Duration.ofSeconds(5), () -> refusal(receiver, inbound));

        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertThat(refused.reason()).isEqualTo(Reason.BODY_TOO_LARGE);
        assertThat(refused).hasMessage("a compressed body inflates past maxInflatedBytes " + MAX_INFLATED);
        assertThat(allocated).as("heap allocated refusing a 50 MB bomb with a 1 MiB limit")
                .isLessThan(4L * MAX_INFLATED);
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter enabled");
        return threads;
    }

    @Test
    void aBodyInflatingToExactlyTheLimitIsAcceptedAndOneByteMoreIsNot() {
        int limit = 20_000;
        EmbeddedChannel receiver = channel(THRESHOLD, limit);
        byte[] exact = text(limit).toByteArray();

        receiver.writeInbound(flagged(zlib(exact)));
        assertThat(((Packet) receiver.readInbound()).getBody().toByteArray()).isEqualTo(exact);

        JanusException refused = refusal(receiver, flagged(zlib(text(limit + 1).toByteArray())));
        assertThat(refused.reason()).isEqualTo(Reason.BODY_TOO_LARGE);
    }

    @Test
    void theLargestPossibleLimitDoesNotOverflow() {
        EmbeddedChannel receiver = channel(THRESHOLD, Integer.MAX_VALUE);
        byte[] body = text(50_000).toByteArray();

        receiver.writeInbound(flagged(zlib(body)));

        assertThat(((Packet) receiver.readInbound()).getBody().toByteArray()).isEqualTo(body);
    }

    @ParameterizedTest(name = "body {0}")
    @ValueSource(strings = {
        "",                     // no stream at all
        "0000000000",           // CMF/FLG header check fails
        "789c",                 // header only
        "789cffffffff0000",     // a valid header, then an invalid block type
        "789c4b04000062",       // "a" deflated, with the Adler-32 cut short
        "789c4b0400ffffffff",   // "a" deflated, with a wrong Adler-32
    })
    void corruptOrTruncatedStreamsAreMalformed(String hex) {
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);

        JanusException refused = refusal(receiver, flagged(ByteBufUtil.decodeHexDump(hex)));

        assertThat(refused.reason()).isEqualTo(Reason.MALFORMED_PACKET);
    }

    @Test
    void aStreamCutInHalfIsMalformed() {
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        byte[] whole = zlib(random(10_000, 7).toByteArray());

        JanusException refused = refusal(receiver, flagged(Arrays.copyOf(whole, whole.length / 2)));

        assertThat(refused.reason()).isEqualTo(Reason.MALFORMED_PACKET);
        assertThat(refused.getMessage()).contains("ends before its zlib stream does");
    }

    @Test
    void bytesAfterTheEndOfTheStreamAreMalformed() {
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        byte[] whole = zlib(text(1_000).toByteArray());
        byte[] trailing = Arrays.copyOf(whole, whole.length + 3);

        JanusException refused = refusal(receiver, flagged(trailing));

        assertThat(refused.reason()).isEqualTo(Reason.MALFORMED_PACKET);
        assertThat(refused.getMessage()).contains("3 bytes after the end of its zlib stream");
    }

    @Test
    void aStreamNeedingAPresetDictionaryIsMalformed() {
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        Deflater withDictionary = new Deflater();
        byte[] buf = new byte[1024];
        int n;
        try {
            withDictionary.setDictionary("the room is full".getBytes(StandardCharsets.US_ASCII));
            withDictionary.setInput(text(500).toByteArray());
            withDictionary.finish();
            n = withDictionary.deflate(buf);
            assertThat(withDictionary.finished()).isTrue();
        } finally {
            withDictionary.end();
        }

        JanusException refused = refusal(receiver, flagged(Arrays.copyOf(buf, n)));

        assertThat(refused.reason()).isEqualTo(Reason.MALFORMED_PACKET);
        assertThat(refused.getMessage()).contains("preset dictionary");
    }

    @Test
    void oneHandlerServesManyPacketsInTurn() {
        EmbeddedChannel sender = channel(THRESHOLD, MAX_INFLATED);
        EmbeddedChannel receiver = channel(THRESHOLD, MAX_INFLATED);
        int compressed = 0;

        for (int i = 0; i < 300; i++) {
            ByteString body = switch (i % 3) {
                case 0 -> text(THRESHOLD + 1 + i * 97);
                case 1 -> random(THRESHOLD + 1 + i, i);
                default -> text(i % THRESHOLD);
            };
            Packet original = packet(body).toBuilder().setIndex(i + 1).build();

            sender.writeOutbound(original);
            Packet wire = sender.readOutbound();
            compressed += wire.getFlags() & COMPRESSED;
            receiver.writeInbound(wire);

            assertThat((Packet) receiver.readInbound()).as("packet %s", i).isEqualTo(original);
        }
        assertThat(compressed).isEqualTo(100);
    }

    @Test
    void aRefusedPacketLeavesTheInflaterReadyForTheNext() {
        EmbeddedChannel receiver = channel(THRESHOLD, 1_000);
        byte[] body = text(900).toByteArray();

        refusal(receiver, flagged(Arrays.copyOf(zlib(text(5_000).toByteArray()), 20)));
        refusal(receiver, flagged(zlib(text(5_000).toByteArray())));
        receiver.writeInbound(flagged(zlib(body)));

        assertThat(((Packet) receiver.readInbound()).getBody().toByteArray()).isEqualTo(body);
    }

    @Test
    void handlerIsReleasedWhenTheChannelCloses() {
        CompressionHandler handler = new CompressionHandler(THRESHOLD, MAX_INFLATED);
        EmbeddedChannel channel = channel(handler);
        channel.writeOutbound(packet(text(1_000)));
        channel.writeInbound(channel.<Packet>readOutbound());
        assertThat(handler.isReleased()).isFalse();

        channel.close().syncUninterruptibly();

        assertThat(handler.isReleased()).isTrue();
    }

    @Test
    void sessionsOnOneThreadShareZlibStateWithoutMixingTheirStreams() {
        EmbeddedChannel a = channel(new CompressionHandler(THRESHOLD, MAX_INFLATED));
        EmbeddedChannel b = channel(new CompressionHandler(THRESHOLD, MAX_INFLATED));
        for (int i = 0; i < 20; i++) {
            Packet pa = packet(text(1_000 + i));
            Packet pb = packet(text(3_000 + i));
            a.writeOutbound(pa);
            b.writeOutbound(pb);
            Packet ca = a.readOutbound();
            Packet cb = b.readOutbound();
            b.writeInbound(ca);
            a.writeInbound(cb);
            assertThat(b.<Packet>readInbound().getBody()).isEqualTo(pa.getBody());
            assertThat(a.<Packet>readInbound().getBody()).isEqualTo(pb.getBody());
        }
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void handlerIsReleasedWhenRemoved() {
        CompressionHandler handler = new CompressionHandler(THRESHOLD, MAX_INFLATED);
        EmbeddedChannel channel = channel(handler);
        channel.writeOutbound(packet(text(1_000)));
        channel.readOutbound();

        channel.pipeline().remove(handler);

        assertThat(handler.isReleased()).isTrue();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> new CompressionHandler(-1, MAX_INFLATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new CompressionHandler(THRESHOLD, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxInflatedBytes: 0 (expected: > 0)");
    }

    @Test
    void theSharedHandlerForSessionsWithoutCompressionServesManyChannels() {
        assertThat(CompressionHandler.of(0, MAX_INFLATED)).isSameAs(CompressionHandler.off());
        assertThat(CompressionHandler.off().isSharable()).isTrue();
        assertThat(new CompressionHandler(0, MAX_INFLATED).isSharable()).as("made by the constructor").isFalse();
        EmbeddedChannel a = channel(CompressionHandler.off());
        EmbeddedChannel b = channel(CompressionHandler.off());
        Packet large = packet(ByteString.copyFromUtf8("x".repeat(4 * THRESHOLD)));

        // Nothing is compressed, a flagged body is refused, on each channel.
        assertThat(a.writeOutbound(large)).isTrue();
        assertThat((Packet) a.readOutbound()).isEqualTo(large);
        assertThat(refusal(b, flagged(new byte[] {1, 2, 3})).reason()).isEqualTo(Reason.BODY_TOO_LARGE);
        // Closing one channel leaves the handler working for the other.
        a.close();
        assertThat(refusal(channel(CompressionHandler.off()), flagged(new byte[] {1})).reason())
                .isEqualTo(Reason.BODY_TOO_LARGE);
    }

    @Test
    void theSharedHandlerOfOneSettingCompressesAndInflatesForManyChannels() {
        CompressionHandler shared = CompressionHandler.of(THRESHOLD, MAX_INFLATED);
        assertThat(CompressionHandler.of(THRESHOLD, MAX_INFLATED)).isSameAs(shared);
        assertThat(shared.isSharable()).isTrue();
        EmbeddedChannel a = channel(shared);
        EmbeddedChannel b = channel(shared);
        ByteString body = ByteString.copyFromUtf8("again and again ".repeat(200));

        assertThat(a.writeOutbound(packet(body))).isTrue();
        Packet compressed = a.readOutbound();
        assertThat(compressed.getFlags() & PacketFlag.PACKET_FLAG_COMPRESSED_VALUE).isNotZero();
        assertThat(compressed.getBody().size()).isLessThan(body.size());
        // Closing one channel does not stop the handler for the other.
        a.close();
        assertThat(b.writeInbound(compressed)).isTrue();
        assertThat(((Packet) b.readInbound()).getBody()).isEqualTo(body);
        assertThat(shared.isReleased()).isFalse();
    }
}
