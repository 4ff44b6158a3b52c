package io.janus.transport.tcp.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.janus.api.Reason;
import io.janus.api.TunnelDown;
import io.janus.api.TunnelGrpc;
import io.janus.api.TunnelUp;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.SessionOptions;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.game.GameHandlers;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.tunnel.grpc.GameServiceServer;
import io.janus.transport.tcp.TcpTransport;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Remote game services through real gRPC servers on loopback: an instance dying mid-traffic, a service
 * that stops reading its streams, kicks and moves sent by the service, and a request's trace continued
 * in the game service.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteGameServiceTest {

    private static final int MODULE = 3;
    private static final int WHO = 1;    // answers with the serving instance's id
    private static final int GATED = 2;  // blocks until the test opens the gate
    private static final int KICK_ME = 3;
    private static final int MOVE_ME = 4;
    private static final int TRACED = 5;

    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Semaphore started = new Semaphore(0);
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private Gateway gateway;
    private JanusClient client;

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
        sdk.close();
    }

    private GameHandlers handlers(String id) {
        return GameHandlers.builder()
                .onNonBlocking(MODULE, WHO, request -> ByteString.copyFromUtf8(id))
                .on(MODULE, GATED, request -> {
                    started.release();
                    try {
                        gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ByteString.copyFromUtf8(id);
                })
                .onNonBlocking(MODULE, KICK_ME, request -> {
                    request.pusher().kick(request.session().playerId(), Reason.BANNED, "cheating");
                    return ByteString.EMPTY;
                })
                .onNonBlocking(MODULE, MOVE_ME, request -> ByteString.EMPTY)
                .on(MODULE, TRACED, request -> {
                    Span span = sdk.getTracer("game").spanBuilder("game.remote").startSpan();
                    span.end();
                    return ByteString.copyFromUtf8(id);
                })
                .build();
    }

    private GameServiceServer service(String id) {
        GameServiceServer server = GameServiceServer.builder().instanceId(id).service("game", handlers(id))
                .threads(1).build();
        server.start().orTimeout(10, TimeUnit.SECONDS).join();
        closeLast.add(server);
        return server;
    }

    private static ServiceInstance instance(String id, InetSocketAddress address) {
        return ServiceInstance.of("game", id, address.getAddress().getHostAddress() + ":" + address.getPort(), Map.of());
    }

    private void startGateway(StaticDiscovery discovery, Duration requestTimeout, Map<String, String> tunnel) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .tunnel("grpc", tunnel)
                .discovery(discovery)
                .routes(ModuleRoutes.builder().defaultService("game").build())
                .sessionOptions(SessionOptions.builder().requestTimeout(requestTimeout).build())
                .openTelemetry(sdk)
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().requestTimeout(Duration.ofSeconds(30)).build();
    }

    private ClientSession connect(long player) {
        return client.connect(gateway.address("tcp"), "player-" + player).orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static String who(ClientSession session) {
        return session.request(MODULE, WHO, ByteString.EMPTY).orTimeout(10, TimeUnit.SECONDS).join().toStringUtf8();
    }

    private static Reason reasonOf(Throwable t) {
        JanusException known = JanusException.find(t);
        return known == null ? null : known.reason();
    }

    @Test
    void anInstanceDyingFailsItsCallsInFlightAndTheSessionContinuesOnAnother() {
        GameServiceServer a = service("a");
        GameServiceServer b = service("b");
        // Discovery keeps listing the dead instance, as etcd does until its lease expires.
        startGateway(new StaticDiscovery(List.of(instance("a", a.address()), instance("b", b.address()))),
                Duration.ofSeconds(20), Map.of());
        ClientSession session = null;
        String home = null;
        for (long player = 1; player <= 50 && session == null; player++) {
            ClientSession candidate = connect(player);
            if (who(candidate).equals("a")) {
                session = candidate;
                home = "a";
            }
        }
        assertThat(home).as("some player hashes to instance a").isEqualTo("a");

        List<CompletableFuture<ByteString>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(session.request(MODULE, GATED, ByteString.EMPTY));
        }
        assertThat(acquire(1)).isTrue(); // a's blocking handler runs the first; the others wait behind it
        long killed = System.nanoTime();
        a.close();

        for (CompletableFuture<ByteString> call : inFlight) {
            assertThatThrownBy(() -> call.orTimeout(10, TimeUnit.SECONDS).join())
                    .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Reason.SERVICE_UNAVAILABLE));
        }
        // Answered by the failure, long before the 20 s deadline.
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(10));
        // The session lives on, served by b.
        assertThat(session.isActive()).isTrue();
        assertThat(who(session)).isEqualTo("b");
        assertThat(who(session)).isEqualTo("b");
        assertThat(gateway.sessions().size()).isEqualTo(gateway.stats().logins());
    }

    @Test
    void aServiceThatStopsReadingCostsBoundedMemoryAndItsCallsFail() throws Exception {
        // A game service that accepts streams and never asks for a message.
        List<ServerCallStreamObserver<TunnelDown>> streams = new CopyOnWriteArrayList<>();
        Server stuck = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new TunnelGrpc.TunnelImplBase() {
                    @Override
                    public StreamObserver<TunnelUp> open(StreamObserver<TunnelDown> down) {
                        ServerCallStreamObserver<TunnelDown> call = (ServerCallStreamObserver<TunnelDown>) down;
                        call.disableAutoRequest();
                        streams.add(call);
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(TunnelUp value) {
                                throw new AssertionError("never asked for a message");
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                            }
                        };
                    }
                })
                .build().start();
        closeLast.add(() -> stuck.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        int maxQueued = 4;
        startGateway(new StaticDiscovery(List.of(instance("stuck", (InetSocketAddress) stuck.getListenSockets().get(0)))),
                Duration.ofSeconds(3), Map.of("maxQueuedPerStream", String.valueOf(maxQueued)));
        ClientSession session = connect(7);
        ClientSession other = connect(8);

        // 48 KiB requests: HTTP/2 flow control (64 KiB window) stalls the stream after a couple.
        ByteString big = ByteString.copyFrom(new byte[48 * 1024]);
        List<CompletableFuture<ByteString>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(session.request(MODULE, WHO, big));
        }
        List<Reason> reasons = new ArrayList<>();
        for (CompletableFuture<ByteString> call : calls) {
            try {
                call.orTimeout(20, TimeUnit.SECONDS).join();
                reasons.add(Reason.OK);
            } catch (CompletionException e) {
                reasons.add(reasonOf(e));
            }
        }
        // Nothing was answered; what did not fit in the window and the bounded queue was refused at once,
        // the rest ran into the deadline.
        assertThat(reasons).doesNotContain(Reason.OK);
        assertThat(reasons).isSubsetOf(Reason.OVERLOADED, Reason.REQUEST_TIMEOUT, Reason.TOO_MANY_PENDING_REQUESTS);
        assertThat(reasons.stream().filter(r -> r == Reason.OVERLOADED).count())
                .isGreaterThanOrEqualTo(40 - maxQueued - 16);
        assertThat(gateway.stats().requestsFailed(Reason.OVERLOADED)).isPositive();
        // The sessions stay; the other player, on its own stream, is answered by the deadline too.
        assertThat(session.isActive()).isTrue();
        assertThat(other.isActive()).isTrue();
        assertThat(streams).hasSize(1);
    }

    @Test
    void theServiceKicksAndMovesSessionsAndContinuesTheRequestTrace() {
        GameServiceServer a = service("a");
        GameServiceServer b = service("b");
        startGateway(new StaticDiscovery(List.of(instance("a", a.address()), instance("b", b.address()))),
                Duration.ofSeconds(10), Map.of());
        ClientSession session = connect(21);
        String home = who(session);
        String away = home.equals("a") ? "b" : "a";
        GameServiceServer homeServer = home.equals("a") ? a : b;

        // The home instance tells the gateway to send the session elsewhere.
        moveTo(homeServer, 21, away);
        await().atMost(Duration.ofSeconds(10)).until(() -> who(session).equals(away));

        // A trace started by the gateway continues in the remote handler.
        assertThat(session.request(MODULE, TRACED, ByteString.EMPTY).orTimeout(10, TimeUnit.SECONDS).join()
                .toStringUtf8()).isEqualTo(away);
        await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(s -> s.getName().equals("game.remote")));
        SpanData remote = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("game.remote"))
                .findFirst().orElseThrow();
        SpanData request = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getSpanId().equals(remote.getParentSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("the remote span's parent is not a gateway span"));
        assertThat(request.getName()).isEqualTo("janus.request");
        assertThat(request.getTraceId()).isEqualTo(remote.getTraceId());

        // The service kicks the player with a reason the client sees.
        session.request(MODULE, KICK_ME, ByteString.EMPTY);
        CloseReason closed = session.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(closed.reason()).isEqualTo(Reason.BANNED);
        assertThat(closed.message()).contains("cheating");
    }

    private static void moveTo(GameServiceServer server, long player, String instanceId) {
        assertThat(server.move(player, instanceId).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join())
                .isTrue();
    }

    private boolean acquire(int permits) {
        try {
            return started.tryAcquire(permits, 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
