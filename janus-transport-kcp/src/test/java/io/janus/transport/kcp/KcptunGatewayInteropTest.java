package io.janus.transport.kcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.SessionOptions;
import io.janus.core.spi.ClientTransport;
import io.janus.core.spi.Transport;
import io.janus.core.transport.EventLoops;
import io.janus.testing.FreePorts;
import io.janus.transport.tcp.TcpClientTransport;
import io.janus.transport.tcp.TcpTransport;
import io.netty.channel.EventLoopGroup;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interoperability with the real kcptun (kcp-go v5, xtaci/smux), both ways, with {@code --crypt none
 * --nocomp}, FEC 10/3 and off, smux 1 and 2: (a) kcptun-client forwards a TCP port to the gateway's KCP
 * port and the Java client connects over plain TCP; (b) the Java client's KCP transport talks to
 * kcptun-server, which forwards to the gateway's TCP port. Each completes the handshake, exchanges
 * requests (one larger than a KCP window of segments) and receives pushes. Skipped when the kcptun
 * binaries are not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KcptunGatewayInteropTest {

    private static final Path CLIENT = Path.of("/usr/bin/kcptun-client");
    private static final Path SERVER = Path.of("/usr/bin/kcptun-server");

    private final List<Process> processes = new ArrayList<>();
    private final List<File> logs = new ArrayList<>();
    private Gateway gateway;
    private EventLoopGroup clientGroup;
    private JanusClient client;

    @BeforeEach
    void requireKcptun() {
        Assumptions.assumeTrue(Files.isExecutable(CLIENT) && Files.isExecutable(SERVER),
                "kcptun-client and kcptun-server are not installed");
        clientGroup = EventLoops.newGroup(1, "kcptun-interop-client");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void startProcess(Path binary, String... flags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(flags));
        command.addAll(List.of("--crypt", "none", "--nocomp", "--mode", "fast", "--quiet"));
        File log = File.createTempFile("kcptun-", ".log");
        log.deleteOnExit();
        logs.add(log);
        processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log)).start());
    }

    private String logs() {
        StringBuilder b = new StringBuilder();
        for (File f : logs) {
            try {
                b.append(Files.readString(f.toPath()));
            } catch (IOException e) {
                b.append("(unreadable: ").append(e).append(')');
            }
        }
        return b.toString();
    }

    private void startGateway(Transport transport) {
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(transport)
                .authenticator(TestGame.authenticator())
                .game(TestGame.handlers())
                .sessionOptions(SessionOptions.builder().maxFrameLength(64 * 1024).build())
                .workerThreads(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** A UDP port free on loopback a moment ago (janus-testing's FreePorts covers TCP only). */
    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /** Waits (bounded) until a TCP port accepts connections. */
    private void awaitListening(int port) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Assumptions.assumeTrue(processes.stream().allMatch(Process::isAlive), () -> "kcptun exited: " + logs());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private ClientSession login(ClientTransport transport, InetSocketAddress address, String player) {
        client = TestKeys.client().transport(transport).eventLoopGroup(clientGroup).build();
        return client.connect(address, player).orTimeout(15, TimeUnit.SECONDS).join();
    }

    private static void exchange(ClientSession session) {
        ByteString hello = ByteString.copyFromUtf8("through kcptun");
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, hello).join()).isEqualTo(hello);
        ByteString big = ByteString.copyFrom(new byte[50_000]);
        assertThat(session.request(TestGame.MODULE, TestGame.ECHO, big).join()).isEqualTo(big);
        List<Long> objs = new CopyOnWriteArrayList<>();
        session.onPush(p -> {
            if (p.getModule() == TestGame.MODULE && p.getSeq() == TestGame.PUSH_SEQ) {
                objs.add(p.getObj());
            }
        });
        session.request(TestGame.MODULE, TestGame.PUSH_ME, TestGame.intBody(10)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> objs.size() == 10);
        assertThat(objs).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @ParameterizedTest(name = "FEC {0}/{1}, smux {2}")
    @CsvSource({"10, 3, 1", "10, 3, 2", "0, 0, 1", "0, 0, 2"})
    void kcptunClientToTheGatewaysKcpPort(int data, int parity, int smux) throws IOException {
        // kcp-go's first datagrams are smaller than the server hello, and kcptun does not pad them: the
        // handshake completes within the strict 1x anti-amplification bound because the gateway holds
        // back bare acknowledgements until kcptun's retransmissions have paid for the answer.
        KcpSettings settings = KcpSettings.fromProperties(Map.of("crypt", "none", "dataShards", "" + data,
                "parityShards", "" + parity, "smux", "auto"), true);
        startGateway(KcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .settings(settings).build());
        int local = FreePorts.tcp();
        startProcess(CLIENT, "--localaddr", "127.0.0.1:" + local, "--remoteaddr",
                "127.0.0.1:" + gateway.address(KcpTransport.NAME).getPort(), "--datashard", "" + data,
                "--parityshard", "" + parity, "--smuxver", "" + smux);
        awaitListening(local);

        ClientSession session = login(new TcpClientTransport(5000), new InetSocketAddress("127.0.0.1", local),
                "player-11");

        exchange(session);
        assertThat(gateway.sessions().sessionOfPlayer(11).transport()).isEqualTo(KcpTransport.NAME);
    }

    @ParameterizedTest(name = "FEC {0}/{1}, smux {2}")
    @CsvSource({"10, 3, 1", "10, 3, 2", "0, 0, 1", "0, 0, 2"})
    void javaKcpClientToKcptunServer(int data, int parity, int smux) throws IOException {
        startGateway(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .build());
        int udp = freeUdpPort();
        startProcess(SERVER, "--listen", "127.0.0.1:" + udp, "--target",
                "127.0.0.1:" + gateway.address(TcpTransport.NAME).getPort(), "--datashard", "" + data,
                "--parityshard", "" + parity, "--smuxver", "" + smux);
        // No wait for the UDP port: until kcptun-server reads it, KCP retransmits the SYN.

        KcpSettings settings = KcpSettings.fromProperties(Map.of("crypt", "none", "dataShards", "" + data,
                "parityShards", "" + parity, "smux", "" + smux), false);
        ClientSession session = login(new KcpClientTransport(settings), new InetSocketAddress("127.0.0.1", udp),
                "player-12");

        exchange(session);
        assertThat(gateway.sessions().sessionOfPlayer(12).transport()).isEqualTo(TcpTransport.NAME);
    }
}
