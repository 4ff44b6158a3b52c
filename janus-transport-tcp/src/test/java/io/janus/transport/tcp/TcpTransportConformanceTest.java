package io.janus.transport.tcp;

import io.janus.client.conformance.AbstractTransportConformanceTest;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The transport conformance suite over real loopback TCP. */
class TcpTransportConformanceTest extends AbstractTransportConformanceTest {

    @Override
    protected Transport newServerTransport() {
        return TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
    }

    @Override
    protected ClientTransport newClientTransport() {
        return new TcpClientTransport(5000);
    }
}
