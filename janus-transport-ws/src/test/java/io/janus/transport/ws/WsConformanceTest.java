package io.janus.transport.ws;

import io.janus.client.conformance.AbstractTransportConformanceTest;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The transport conformance suite over real loopback WebSocket connections. */
class WsConformanceTest extends AbstractTransportConformanceTest {

    @Override
    protected Transport newServerTransport() {
        return WsTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
    }

    @Override
    protected ClientTransport newClientTransport() {
        return WsClientTransport.builder().connectTimeoutMillis(5000).build();
    }
}
