package io.janus.transport.tcp.remote;

import io.janus.client.conformance.AbstractTransportConformanceTest;
import io.janus.client.conformance.TestGame;
import io.janus.core.Gateway;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.Transport;
import io.janus.core.tunnel.grpc.GameServiceServer;
import io.janus.transport.tcp.TcpClientTransport;
import io.janus.transport.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole transport conformance suite with the test game moved out of the gateway into a remote game
 * service: the same handlers, unchanged, behind a real gRPC server on loopback and the gRPC tunnel.
 * Requests, blocking and non-blocking handlers, pushes, game errors, floods and bounds behave as they
 * do embedded.
 */
class RemoteTunnelConformanceTest extends AbstractTransportConformanceTest {

    private static GameServiceServer service;

    @BeforeAll
    static void startGameService() {
        service = GameServiceServer.builder().service("game", TestGame.handlers()).threads(2)
                .blockingThreads(4, 1000).build();
        service.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @AfterAll
    static void stopGameService() {
        service.close();
    }

    @Override
    protected Gateway.Builder game(Gateway.Builder gateway) {
        InetSocketAddress a = service.address();
        ServiceInstance instance = ServiceInstance.of("game", service.instanceId(),
                a.getAddress().getHostAddress() + ":" + a.getPort(), Map.of());
        return gateway.tunnel("grpc", Map.of())
                .discovery(new StaticDiscovery(List.of(instance)))
                .routes(ModuleRoutes.builder().defaultService("game").build());
    }

    @Override
    protected String blockingHandlerThreadPrefix() {
        return "janus-service-blocking";
    }

    @Override
    protected String nonBlockingHandlerThreadPrefix() {
        return "janus-service";
    }

    @Override
    protected Transport newServerTransport() {
        return TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
    }

    @Override
    protected ClientTransport newClientTransport() {
        return new TcpClientTransport(5000);
    }
}
