package io.janus.transport.kcp.smux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The frame decoder: golden layouts, input split anywhere, strict header validation, bounded buffering. */
class SmuxFrameDecoderTest {

    private static final HexFormat HEX = HexFormat.of();

    /** v2 SYN 3, PSH 3 "hello", UPD 3 (consumed 4096, window 65536), NOP, PSH 3 empty, FIN 3. */
    private static final String V2_STREAM = "0200000003000000"
            + "020205000300000068656c6c6f"
            + "020408000300000000100000" + "00000100"
            + "0203000000000000"
            + "0202000003000000"
            + "0201000003000000";

    private static ByteBuf pooled(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    /** Decodes each piece in turn; returns "v cmd sid hexpayload" per frame, releasing the frames. */
    private static List<String> decode(SmuxFrameDecoder decoder, List<byte[]> pieces) {
        List<String> out = new ArrayList<>();
        for (byte[] piece : pieces) {
            decoder.decode(pooled(piece), frame -> {
                try {
                    out.add(frame.version() + " " + SmuxFrame.commandName(frame.command()) + " "
                            + Integer.toUnsignedString(frame.streamId()) + " " + ByteBufUtil.hexDump(frame.content()));
                } finally {
                    frame.release();
                }
            });
        }
        return out;
    }

    private static SmuxFrameDecoder decoder(int version) {
        return new SmuxFrameDecoder(ByteBufAllocator.DEFAULT, 32_768, version);
    }

    private static final List<String> V2_FRAMES = List.of(
            "2 SYN 3 ",
            "2 PSH 3 68656c6c6f",
            "2 UPD 3 0010000000000100",
            "2 NOP 0 ",
            "2 PSH 3 ",
            "2 FIN 3 ");

    @Test
    void decodesGoldenVersion2Stream() {
        SmuxFrameDecoder d = decoder(2);
        assertThat(decode(d, List.of(HEX.parseHex(V2_STREAM)))).isEqualTo(V2_FRAMES);
        assertThat(d.bufferedBytes()).isZero();
    }

    @Test
    void updAccessorsReadLittleEndianCountersOfTheGoldenFrame() {
        List<Integer> seen = new ArrayList<>();
        decoder(2).decode(pooled(HEX.parseHex("020408000300000000100000" + "00000100")), f -> {
            seen.add(f.updConsumed());
            seen.add(f.updWindow());
            f.release();
        });
        assertThat(seen).containsExactly(4096, 65536);
    }

    @Test
    void splitAtEveryByteBoundaryYieldsTheSameFrames() {
        byte[] all = HEX.parseHex(V2_STREAM);
        for (int i = 0; i <= all.length; i++) {
            SmuxFrameDecoder d = decoder(2);
            List<byte[]> pieces = List.of(java.util.Arrays.copyOfRange(all, 0, i),
                    java.util.Arrays.copyOfRange(all, i, all.length));
            assertThat(decode(d, pieces)).as("split at %d", i).isEqualTo(V2_FRAMES);
            assertThat(d.bufferedBytes()).isZero();
        }
    }

    @Test
    void splitInThreeAtNearbyBoundariesYieldsTheSameFrames() {
        // Three pieces with the middle one up to 17 bytes long: a header or payload cut on both sides.
        byte[] all = HEX.parseHex(V2_STREAM);
        for (int i = 0; i <= all.length; i++) {
            for (int j = i; j <= Math.min(all.length, i + 17); j++) {
                List<byte[]> pieces = List.of(java.util.Arrays.copyOfRange(all, 0, i),
                        java.util.Arrays.copyOfRange(all, i, j), java.util.Arrays.copyOfRange(all, j, all.length));
                assertThat(decode(decoder(2), pieces)).as("split at %d, %d", i, j).isEqualTo(V2_FRAMES);
            }
        }
    }

    @Test
    void oneByteAtATimeYieldsTheSameFrames() {
        byte[] all = HEX.parseHex(V2_STREAM);
        List<byte[]> pieces = new ArrayList<>();
        for (byte b : all) {
            pieces.add(new byte[] {b});
        }
        assertThat(decode(decoder(SmuxFrameDecoder.DETECT_VERSION), pieces)).isEqualTo(V2_FRAMES);
    }

    @Test
    void heldBytesNeverExceedOneFrame() {
        int max = 1000;
        SmuxFrameDecoder d = new SmuxFrameDecoder(ByteBufAllocator.DEFAULT, max, 1);
        ByteBuf frame = ByteBufAllocator.DEFAULT.buffer();
        SmuxFrame.writeHeader(frame, 1, SmuxFrame.CMD_PSH, max, 1);
        frame.writeZero(max);
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.release();
        int frames = 0;
        List<Integer> held = new ArrayList<>();
        for (int rep = 0; rep < 3; rep++) {
            for (int at = 0; at < bytes.length; at += 7) {
                byte[] piece = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 7));
                frames += decode(d, List.of(piece)).size();
                held.add(d.bufferedBytes());
            }
        }
        assertThat(frames).isEqualTo(3);
        assertThat(held).allMatch(n -> n <= SmuxFrame.HEADER_SIZE + max);
        d.close();
    }

    @Test
    void versionIsDetectedFromTheFirstFrameAndThenEnforced() {
        SmuxFrameDecoder d = decoder(SmuxFrameDecoder.DETECT_VERSION);
        assertThat(d.version()).isZero();
        decode(d, List.of(HEX.parseHex("0103000000000000")));
        assertThat(d.version()).isEqualTo(1);
        assertThatThrownBy(() -> decode(d, List.of(HEX.parseHex("0203000000000000"))))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SMUX_BAD_VERSION))
                .hasMessageContaining("version 2 in a version 1 session");
        d.close();
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource({
        "unknown version 0,        0003000000000000, SMUX_BAD_VERSION",
        "unknown version 3,        0303000000000000, SMUX_BAD_VERSION",
        "version mismatch,         0103000000000000, SMUX_BAD_VERSION",
        "unknown command 5,        0205000000000000, SMUX_BAD_COMMAND",
        "unknown command 255,      02ff000000000000, SMUX_BAD_COMMAND",
        "PSH over maxFrameSize,    0202018001000000, SMUX_BAD_LENGTH",
        "PSH of 65535,             0202ffff01000000, SMUX_BAD_LENGTH",
        "SYN with payload,         0200010001000000, SMUX_BAD_LENGTH",
        "FIN with payload,         0201010001000000, SMUX_BAD_LENGTH",
        "NOP with payload,         0203040000000000, SMUX_BAD_LENGTH",
        "UPD too short,            0204040001000000, SMUX_BAD_LENGTH",
        "UPD too long,             0204090001000000, SMUX_BAD_LENGTH",
    })
    void malformedHeadersAreRejectedWithTheirReasonBeforeAnyPayload(String name, String header, Reason reason) {
        SmuxFrameDecoder d = decoder(2);
        // Only the 8 header bytes arrive: the decoder must not wait for the declared payload.
        assertThatThrownBy(() -> decode(d, List.of(HEX.parseHex(header))))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason));
        d.close();
    }

    @Test
    void updIsRejectedInVersion1() {
        SmuxFrameDecoder d = decoder(1);
        assertThatThrownBy(() -> decode(d, List.of(HEX.parseHex("0104080001000000"))))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SMUX_BAD_COMMAND))
                .hasMessageContaining("UPD is not allowed in version 1");
        d.close();
    }

    @Test
    void malformedHeaderSplitAcrossInputsIsRejectedWhenItsEighthByteArrives() {
        SmuxFrameDecoder d = decoder(2);
        decode(d, List.of(HEX.parseHex("0203000000000000"), HEX.parseHex("0209")));
        assertThat(d.bufferedBytes()).isEqualTo(2);
        assertThatThrownBy(() -> decode(d, List.of(HEX.parseHex("000000000000"))))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SMUX_BAD_COMMAND));
        d.close();
        assertThat(d.bufferedBytes()).isZero();
    }

    @Test
    void closeReleasesTheIncompleteFrameAndLaterInput() {
        SmuxFrameDecoder d = decoder(1);
        List<String> frames = decode(d, List.of(HEX.parseHex("01020a0001000000" + "0102")));
        assertThat(frames).isEmpty();
        assertThat(d.bufferedBytes()).isEqualTo(10);
        d.close();
        ByteBuf late = pooled(HEX.parseHex("0103000000000000"));
        d.decode(late, f -> {
            throw new AssertionError("closed decoder emitted " + f);
        });
        assertThat(late.refCnt()).isZero();
    }

    @Test
    void closingFromTheConsumerStopsDecodingAndKeepsNothing() {
        SmuxFrameDecoder d = decoder(1);
        List<Integer> seen = new ArrayList<>();
        ByteBuf in = pooled(HEX.parseHex("0103000000000000" + "0103000000000000" + "0103"));
        d.decode(in, f -> {
            seen.add(f.command());
            f.release();
            d.close();
        });
        assertThat(seen).hasSize(1);
        assertThat(in.refCnt()).isZero();
        assertThat(d.bufferedBytes()).isZero();
    }

    @Test
    void constructorRejectsBadSettings() {
        assertThatThrownBy(() -> new SmuxFrameDecoder(ByteBufAllocator.DEFAULT, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SmuxFrameDecoder(ByteBufAllocator.DEFAULT, 65_536, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SmuxFrameDecoder(ByteBufAllocator.DEFAULT, 100, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
