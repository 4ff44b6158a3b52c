package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.GatewayListener;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway's lifecycle: start and stop once, listeners in order, and what it must never close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayLifecycleTest {

    private static Gateway.Builder builder() {
        return Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .shutdownTimeout(Duration.ofSeconds(2));
    }

    @Test
    void eventLoopsAndExecutorOfTheUserAreNeverClosed() {
        EventLoopGroup boss = EventLoops.newGroup(1, "user-boss");
        EventLoopGroup worker = EventLoops.newGroup(1, "user-worker");
        ExecutorService executor = Executors.newFixedThreadPool(1);
        try {
            Gateway gateway = builder().eventLoopGroups(boss, worker).blockingExecutor(executor).build();
            gateway.start().join();
            gateway.close();

            assertThat(boss.isShuttingDown()).isFalse();
            assertThat(worker.isShuttingDown()).isFalse();
            assertThat(executor.isShutdown()).isFalse();
        } finally {
            executor.shutdownNow();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            worker.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void listenersSeeEveryStepInOrderAndStopUnbinds() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        Gateway gateway = builder().listener(new GatewayListener() {
            @Override
            public void starting(Gateway g) {
                steps.add("starting");
            }

            @Override
            public void started(Gateway g) {
                steps.add("started");
            }

            @Override
            public void stopping(Gateway g) {
                steps.add("stopping");
            }

            @Override
            public void stopped(Gateway g) {
                steps.add("stopped");
            }
        }).build();

        assertThat(gateway.start()).isSameAs(gateway.start());
        gateway.start().join();
        InetSocketAddress address = gateway.address("tcp");
        gateway.stop().join();
        assertThat(gateway.stop()).isDone();

        assertThat(steps).containsExactly("starting", "started", "stopping", "stopped");
        assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                .isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void namedTransportIsFoundThroughItsProvider() {
        Gateway gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), java.util.Map.of())
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .build();
        try {
            gateway.start().join();
            assertThat(gateway.address("tcp").getPort()).isPositive();
        } finally {
            gateway.close();
        }
    }

    @Test
    void missingTransportNamesTheArtifactToAdd() {
        assertThatThrownBy(() -> Gateway.builder().identity(TestKeys.GATEWAY).listen("kcp", 0)
                .authenticator(TestGame.authenticator()).game(TestGame.handlers()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.janus:janus-transport-kcp")
                .hasMessageContaining("tcp");
    }

    @Test
    void aGatewayWithoutIdentityIsRefusedWithHowToGiveIt() {
        assertThatThrownBy(() -> Gateway.builder().listen("tcp", 0).authenticator(TestGame.authenticator())
                .game(TestGame.handlers()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("identity(GatewayIdentity.fromBase64(");
    }

    @Test
    void bindFailureFailsStartAndReleasesWhatStarted() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Gateway gateway = Gateway.builder()
                    .identity(TestKeys.GATEWAY)
                    .transport(TcpTransport.builder().address(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort())).build())
                    .authenticator(TestGame.authenticator())
                    .game(TestGame.handlers())
                    .build();

            assertThatThrownBy(() -> gateway.start().join()).hasMessageContaining("Address already in use");
            gateway.stop().get(10, TimeUnit.SECONDS);
        }
    }
}
