package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.GatewayStats;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.Router;
import io.janus.core.spi.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Broadcaster} on {@link EmbeddedChannel}s, whose event loops run queued tasks only when the test
 * says so: one task per event loop, the encoded packet shared by every session and released exactly
 * once on every path (Netty's PARANOID leak detector fails the test otherwise), and the bound on fan-out
 * tasks queued for an event loop. The sessions' pipelines hold just the packet codec, so what a
 * session writes is the encoded packet the record layer would seal.
 */
class BroadcasterTest {

    private static final GatewayIdentity IDENTITY =
            GatewayIdentity.generate(SigningKey.generate(), "broadcaster-test", Duration.ofHours(1));

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private GatewayStats stats;
    private GatewayRuntime runtime;

    @AfterEach
    void release() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    private void runtime(SessionOptions options) {
        stats = new GatewayStats();
        Router router = (Router) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Router.class}, (proxy, method, args) -> null);
        Tunnel tunnel = (Tunnel) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Tunnel.class}, (proxy, method, args) -> null);
        runtime = new GatewayRuntime("gw", IDENTITY, ClientAttestation.NONE, options, stats,
                request -> CompletableFuture.completedFuture(Identity.of(1)), router, tunnel, OpenTelemetry.noop());
    }

    private DefaultSession session(long id, Channel channel) {
        DefaultSession session = new DefaultSession(id, channel, "test", runtime);
        session.loggedIn(new SessionInfo(id, "gw", "test", "local", Identity.of(id)));
        return session;
    }

    private DefaultSession embeddedSession(long id) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
        channels.add(channel);
        return session(id, channel);
    }

    private static Packet packet(int bodyBytes) {
        return Packet.newBuilder().setModule(9).setSeq(2).setBody(ByteString.copyFrom(new byte[bodyBytes])).build();
    }

    private static EmbeddedChannel embedded(DefaultSession session) {
        return (EmbeddedChannel) session.channel();
    }

    @Test
    void oneTaskPerEventLoopWritesTheSharedEncodingToEachSession() throws Exception {
        runtime(SessionOptions.builder().build());
        Broadcaster broadcaster = new Broadcaster();
        List<DefaultSession> sessions = List.of(embeddedSession(1), embeddedSession(2), embeddedSession(3));
        Packet packet = packet(64);

        CompletableFuture<Integer> taken = broadcaster.deliver(packet, sessions).toCompletableFuture();

        // Queued, not run: each event loop holds the encoded bytes of the broadcast in its backlog.
        assertThat(taken).isNotDone();
        for (DefaultSession s : sessions) {
            assertThat(broadcaster.backlog(s.channel().eventLoop())).isEqualTo(packet.getSerializedSize());
            assertThat(embedded(s).outboundMessages()).isEmpty();
        }
        for (DefaultSession s : sessions) {
            embedded(s).runPendingTasks();
        }
        assertThat(taken.get(1, TimeUnit.SECONDS)).isEqualTo(3);
        for (DefaultSession s : sessions) {
            assertThat(broadcaster.backlog(s.channel().eventLoop())).isZero();
            ByteBuf written = embedded(s).readOutbound();
            try {
                assertThat(PacketCodec.decode(written)).isEqualTo(packet);
            } finally {
                written.release();
            }
            assertThat(embedded(s).outboundMessages()).isEmpty();
        }
        assertThat(stats.traffic().snapshot().get("9").packetsOut()).isEqualTo(3);
    }

    @Test
    void closedSessionsAreSkippedAndCountedOut() throws Exception {
        runtime(SessionOptions.builder().build());
        Broadcaster broadcaster = new Broadcaster();
        DefaultSession open = embeddedSession(1);
        DefaultSession closed = embeddedSession(2);
        closed.close(Reason.KICKED, "test", false);

        CompletableFuture<Integer> taken = broadcaster.deliver(packet(10), List.of(open, closed)).toCompletableFuture();
        embedded(open).runPendingTasks();
        embedded(closed).runPendingTasks();

        assertThat(taken.get(1, TimeUnit.SECONDS)).isOne();
        ByteBuf written = embedded(open).readOutbound();
        written.release();
        assertThat(embedded(closed).outboundMessages()).isEmpty();
    }

    @Test
    void aBacklogPastMaxOutboundBytesCutsThatLoopsSessionsAsSlowConsumers() throws Exception {
        runtime(SessionOptions.builder().outboundWaterMarks(1024, 2048).maxOutboundBytes(4096).build());
        Broadcaster broadcaster = new Broadcaster();
        DefaultSession behind = embeddedSession(1);
        DefaultSession other = embeddedSession(2);
        Packet packet = packet(1000);

        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        // Four broadcasts of about 1 KiB stay under 4096 bytes queued for the loop: the fifth would not.
        for (int i = 0; i < 4; i++) {
            queued.add(broadcaster.deliver(packet, List.of(behind)).toCompletableFuture());
        }
        assertThat(behind.isClosing()).isFalse();
        assertThat(broadcaster.backlog(behind.channel().eventLoop())).isEqualTo(4L * packet.getSerializedSize());
        CompletableFuture<Integer> refused = broadcaster.deliver(packet, List.of(behind, other)).toCompletableFuture();

        // The loop that is behind: cut at once, without queuing; the other loop gets its task.
        assertThat(behind.closeReason()).isEqualTo(Reason.SLOW_CONSUMER);
        assertThat(stats.sessionsClosed(Reason.SLOW_CONSUMER)).isOne();
        embedded(other).runPendingTasks();
        assertThat(refused.get(1, TimeUnit.SECONDS)).isOne();
        ByteBuf written = embedded(other).readOutbound();
        written.release();

        // The queued tasks find the session closed (an EmbeddedChannel runs them as it closes): nothing
        // is written, every share is released.
        embedded(behind).runPendingTasks();
        for (CompletableFuture<Integer> f : queued) {
            assertThat(f.get(1, TimeUnit.SECONDS)).isZero();
        }
        assertThat(broadcaster.backlog(behind.channel().eventLoop())).isZero();
    }

    @Test
    void anEventLoopThatRefusesTheTaskReleasesItsShare() throws Exception {
        runtime(SessionOptions.builder().build());
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        LocalChannel channel = new LocalChannel();
        group.register(channel).syncUninterruptibly();
        DefaultSession session = session(1, channel);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        Broadcaster broadcaster = new Broadcaster();

        CompletableFuture<Integer> taken = broadcaster.deliver(packet(64), List.of(session)).toCompletableFuture();

        assertThat(taken.get(1, TimeUnit.SECONDS)).isZero();
        assertThat(broadcaster.backlog(channel.eventLoop())).isZero();
    }

    @Test
    void nobodyToDeliverToCompletesWithZeroAndEncodesNothing() throws Exception {
        runtime(SessionOptions.builder().build());
        assertThat(new Broadcaster().deliver(packet(64), List.of()).toCompletableFuture().get(1, TimeUnit.SECONDS))
                .isZero();
    }
}
