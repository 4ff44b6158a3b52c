package io.janus.transport.kcp.smux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Golden byte sequences, written by hand from xtaci/smux v1.5's layout ({@code frame.go}: version,
 * command, uint16 LE length, uint32 LE stream id; {@code sendLoop} writes exactly these 8 bytes then the
 * payload; {@code stream.go} {@code sendWindowUpdate}: UPD payload is consumed then window, both uint32
 * LE). kcptun speaks smux only over KCP, so a live interop test belongs to the KCP layer; these bytes are
 * what that test will see on the wire. Layout per frame (hex): {@code VV CC LLLL SSSSSSSS payload}.
 */
class SmuxGoldenBytesTest {

    private static final HexFormat HEX = HexFormat.of();

    private final List<ByteBuf> sent = new ArrayList<>();
    private final RecordingListener events = new RecordingListener();
    private SmuxSession session;

    @AfterEach
    void release() {
        if (session != null) {
            session.close();
        }
        sent.forEach(ByteBuf::release);
    }

    private List<String> sentHex() {
        List<String> out = new ArrayList<>();
        for (ByteBuf b : sent) {
            out.add(ByteBufUtil.hexDump(b));
        }
        return out;
    }

    private void feed(String hex) {
        byte[] b = HEX.parseHex(hex.replace(" ", ""));
        session.onBytes(ByteBufAllocator.DEFAULT.buffer(b.length).writeBytes(b));
    }

    private static ByteBuf ascii(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return ByteBufAllocator.DEFAULT.buffer(b.length).writeBytes(b);
    }

    @Test
    void version1ClientOpensWritesKeepsAliveAndCloses() {
        SmuxConfig config = SmuxConfig.builder().version(1).keepAliveInterval(Duration.ofSeconds(10)).build();
        session = SmuxSession.client(config, ByteBufAllocator.DEFAULT, sent::add, events, 0);
        events.session = session;
        int sid = session.openStream();
        session.write(sid, ascii("hi"));
        session.tick(10_000);
        session.closeStream(sid);
        assertThat(sentHex()).containsExactly(
                "0100" + "0000" + "03000000",            // SYN 3
                "0102" + "0200" + "03000000" + "6869",   // PSH 3 "hi"
                "0103" + "0000" + "00000000",            // NOP (keepalive, stream 0)
                "0101" + "0000" + "03000000");           // FIN 3
    }

    @Test
    void version1ServerReadsWhatAKcptunClientSends() {
        session = SmuxSession.server(SmuxConfig.builder().version(SmuxConfig.ACCEPT_CLIENT_VERSION).build(),
                ByteBufAllocator.DEFAULT, sent::add, events, 0);
        events.session = session;
        feed("01 00 0000 03000000"          // SYN 3
                + "01 02 0500 03000000 68656c6c6f" // PSH 3 "hello"
                + "01 03 0000 00000000"     // NOP
                + "01 01 0000 03000000");   // FIN 3
        assertThat(session.version()).isEqualTo(1);
        assertThat(events.opened).containsExactly(3);
        assertThat(new String(events.received(3), StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(events.closed).containsExactly(3);
        assertThat(sent).isEmpty(); // version 1 sends no UPD
    }

    @Test
    void version2ServerAnswersFirstConsumptionWithUpdAndWritesOnServerStream() {
        SmuxConfig config = SmuxConfig.builder().version(2).streamWindow(65_536).build();
        session = SmuxSession.server(config, ByteBufAllocator.DEFAULT, sent::add, events, 0);
        events.session = session; // consumes on delivery, as xtaci's Read would
        feed("02 00 0000 03000000" + "02 02 0500 03000000 68656c6c6f");
        int own = session.openStream();
        session.write(own, ascii("ok"));
        assertThat(own).isEqualTo(2);
        assertThat(sentHex()).containsExactly(
                "0204" + "0800" + "03000000" + "05000000" + "00000100", // UPD 3: consumed 5, window 65536
                "0200" + "0000" + "02000000",                          // SYN 2 (server ids are even)
                "0202" + "0200" + "02000000" + "6f6b");                // PSH 2 "ok"
    }

    @Test
    void version2UpdIsSentAgainAfterHalfAWindowIsConsumed() {
        SmuxConfig config = SmuxConfig.builder().version(2).streamWindow(16).build();
        session = SmuxSession.server(config, ByteBufAllocator.DEFAULT, sent::add, events, 0);
        events.session = session;
        feed("02 00 0000 03000000");
        feed("02 02 0100 03000000 aa"); // first consumption: UPD consumed 1
        feed("02 02 0700 03000000 " + "bb".repeat(7)); // 7 since the last UPD: below 16/2
        feed("02 02 0100 03000000 cc"); // 8 since the last UPD: UPD consumed 9
        assertThat(sentHex()).containsExactly(
                "0204" + "0800" + "03000000" + "01000000" + "10000000",
                "0204" + "0800" + "03000000" + "09000000" + "10000000");
    }
}
