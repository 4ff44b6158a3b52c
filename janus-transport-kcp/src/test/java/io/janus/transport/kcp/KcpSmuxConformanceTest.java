package io.janus.transport.kcp;

import io.janus.client.conformance.AbstractTransportConformanceTest;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The transport conformance suite over KCP the way kcptun runs it: kcp-go's nonce and checksum header,
 * FEC 10/3 and smux version 2, each Janus connection one smux stream.
 */
class KcpSmuxConformanceTest extends AbstractTransportConformanceTest {

    private static final Map<String, String> KCPTUN_LIKE = Map.of("crypt", "none", "dataShards", "10",
            "parityShards", "3");

    @Override
    protected Transport newServerTransport() {
        Map<String, String> server = new java.util.HashMap<>(KCPTUN_LIKE);
        server.put("smux", "auto");
        return KcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .settings(KcpSettings.fromProperties(server, true)).build();
    }

    @Override
    protected ClientTransport newClientTransport() {
        Map<String, String> client = new java.util.HashMap<>(KCPTUN_LIKE);
        client.put("smux", "2");
        return new KcpClientTransport(KcpSettings.fromProperties(client, false));
    }
}
