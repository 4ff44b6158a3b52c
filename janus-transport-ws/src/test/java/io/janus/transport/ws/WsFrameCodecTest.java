package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link WsFrameCodec} on an {@link EmbeddedChannel}: messages in and out, and every failure path releases. */
class WsFrameCodecTest {

    private static final int MAX = 100;

    private EmbeddedChannel channel;
    private final List<Throwable> failures = new ArrayList<>();

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel(new WsFrameCodec(MAX, 0, 0), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failures.add(cause); // the session pipeline would close; the tests close when they want

            }
        });
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private Reason failure() {
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).isInstanceOf(ProtocolException.class);
        return ((ProtocolException) failures.get(0)).reason();
    }

    /** Closes the channel, as the session pipeline does, and returns the close frame's code. */
    private int closeCodeWritten() {
        channel.close();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            if (out instanceof CloseWebSocketFrame) {
                int code = ((CloseWebSocketFrame) out).statusCode();
                ((CloseWebSocketFrame) out).release();
                return code;
            }
            io.netty.util.ReferenceCountUtil.release(out);
        }
        return -1;
    }

    @Test
    void binaryMessageIsOneFrameBody() {
        channel.writeInbound(new BinaryWebSocketFrame(bytes("hello")));

        ByteBuf in = channel.readInbound();
        assertThat(in.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        in.release();
    }

    @Test
    void fragmentedMessageIsReassembledIntoOneFrameBody() {
        channel.writeInbound(new BinaryWebSocketFrame(false, 0, bytes("he")));
        channel.writeInbound(new ContinuationWebSocketFrame(false, 0, bytes("ll")));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, bytes("o")));

        ByteBuf in = channel.readInbound();
        assertThat(in.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        in.release();
    }

    @Test
    void fragmentsOverTheLimitAreRefusedWith1009AndReleased() {
        channel.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[60])));
        channel.writeInbound(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[41])));

        assertThat(failure()).isEqualTo(Reason.FRAME_TOO_LARGE);
        // Later frames are dropped (and released: the leak detector would fail the test otherwise).
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, bytes("late")));
        channel.writeInbound(new BinaryWebSocketFrame(bytes("next")));
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(closeCodeWritten()).isEqualTo(1009);
    }

    @Test
    void textMessageIsRefusedWith1003() {
        channel.writeInbound(new TextWebSocketFrame("hi"));

        assertThat(failure()).isEqualTo(Reason.WS_UNSUPPORTED_DATA);
        assertThat(closeCodeWritten()).isEqualTo(1003);
    }

    @Test
    void pingIsAnsweredWithItsData() {
        channel.writeInbound(new PingWebSocketFrame(bytes("p")));

        PongWebSocketFrame pong = channel.readOutbound();
        assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("p");
        pong.release();
    }

    @Test
    void outboundBuffersBecomeBinaryMessagesAndNothingFollowsTheCloseFrame() {
        channel.writeOutbound(bytes("out"));
        BinaryWebSocketFrame frame = channel.readOutbound();
        assertThat(frame.content().toString(StandardCharsets.UTF_8)).isEqualTo("out");
        frame.release();

        assertThat(closeCodeWritten()).isEqualTo(1000);
        ChannelFuture late = channel.writeAndFlush(bytes("late"));
        assertThat(late.isSuccess()).isFalse();
    }
}
