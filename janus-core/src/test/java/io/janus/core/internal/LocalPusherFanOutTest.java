package io.janus.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.api.LoginRequest;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.core.GatewayStats;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.ClientAttestation;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.crypto.TrafficCipher;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SecureClientHandler;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.Identity;
import io.janus.core.spi.Router;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.Tunnel;
import io.janus.core.session.SessionInfo;
import io.janus.core.transport.StreamFraming;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.opentelemetry.api.OpenTelemetry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's {@link Pusher#broadcast} and {@link Pusher#multicast} through the fan-out engine
 * ({@link Broadcaster}), end to end over real TCP on 127.0.0.1: a gateway runtime behind a Netty server
 * with the stream framing and two event loops, and real clients (the secure handshake, a login, AES-GCM
 * records) on their own event loop. Each client keeps what it receives.
 */
class LocalPusherFanOutTest {

    private static final SigningKey ROOT = SigningKey.generate();
    private static final GatewayIdentity IDENTITY = GatewayIdentity.generate(ROOT, "fanout-gw", Duration.ofHours(1));
    private static final int MODULE = 7;
    private static final long AWAIT_SECONDS = 10;

    private final List<EventLoopGroup> groups = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private GatewayRuntime runtime;
    private GatewayStats stats;
    private InetSocketAddress address;

    @AfterEach
    void stop() throws Exception {
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
        for (EventLoopGroup group : groups) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A client of the test: its channel and the game packets it received, in order. */
    private static final class Client {
        final long playerId;
        final BlockingQueue<Packet> received = new LinkedBlockingQueue<>(100_000);
        final CompletableFuture<Packet> loggedIn = new CompletableFuture<>();
        Channel channel;

        Client(long playerId) {
            this.playerId = playerId;
        }

        Packet next() throws InterruptedException {
            Packet p = received.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(p).as("a packet for player %d within %d s", playerId, AWAIT_SECONDS).isNotNull();
            return p;
        }
    }

    private void startGateway(SessionOptions options) {
        stats = new GatewayStats();
        // Tokens are "player:zone:color" for this test.
        runtime = new GatewayRuntime("fanout-gw", IDENTITY, ClientAttestation.NONE, options, stats, request -> {
            String[] parts = request.token().split(":");
            return CompletableFuture.completedFuture(
                    Identity.of(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), parts[2]));
        }, new NoRouter(), new NoTunnel(), OpenTelemetry.noop());
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        groups.add(boss);
        groups.add(workers);
        Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, 8 * 1024)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        StreamFraming.install(ch.pipeline(), options.maxFrameLength());
                        runtime.initSession(ch, "tcp");
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
        channels.add(server);
        address = (InetSocketAddress) server.localAddress();
    }

    private static SessionOptions.Builder options() {
        return SessionOptions.builder().idleTimeout(Duration.ofMinutes(5)).heartbeatInterval(Duration.ofMinutes(1));
    }

    private List<Client> connect(int count, String zoneAndColor, boolean acceptCompression) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        groups.add(group);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Client client = new Client(1000 + channels.size());
            SecureClientHandler secure = new SecureClientHandler(List.of(ROOT.publicKey()), Clock.systemUTC(),
                    Duration.ofMinutes(5), acceptCompression, 1 << 20, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
            client.channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 8 * 1024)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            StreamFraming.install(ch.pipeline(), 1 << 20);
                            ch.pipeline().addLast(SecureClientHandler.name(), secure)
                                    .addLast(PacketCodec.NAME, PacketCodec.INSTANCE)
                                    .addLast("collect", new SimpleChannelInboundHandler<Packet>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
                                            if (SystemPackets.is(p, SystemSeq.LOGIN)) {
                                                client.loggedIn.complete(p);
                                            } else if (p.getModule() == MODULE) {
                                                client.received.add(p);
                                            }
                                        }
                                    });
                        }
                    })
                    .connect(address).syncUninterruptibly().channel();
            channels.add(client.channel);
            secure.handshakeFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS);
            client.channel.writeAndFlush(SystemPackets.packet(SystemSeq.LOGIN, 1,
                    LoginRequest.newBuilder().setToken(client.playerId + ":" + zoneAndColor).build()));
            Packet answer = client.loggedIn.get(AWAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(answer.getStatus()).as("login of player %d", client.playerId).isZero();
            clients.add(client);
        }
        return clients;
    }

    private static Push push(String body) {
        return Push.of(MODULE, 1, ByteString.copyFromUtf8(body));
    }

    private static int await(java.util.concurrent.CompletionStage<Integer> stage) throws Exception {
        return stage.toCompletableFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void broadcastReachesEverySessionOnceInOrderWithSinglePushes() throws Exception {
        startGateway(options().build());
        List<Client> clients = connect(6, "1:red", false);
        Pusher pusher = runtime.localPusher();
        // Sessions spread over both server event loops, so the broadcast is two tasks.
        Set<Object> loops = new HashSet<>();
        for (Client c : clients) {
            loops.add(runtime.registry().sessionOfPlayer(c.playerId).channel().eventLoop());
        }
        assertThat(loops).hasSize(2);

        for (Client c : clients) {
            assertThat(await(pusher.pushToPlayer(c.playerId, push("before")).thenApply(b -> b ? 1 : 0))).isOne();
        }
        List<CompletableFuture<Integer>> counts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            counts.add(pusher.broadcast(push("b" + i), Audience.all()).toCompletableFuture());
        }
        for (Client c : clients) {
            pusher.pushToPlayer(c.playerId, push("after"));
        }
        for (CompletableFuture<Integer> count : counts) {
            assertThat(count.get(AWAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(clients.size());
        }
        for (Client c : clients) {
            assertThat(c.next().getBody().toStringUtf8()).isEqualTo("before");
            for (int i = 0; i < 50; i++) {
                Packet p = c.next();
                assertThat(p.getBody().toStringUtf8()).isEqualTo("b" + i);
                assertThat(p.getModule()).isEqualTo(MODULE);
                assertThat(p.getSeq()).isEqualTo(1);
            }
            assertThat(c.next().getBody().toStringUtf8()).isEqualTo("after");
            assertThat(c.received).as("nothing delivered twice").isEmpty();
        }
        // Counted per delivery in the traffic statistics, as single pushes are: 6 x (1 + 50 + 1).
        assertThat(stats.traffic().snapshot().get(io.janus.core.ModuleTraffic.label(MODULE)).packetsOut())
                .isEqualTo(6L * 52);
    }

    @Test
    void audienceAndMulticastPickTheirSessions() throws Exception {
        startGateway(options().build());
        List<Client> reds = connect(3, "1:red", false);
        List<Client> blues = connect(2, "2:blue", false);
        Pusher pusher = runtime.localPusher();

        assertThat(await(pusher.broadcast(push("zone2"), Audience.zone(2)))).isEqualTo(2);
        assertThat(await(pusher.broadcast(push("red"), Audience.color("red")))).isEqualTo(3);
        assertThat(await(pusher.broadcast(push("none"), Audience.zoneAndColor(1, "blue")))).isZero();
        // Duplicates and unknown players: each session of the list once.
        long red0 = reds.get(0).playerId;
        long blue0 = blues.get(0).playerId;
        assertThat(await(pusher.multicast(Arrays.asList(red0, blue0, red0, 999_999L), push("multi")))).isEqualTo(2);

        for (Client c : blues) {
            assertThat(c.next().getBody().toStringUtf8()).isEqualTo("zone2");
        }
        for (Client c : reds) {
            assertThat(c.next().getBody().toStringUtf8()).isEqualTo("red");
        }
        assertThat(reds.get(0).next().getBody().toStringUtf8()).isEqualTo("multi");
        assertThat(blues.get(0).next().getBody().toStringUtf8()).isEqualTo("multi");
        // Nothing else arrives: a last broadcast to all is the next packet of every client.
        assertThat(await(pusher.broadcast(push("end"), Audience.all()))).isEqualTo(5);
        for (Client c : concat(reds, blues)) {
            assertThat(c.next().getBody().toStringUtf8()).isEqualTo("end");
            assertThat(c.received).isEmpty();
        }
    }

    @Test
    void sessionsWithCompressionGetTheSameBroadcast() throws Exception {
        startGateway(options().compressionThreshold(256).build());
        List<Client> compressing = connect(2, "1:red", true);
        List<Client> plain = connect(2, "1:red", false);
        String large = "the same words again and again; ".repeat(64);
        Pusher pusher = runtime.localPusher();

        assertThat(await(pusher.broadcast(push(large), Audience.all()))).isEqualTo(4);
        assertThat(await(pusher.broadcast(push("small"), Audience.all()))).isEqualTo(4);
        for (Client c : concat(compressing, plain)) {
            Packet p = c.next();
            assertThat(p.getBody().toStringUtf8()).isEqualTo(large);
            assertThat(p.getFlags()).as("inflated by the client").isZero();
            assertThat(c.next().getBody().toStringUtf8()).isEqualTo("small");
        }
    }

    @Test
    void aClientThatDoesNotReadIsCutWhileTheOthersReceiveEverything() throws Exception {
        startGateway(options().outboundWaterMarks(8 * 1024, 16 * 1024).maxOutboundBytes(64 * 1024).build());
        List<Client> readers = connect(3, "1:red", false);
        Client stalled = connect(1, "1:red", false).get(0);
        DefaultSession stalledSession = runtime.registry().sessionOfPlayer(stalled.playerId);
        stalled.channel.config().setAutoRead(false);
        Pusher pusher = runtime.localPusher();

        byte[] body = new byte[16 * 1024];
        new SecureRandom().nextBytes(body);
        int rounds = 0;
        // At most 400 rounds of 16 KiB (6.4 MB): far more than 64 KiB plus the sockets' buffers.
        while (!stalledSession.closeFuture().isDone() && rounds < 400) {
            byte[] numbered = body.clone();
            numbered[0] = (byte) rounds;
            numbered[1] = (byte) (rounds >> 8);
            int taken = await(pusher.broadcast(Push.of(MODULE, 1, ByteString.copyFrom(numbered)), Audience.all()));
            assertThat(taken).isBetween(readers.size(), readers.size() + 1);
            // The readers keep up: each has this round before the next is sent.
            for (Client c : readers) {
                Packet p = c.next();
                assertThat(p.getBody().byteAt(0)).isEqualTo((byte) rounds);
                assertThat(p.getBody().byteAt(1)).isEqualTo((byte) (rounds >> 8));
            }
            rounds++;
        }
        assertThat(stalledSession.closeFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Reason.SLOW_CONSUMER);
        assertThat(stats.sessionsClosed(Reason.SLOW_CONSUMER)).isOne();
        assertThat(rounds).as("rounds until the stalled client was cut").isLessThan(400);
        // The others still receive, and the cut session is no longer counted.
        assertThat(await(pusher.broadcast(push("still here"), Audience.all()))).isEqualTo(readers.size());
        for (Client c : readers) {
            assertThat(c.next().getBody().toStringUtf8()).isEqualTo("still here");
            assertThat(c.channel.isActive()).isTrue();
        }
    }

    private static List<Client> concat(List<Client> a, List<Client> b) {
        List<Client> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The tests send no game requests. */
    private static final class NoRouter implements Router {
        @Override
        public java.util.concurrent.CompletionStage<ServiceInstance> route(SessionInfo session, int module, long obj) {
            return CompletableFuture.failedFuture(new IllegalStateException("no routes in this test"));
        }

        @Override
        public void close() {
        }
    }

    /** The tests send no game requests. */
    private static final class NoTunnel implements Tunnel {
        @Override
        public java.util.concurrent.CompletionStage<Packet> request(SessionInfo session, ServiceInstance instance,
                Packet packet) {
            return CompletableFuture.failedFuture(new IllegalStateException("no tunnel in this test"));
        }

        @Override
        public void sessionClosed(SessionInfo session) {
        }

        @Override
        public void close() {
        }
    }
}
