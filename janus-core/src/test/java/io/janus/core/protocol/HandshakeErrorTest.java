package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link HandshakeError}: the layout of docs/protocol.md, section 4.3, and a lenient parse (the message
 * is not authenticated, so the client only reports it).
 */
class HandshakeErrorTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static byte[] encode(HandshakeError error) {
        ByteBuf buf = error.encode(ALLOC);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static HandshakeError parse(byte[] bytes) {
        ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        try {
            HandshakeError error = HandshakeError.parse(frame);
            assertThat(frame.refCnt()).as("parse does not release the frame").isEqualTo(1);
            return error;
        } finally {
            frame.release();
        }
    }

    @Test
    void encodeLaysOutTheErrorAsTheSpecSays() {
        byte[] bytes = encode(HandshakeError.of(Reason.CONNECTION_LIMIT, "full"));
        // 0x0F, reason 500 = 0x01F4, length 4, "full"
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0f01f40004" + "66756c6c");
    }

    @Test
    void encodeThenParseRoundTrips() {
        HandshakeError sent = HandshakeError.of(Reason.CONNECTION_LIMIT_PER_IP, "trop de connexions \u00e0 la fois");
        ByteBuf frame = sent.encode(ALLOC);
        try {
            assertThat(HandshakeError.is(frame)).isTrue();
            HandshakeError received = HandshakeError.parse(frame);
            assertThat(frame.isReadable()).as("the frame is consumed").isFalse();
            assertThat(received.reason()).isEqualTo(Reason.CONNECTION_LIMIT_PER_IP);
            assertThat(received.code()).isEqualTo(501);
            assertThat(received.message()).isEqualTo("trop de connexions \u00e0 la fois");
            assertThat(received.toString()).contains("CONNECTION_LIMIT_PER_IP", "501", "trop de connexions");
        } finally {
            frame.release();
        }
    }

    @Test
    void anEmptyMessageRoundTrips() {
        HandshakeError received = parse(encode(HandshakeError.of(Reason.HANDSHAKE_TIMEOUT, "")));
        assertThat(received.reason()).isEqualTo(Reason.HANDSHAKE_TIMEOUT);
        assertThat(received.message()).isEmpty();
    }

    @Test
    void anUnknownCodeReadsAsUnrecognizedAndKeepsTheCode() {
        HandshakeError received = parse(HexFormat.of().parseHex("0f03e70002" + "6869")); // 999, "hi"
        assertThat(received.reason()).isEqualTo(Reason.UNRECOGNIZED);
        assertThat(received.code()).isEqualTo(999);
        assertThat(received.message()).isEqualTo("hi");
    }

    @Test
    void aTruncatedErrorReadsAsHandshakeFailed() {
        for (String hex : new String[] {"0f", "0f01f4", "0f01f400"}) {
            HandshakeError received = parse(HexFormat.of().parseHex(hex));
            assertThat(received.reason()).as(hex).isEqualTo(Reason.HANDSHAKE_FAILED);
            assertThat(received.message()).isEqualTo("malformed HandshakeError");
        }
    }

    @Test
    void aMessageShorterThanDeclaredIsReadAsFarAsItGoes() {
        HandshakeError received = parse(HexFormat.of().parseHex("0f01f400ff" + "6869")); // declares 255 bytes
        assertThat(received.reason()).isEqualTo(Reason.CONNECTION_LIMIT);
        assertThat(received.message()).isEqualTo("hi");
    }

    @Test
    void encodeCutsTheMessageAt512Bytes() {
        byte[] bytes = encode(HandshakeError.of(Reason.HANDSHAKE_FAILED, "x".repeat(2000)));
        assertThat(bytes).hasSize(5 + 512);
        assertThat(parse(bytes).message()).isEqualTo("x".repeat(512));
    }

    @Test
    void isLooksOnlyAtTheTypeByte() {
        ByteBuf empty = Unpooled.EMPTY_BUFFER;
        assertThat(HandshakeError.is(empty)).isFalse();
        ByteBuf serverHello = Unpooled.wrappedBuffer(new byte[] {ServerHello.TYPE, 1});
        ByteBuf error = Unpooled.wrappedBuffer(new byte[] {HandshakeError.TYPE});
        try {
            assertThat(HandshakeError.is(serverHello)).isFalse();
            assertThat(HandshakeError.is(error)).isTrue();
            assertThat(error.readerIndex()).as("is() does not read").isZero();
        } finally {
            serverHello.release();
            error.release();
        }
    }
}
