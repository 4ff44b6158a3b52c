package io.janus.transport.kcp;

import io.janus.client.conformance.AbstractTransportConformanceTest;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The transport conformance suite over real loopback UDP, bare KCP (no smux, no FEC). */
class KcpConformanceTest extends AbstractTransportConformanceTest {

    @Override
    protected Transport newServerTransport() {
        return KcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
    }

    @Override
    protected ClientTransport newClientTransport() {
        return new KcpClientTransport();
    }
}
