package io.janus.core.tunnel.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.janus.api.Packet;
import io.janus.api.TunnelDown;
import io.janus.api.TunnelGrpc;
import io.janus.api.TunnelUp;
import io.janus.core.game.GameHandlers;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a game service hears that a session ended: a real {@link GameServiceServer} with two services and
 * a raw gRPC client playing the gateways. A session's close listeners run when its last stream ends, not
 * when one of several does, and not when the stream ends with a handover marker (tunnel.proto,
 * {@code TunnelUp.handover}: the session moved to another gateway, whose stream continues it).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GameServiceServerStreamsTest {

    private final List<Long> closed = new CopyOnWriteArrayList<>();
    private final List<String> answered = new CopyOnWriteArrayList<>();
    private GameServiceServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        GameHandlers.Builder handlers = GameHandlers.builder()
                .onNonBlocking(1, 1, req -> req.body())
                .onSessionClosed(info -> closed.add(info.sessionId()));
        server = GameServiceServer.builder()
                .service("player", handlers.build())
                .service("room", GameHandlers.builder().onNonBlocking(2, 1, req -> req.body()).build())
                .threads(1).build();
        server.start().get(10, TimeUnit.SECONDS);
        channel = NettyChannelBuilder.forAddress(server.address()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    private static SessionInfo session(long id, String gateway) {
        return new SessionInfo(id, gateway, "tcp", "127.0.0.1:1", Identity.of(id + 1000));
    }

    /** Opens a stream as a gateway would, and sends one call on it. */
    private StreamObserver<TunnelUp> open(SessionInfo session, String service, int module) {
        StreamObserver<TunnelUp> up = TunnelGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(TunnelHeaders.of(session, service)))
                .open(new StreamObserver<TunnelDown>() {
                    @Override
                    public void onNext(TunnelDown down) {
                        answered.add(service + " " + down.getAnswer().getPacket().getBody().toStringUtf8());
                    }

                    @Override
                    public void onError(Throwable t) {
                        answered.add(service + " error");
                    }

                    @Override
                    public void onCompleted() {
                        answered.add(service + " completed");
                    }
                });
        up.onNext(TunnelUp.newBuilder().setCallId(1).setPacket(Packet.newBuilder().setModule(module).setSeq(1)
                .setIndex(1).setBody(ByteString.copyFromUtf8(service))).build());
        return up;
    }

    @Test
    void aSessionWithStreamsToTwoServicesClosesWhenItsLastStreamEnds() {
        SessionInfo s = session(1, "gw-a");
        StreamObserver<TunnelUp> player = open(s, "player", 1);
        StreamObserver<TunnelUp> room = open(s, "room", 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> answered.containsAll(List.of("player player", "room room")));
        assertThat(answered).as("the second stream did not end the first").doesNotContain("player error");

        room.onCompleted();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openStreams() == 1);
        assertThat(closed).isEmpty();

        player.onCompleted();
        await().atMost(Duration.ofSeconds(5)).until(() -> closed.contains(1L));
        assertThat(closed).containsExactly(1L);
        assertThat(server.openStreams()).isZero();
    }

    @Test
    void aStreamEndedWithAHandoverLeavesTheSessionToTheNewGatewaysStream() {
        SessionInfo onA = session(2, "gw-a");
        StreamObserver<TunnelUp> fromA = open(onA, "player", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> answered.contains("player player"));

        fromA.onNext(TunnelUp.newBuilder().setHandover(true).build());
        fromA.onCompleted();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openStreams() == 0);
        assertThat(closed).as("moved, not closed").isEmpty();

        StreamObserver<TunnelUp> fromB = open(session(2, "gw-b"), "player", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openStreams() == 1);
        fromB.onCompleted();
        await().atMost(Duration.ofSeconds(5)).until(() -> closed.contains(2L));
        assertThat(closed).containsExactly(2L);
    }

    @Test
    void theNewGatewaysStreamMayOpenBeforeTheOldOneEnds() {
        StreamObserver<TunnelUp> fromA = open(session(3, "gw-a"), "player", 1);
        StreamObserver<TunnelUp> fromB = open(session(3, "gw-b"), "player", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openStreams() == 2);

        fromA.onNext(TunnelUp.newBuilder().setHandover(true).build());
        fromA.onCompleted();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openStreams() == 1);
        assertThat(closed).isEmpty();
        assertThat(server.pusher().pushToSession(3, io.janus.core.game.Push.of(1, 5, ByteString.EMPTY))
                .toCompletableFuture().join()).as("pushes go to the remaining stream").isTrue();

        fromB.onCompleted();
        await().atMost(Duration.ofSeconds(5)).until(() -> closed.contains(3L));
        assertThat(closed).containsExactly(3L);
    }
}
