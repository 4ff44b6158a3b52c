package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.janus.api.Audience;
import io.janus.api.Packet;
import io.janus.api.PlayerList;
import io.janus.api.PushReply;
import io.janus.api.PushRequest;
import io.janus.api.PushServiceGrpc;
import io.janus.api.Reason;
import io.janus.client.conformance.RawConnection;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.AuthenticationException;
import io.janus.core.Gateway;
import io.janus.core.push.PushServer;
import io.janus.core.spi.Authenticator;
import io.janus.core.spi.Identity;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's push service (push.proto) over real gRPC and real loopback TCP sessions: a multicast
 * reaches each named player once, a broadcast reaches exactly its audience, and malformed requests are
 * refused with a gRPC status, the reason in the {@code janus-reason} trailer and a counter.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PushServiceTest {

    private static final Metadata.Key<String> REASON =
            Metadata.Key.of(PushServer.REASON_KEY, Metadata.ASCII_STRING_MARSHALLER);

    private static EventLoopGroup clientGroup;

    private Gateway gateway;
    private ManagedChannel channel;
    private PushServiceGrpc.PushServiceBlockingStub stub;
    private final List<RawConnection> connections = new ArrayList<>();

    @BeforeAll
    static void startClientLoops() {
        clientGroup = EventLoops.newGroup(1, "push-client");
    }

    @AfterAll
    static void stopClientLoops() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Tokens "p-{player}-{zone}-{color}". */
    private static Authenticator zoned() {
        return request -> {
            String[] parts = request.token().split("-");
            if (parts.length != 4 || !parts[0].equals("p")) {
                return CompletableFuture.failedFuture(new AuthenticationException(Reason.TOKEN_INVALID, "bad token"));
            }
            return CompletableFuture.completedFuture(
                    Identity.of(Long.parseLong(parts[1]), Integer.parseInt(parts[2]), parts[3]));
        };
    }

    @BeforeEach
    void start() {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(zoned())
                .game(TestGame.handlers())
                .pushService(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        channel = NettyChannelBuilder.forAddress(gateway.pushAddress()).usePlaintext().build();
        stub = PushServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        connections.forEach(RawConnection::close);
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private RawConnection login(long player, int zone, String color) throws Exception {
        RawConnection conn = RawConnection.connectSecure(new TcpClientTransport(5000), gateway.address("tcp"),
                clientGroup);
        connections.add(conn);
        conn.login("p-" + player + "-" + zone + "-" + color);
        Packet answer = conn.poll(Duration.ofSeconds(5));
        assertThat(answer.getStatus()).as("login of %s", player).isZero();
        return conn;
    }

    private static Packet message(String text) {
        return Packet.newBuilder().setModule(TestGame.MODULE).setSeq(TestGame.PUSH_SEQ).setObj(42)
                .setBody(ByteString.copyFromUtf8(text)).build();
    }

    private static void assertPushed(RawConnection conn, String text) throws InterruptedException {
        Packet push = conn.poll(Duration.ofSeconds(5));
        assertThat(push).as("the push").isNotNull();
        assertThat(push.getIndex()).isZero();
        assertThat(push.getModule()).isEqualTo(TestGame.MODULE);
        assertThat(push.getSeq()).isEqualTo(TestGame.PUSH_SEQ);
        assertThat(push.getObj()).isEqualTo(42);
        assertThat(push.getBody().toStringUtf8()).isEqualTo(text);
    }

    @Test
    void aMulticastReachesEachNamedPlayerOnce() throws Exception {
        RawConnection one = login(1, 0, "red");
        RawConnection two = login(2, 0, "red");
        RawConnection three = login(3, 0, "red");

        PushReply reply = stub.push(PushRequest.newBuilder().setPacket(message("hello"))
                .setPlayers(PlayerList.newBuilder().addPlayerIds(1).addPlayerIds(2).addPlayerIds(2).addPlayerIds(99))
                .build());

        assertThat(reply.getAccepted()).as("players 1 and 2; 99 is not connected").isEqualTo(2);
        assertPushed(one, "hello");
        assertPushed(two, "hello");
        // Absence can only be observed over a bounded window.
        assertThat(two.poll(Duration.ofMillis(200))).as("a second copy for the repeated id").isNull();
        assertThat(three.poll(Duration.ofMillis(200))).as("a push to a player not named").isNull();
        assertThat(gateway.stats().pushes()).isEqualTo(1);
    }

    @Test
    void aBroadcastReachesExactlyItsAudience() throws Exception {
        RawConnection zone1Red = login(11, 1, "red");
        RawConnection zone1Blue = login(12, 1, "blue");
        RawConnection zone2Red = login(13, 2, "red");

        PushReply reply = stub.push(PushRequest.newBuilder().setPacket(message("zone 1"))
                .setBroadcast(Audience.newBuilder().setZone(1)).build());
        assertThat(reply.getAccepted()).isEqualTo(2);
        assertPushed(zone1Red, "zone 1");
        assertPushed(zone1Blue, "zone 1");

        reply = stub.push(PushRequest.newBuilder().setPacket(message("red in 1"))
                .setBroadcast(Audience.newBuilder().setZone(1).setColor("red")).build());
        assertThat(reply.getAccepted()).isEqualTo(1);
        assertPushed(zone1Red, "red in 1");

        reply = stub.push(PushRequest.newBuilder().setPacket(message("everyone"))
                .setBroadcast(Audience.getDefaultInstance()).build());
        assertThat(reply.getAccepted()).isEqualTo(3);
        assertPushed(zone1Red, "everyone");
        assertPushed(zone1Blue, "everyone");
        assertPushed(zone2Red, "everyone");
        assertThat(zone1Blue.poll(Duration.ofMillis(200))).as("the zone-1 red broadcast").isNull();
        assertThat(zone2Red.poll(Duration.ofMillis(200))).as("the zone-1 broadcasts").isNull();
    }

    @Test
    void malformedRequestsAreRefusedWithTheirReason() {
        assertRefused(PushRequest.newBuilder().setPlayers(PlayerList.newBuilder().addPlayerIds(1)).build(),
                Status.Code.INVALID_ARGUMENT, Reason.PUSH_INVALID);
        assertRefused(PushRequest.newBuilder().setPacket(message("x").toBuilder().setModule(0))
                .setPlayers(PlayerList.newBuilder().addPlayerIds(1)).build(),
                Status.Code.INVALID_ARGUMENT, Reason.PUSH_INVALID);
        assertRefused(PushRequest.newBuilder().setPacket(message("no target")).build(),
                Status.Code.INVALID_ARGUMENT, Reason.PUSH_INVALID);
        assertRefused(PushRequest.newBuilder().setPacket(message("x").toBuilder()
                        .setBody(ByteString.copyFrom(new byte[gateway.options().maxFrameLength()])))
                .setBroadcast(Audience.getDefaultInstance()).build(),
                Status.Code.INVALID_ARGUMENT, Reason.PUSH_INVALID);
        assertRefused(PushRequest.newBuilder().setPacket(message("many"))
                .setPlayers(PlayerList.newBuilder().addAllPlayerIds(LongStream.rangeClosed(1, PushServer.MAX_PLAYERS + 1)
                        .boxed().collect(Collectors.toList()))).build(),
                Status.Code.INVALID_ARGUMENT, Reason.PUSH_TOO_MANY_TARGETS);

        assertThat(gateway.stats().pushesRejected(Reason.PUSH_INVALID)).isEqualTo(4);
        assertThat(gateway.stats().pushesRejected(Reason.PUSH_TOO_MANY_TARGETS)).isEqualTo(1);
        assertThat(gateway.stats().pushes()).isZero();
    }

    private void assertRefused(PushRequest request, Status.Code code, Reason reason) {
        StatusRuntimeException e = catchThrowableOfType(() -> stub.push(request), StatusRuntimeException.class);
        assertThat(e).as("refusal of %s", reason).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).startsWith(reason.name() + ": ");
        assertThat(e.getTrailers().get(REASON)).isEqualTo(reason.name());
    }
}
