package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.protocol.ClientHello;
import io.janus.core.protocol.HandshakeError;
import io.janus.core.transport.EventLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Floods and slow clients against a real gateway on loopback: each is cut where its limit says, and
 * honest players keep being served meanwhile. Every loop is bounded in count and time; all traffic
 * stays on 127.0.0.0/8.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AbuseResistanceTest {

    private EventLoopGroup attackers;
    private Gateway gateway;
    private JanusClient client;

    @BeforeEach
    void startLoops() {
        attackers = EventLoops.newGroup(1, "attacker");
        client = TestKeys.client().build();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        client.close();
        attackers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void start(SessionOptions options) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(options)
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** A raw attacker connection with 4-byte framing, from a chosen loopback source address. */
    private Channel attacker(String source, SimpleChannelInboundHandler<ByteBuf> reader) {
        return new Bootstrap().group(attackers).channel(EventLoops.socketChannel(attackers))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
                                new LengthFieldPrepender(4), reader);
                    }
                })
                .connect(gateway.address("tcp"), new InetSocketAddress(source, 0))
                .syncUninterruptibly().channel();
    }

    private ByteString echo(ClientSession session, String text) {
        return session.request(TestGame.MODULE, TestGame.ECHO, ByteString.copyFromUtf8(text))
                .orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void slowlorisConnectionsAreAllCutAtTheHandshakeDeadlineWhileHonestPlayersPlay() {
        int connections = 1000;
        start(SessionOptions.builder().loginTimeout(Duration.ofSeconds(3)).maxConnectionsPerIp(200)
                .handshakeRatePerIp(1000, 200).handshakeRate(10_000).build());
        long heapBefore = usedHeapAfterGc();
        List<Channel> slow = new ArrayList<>();
        AtomicInteger refusedWithTimeout = new AtomicInteger();
        SimpleChannelInboundHandler<ByteBuf> reader = new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                if (HandshakeError.is(frame) && HandshakeError.parse(frame).reason() == Reason.HANDSHAKE_TIMEOUT) {
                    refusedWithTimeout.incrementAndGet();
                }
            }
        };
        // 1,000 connections spread over five loopback addresses (the per-address limit is 200).
        for (int i = 0; i < connections; i++) {
            Channel ch = attacker("127.0.0." + (10 + i % 5), new SimpleChannelInboundHandler<ByteBuf>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws Exception {
                    reader.channelRead(ctx, frame.retain());
                }
            });
            slow.add(ch);
        }
        // One byte a second on each, three times: a frame header that never completes.
        AtomicInteger rounds = new AtomicInteger();
        attackers.scheduleAtFixedRate(() -> {
            if (rounds.incrementAndGet() > 3) {
                return;
            }
            for (Channel ch : slow) {
                if (ch.isActive()) {
                    ch.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                }
            }
        }, 0, 1, TimeUnit.SECONDS);

        // Honest players connect and play while the slow connections hang on.
        ClientSession honest = client.connect(gateway.address("tcp"), "player-1").orTimeout(10, TimeUnit.SECONDS)
                .join();
        assertThat(echo(honest, "still served")).isEqualTo(ByteString.copyFromUtf8("still served"));

        await().atMost(Duration.ofSeconds(20)).until(() -> slow.stream().noneMatch(Channel::isActive));
        assertThat(gateway.stats().sessionsClosed(Reason.HANDSHAKE_TIMEOUT)).isEqualTo(connections);
        assertThat(refusedWithTimeout.get()).isEqualTo(connections);
        assertThat(echo(honest, "after")).isEqualTo(ByteString.copyFromUtf8("after"));
        assertThat(gateway.sessions().size()).isEqualTo(1);
        assertThat(usedHeapAfterGc() - heapBefore).as("heap growth in bytes").isLessThan(32L << 20);
    }

    @Test
    void handshakeFloodFromOneAddressIsRefusedBeforeAnyCryptographicWork() {
        start(SessionOptions.builder().handshakeRatePerIp(5, 5).build());
        int flood = 200;
        AtomicInteger serverHellos = new AtomicInteger();
        AtomicInteger rateLimited = new AtomicInteger();
        SimpleChannelInboundHandler<ByteBuf> reader = new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                if (HandshakeError.is(frame)) {
                    if (HandshakeError.parse(frame).reason() == Reason.HANDSHAKE_RATE_LIMITED) {
                        rateLimited.incrementAndGet();
                    }
                } else {
                    serverHellos.incrementAndGet();
                }
            }
        };
        byte[] hello = ClientHello.create(EphemeralKey.generate(new SecureRandom()), new byte[32], false).encoded();
        List<Channel> channels = new ArrayList<>();
        long floodStart = System.nanoTime();
        for (int i = 0; i < flood; i++) {
            Channel ch = attacker("127.0.0.20", new SimpleChannelInboundHandler<ByteBuf>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws Exception {
                    reader.channelRead(ctx, frame.retain());
                }
            });
            ch.writeAndFlush(Unpooled.wrappedBuffer(hello));
            channels.add(ch);
        }
        double floodSeconds = (System.nanoTime() - floodStart) / 1e9;

        // An honest player from another address is not affected.
        ClientSession honest = client.connect(gateway.address("tcp"), "player-1").orTimeout(10, TimeUnit.SECONDS)
                .join();
        assertThat(echo(honest, "fine")).isEqualTo(ByteString.copyFromUtf8("fine"));

        await().atMost(Duration.ofSeconds(10)).until(() -> serverHellos.get() + rateLimited.get() == flood);
        // The burst of 5 got a handshake, plus the tokens that refilled (5 a second) while the loop ran;
        // every other connection was refused with a HandshakeError, never a ServerHello: no X25519 work.
        assertThat(serverHellos.get()).isBetween(5, 5 + (int) Math.ceil(floodSeconds * 5) + 1);
        assertThat(rateLimited.get()).isEqualTo(flood - serverHellos.get());
        assertThat(gateway.stats().sessionsClosed(Reason.HANDSHAKE_RATE_LIMITED)).isEqualTo(rateLimited.get());
        channels.forEach(Channel::close);
    }

    @Test
    void requestFloodIsAnsweredWithRateLimitedAndTheSessionStays() {
        start(SessionOptions.builder().requestRate(20, 20, SessionOptions.RateLimitPolicy.REJECT).build());
        ClientSession session = client.connect(gateway.address("tcp"), "player-1").orTimeout(10, TimeUnit.SECONDS)
                .join();

        List<CompletableFuture<ByteString>> answers = new ArrayList<>();
        long floodStart = System.nanoTime();
        for (int i = 0; i < 60; i++) {
            answers.add(session.request(TestGame.MODULE, TestGame.ECHO, TestGame.intBody(i)));
        }
        int ok = 0;
        int limited = 0;
        for (CompletableFuture<ByteString> answer : answers) {
            try {
                answer.orTimeout(10, TimeUnit.SECONDS).join();
                ok++;
            } catch (CompletionException e) {
                assertThat(JanusException.find(e).reason()).isEqualTo(Reason.RATE_LIMITED);
                limited++;
            }
        }

        // The burst of 20, plus what refilled (20 a second) while the gateway took the 60 requests,
        // which it did between the first send and the last answer.
        double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
        assertThat(ok).isBetween(20, 20 + (int) Math.ceil(floodSeconds * 20) + 1);
        assertThat(limited).isEqualTo(60 - ok);
        assertThat(gateway.stats().requestsFailed(Reason.RATE_LIMITED)).isEqualTo(limited);
        await().atMost(Duration.ofSeconds(3)).ignoreExceptions()
                .until(() -> echo(session, "later").equals(ByteString.copyFromUtf8("later")));
    }

    @Test
    void requestFloodDisconnectsWhenThePolicySaysSo() {
        start(SessionOptions.builder().requestRate(20, 20, SessionOptions.RateLimitPolicy.DISCONNECT).build());
        ClientSession session = client.connect(gateway.address("tcp"), "player-1").orTimeout(10, TimeUnit.SECONDS)
                .join();

        for (int i = 0; i < 60 && session.isActive(); i++) {
            session.request(TestGame.MODULE, TestGame.ECHO, TestGame.intBody(i));
        }

        assertThat(session.closeFuture().orTimeout(10, TimeUnit.SECONDS).join().reason())
                .isEqualTo(Reason.RATE_LIMITED);
        assertThat(gateway.stats().sessionsClosed(Reason.RATE_LIMITED)).isEqualTo(1);
    }
}
