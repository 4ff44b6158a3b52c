package io.janus.transport.kcp.fec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.janus.testing.FreePorts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wire compatibility with the real kcp-go, as shipped in Debian's kcptun ({@code --crypt none --nocomp
 * --datashard 10 --parityshard 3}).
 *
 * <p>Client direction: kcptun-client sends to a plain {@link DatagramSocket} standing in for the server;
 * the captured datagrams must pass our header check, decode into well-formed KCP segments, and our
 * encoder fed with the captured payloads must reproduce every captured datagram after the header,
 * parity shards included, byte for byte. Server direction: kcptun-server must acknowledge KCP segments
 * we frame, including one that only our parity can restore.
 */
class KcptunInteropTest {

    private static final int DATA = 10;
    private static final int PARITY = 3;
    private static final int TOTAL = DATA + PARITY;
    private static final int GROUPS_WANTED = 4;
    private static final long CAPTURE_MILLIS = 10_000;

    private static KcptunProcess client;
    private static DatagramSocket udp;
    /** Captured datagrams by FEC sequence id, header still on. */
    private static final Map<Long, byte[]> captured = new TreeMap<>();

    @BeforeAll
    static void captureKcptunClientTraffic() throws Exception {
        Assumptions.assumeTrue(KcptunProcess.installed(KcptunProcess.CLIENT), "kcptun-client not installed");
        udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        udp.setSoTimeout(200);
        int tcpPort = FreePorts.tcp();
        client = KcptunProcess.start(KcptunProcess.CLIENT, "--localaddr", "127.0.0.1:" + tcpPort,
                "--remoteaddr", "127.0.0.1:" + udp.getLocalPort());
        try (Socket tcp = client.connect(tcpPort, 5_000)) {
            byte[] bytes = new byte[64 * 1024];
            new Random(1).nextBytes(bytes);
            OutputStream out = tcp.getOutputStream();
            out.write(bytes);
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CAPTURE_MILLIS);
            byte[] buffer = new byte[2048];
            while (!haveCompleteGroups(GROUPS_WANTED) && System.nanoTime() < deadline) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    udp.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                byte[] datagram = Arrays.copyOf(packet.getData(), packet.getLength());
                long seqId = Unpooled.wrappedBuffer(datagram).getUnsignedIntLE(KcpGoHeader.SIZE);
                captured.putIfAbsent(seqId, datagram);
            }
        }
        assertThat(haveCompleteGroups(GROUPS_WANTED)).as("captured %s FEC seqids within %d ms; kcptun log: %s",
                captured.keySet(), CAPTURE_MILLIS, client.log()).isTrue();
    }

    @AfterAll
    static void stopKcptunClient() throws Exception {
        if (client != null) {
            client.close();
        }
        if (udp != null) {
            udp.close();
        }
    }

    private static boolean haveCompleteGroups(int groups) {
        for (long s = 0; s < (long) groups * TOTAL; s++) {
            if (!captured.containsKey(s)) {
                return false;
            }
        }
        return true;
    }

    private static List<byte[]> firstGroups() {
        List<byte[]> list = new ArrayList<>();
        for (long s = 0; s < (long) GROUPS_WANTED * TOTAL; s++) {
            list.add(captured.get(s));
        }
        return list;
    }

    @Test
    void everyCapturedDatagramCarriesAValidCrc32AndFecHeader() {
        for (byte[] datagram : captured.values()) {
            ByteBuf buf = Unpooled.wrappedBuffer(datagram);
            assertThatCode(() -> KcpGoHeader.verifyAndSkip(buf)).doesNotThrowAnyException();
            assertThat(FecDecoder.isFecShard(buf)).isTrue();
        }
    }

    @Test
    void decoderExtractsWellFormedKcpSegments() {
        List<ByteBuf> payloads = new ArrayList<>();
        KcpGoPacketConfig config = KcpGoPacketConfig.builder().fec(DATA, PARITY).build();
        int pushes = 0;
        try (KcpGoPacketCodec codec = new KcpGoPacketCodec(config, ByteBufAllocator.DEFAULT)) {
            for (byte[] datagram : firstGroups()) {
                codec.decode(Unpooled.wrappedBuffer(datagram), payloads);
            }
            assertThat(payloads).hasSize(GROUPS_WANTED * DATA);
            for (ByteBuf payload : payloads) {
                List<KcpSegment> segments = KcpSegment.parseAll(payload);
                assertThat(segments).isNotEmpty();
                for (KcpSegment s : segments) {
                    assertThat(s.conv()).isNotZero();
                    assertThat(s.cmd()).isBetween(81, 84);
                    if (s.cmd() == KcpSegment.CMD_PUSH) {
                        pushes++;
                    }
                }
            }
            assertThat(codec.fecDecoder().recoveredShards()).isZero();
        } finally {
            payloads.forEach(ByteBuf::release);
        }
        assertThat(pushes).isGreaterThanOrEqualTo(GROUPS_WANTED * DATA);
    }

    @Test
    void ourEncoderReproducesKcpGosDataAndParityShardsByteForByte() {
        List<byte[]> groups = firstGroups();
        FecEncoder encoder = new FecEncoder(DATA, PARITY, 0, KcpGoPacketConfig.DEFAULT_MAX_DATAGRAM_SIZE,
                ByteBufAllocator.DEFAULT);
        List<ByteBuf> ours = new ArrayList<>();
        try {
            for (int i = 0; i < groups.size(); i++) {
                if (i % TOTAL >= DATA) {
                    continue;
                }
                byte[] datagram = groups.get(i);
                int payloadStart = KcpGoHeader.SIZE + FecEncoder.DATA_SHARD_OVERHEAD;
                ByteBuf payload = Unpooled.wrappedBuffer(datagram, payloadStart, datagram.length - payloadStart);
                encoder.encode(payload, ours);
            }
            assertThat(ours).hasSize(groups.size());
            int parityCompared = 0;
            for (int i = 0; i < groups.size(); i++) {
                byte[] theirs = Arrays.copyOfRange(groups.get(i), KcpGoHeader.SIZE, groups.get(i).length);
                byte[] mine = ByteBufUtil.getBytes(ours.get(i));
                assertThat(ByteBufUtil.hexDump(mine)).as("FEC seqid %d", i).isEqualTo(ByteBufUtil.hexDump(theirs));
                if (i % TOTAL >= DATA) {
                    parityCompared++;
                }
            }
            assertThat(parityCompared).isEqualTo(GROUPS_WANTED * PARITY);
        } finally {
            ours.forEach(ByteBuf::release);
        }
    }

    @Test
    void deletedDataShardsAreRecoveredFromKcpGosParity() {
        List<byte[]> groups = firstGroups();
        Random random = new Random(3);
        for (int g = 0; g < GROUPS_WANTED; g++) {
            // Delete as many data shards as there are parity shards: the most FEC can repair.
            Set<Integer> deleted = new TreeSet<>();
            while (deleted.size() < PARITY) {
                deleted.add(random.nextInt(DATA));
            }
            List<ByteBuf> payloads = new ArrayList<>();
            KcpGoPacketConfig config = KcpGoPacketConfig.builder().fec(DATA, PARITY).build();
            try (KcpGoPacketCodec codec = new KcpGoPacketCodec(config, ByteBufAllocator.DEFAULT)) {
                for (int i = 0; i < TOTAL; i++) {
                    if (!deleted.contains(i)) {
                        codec.decode(Unpooled.wrappedBuffer(groups.get(g * TOTAL + i)), payloads);
                    }
                }
                assertThat(codec.fecDecoder().recoveredShards()).isEqualTo(PARITY);
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < DATA; i++) {
                    byte[] datagram = groups.get(g * TOTAL + i);
                    int start = KcpGoHeader.SIZE + FecEncoder.DATA_SHARD_OVERHEAD;
                    expected.add(ByteBufUtil.hexDump(datagram, start, datagram.length - start));
                }
                List<String> actual = new ArrayList<>();
                for (ByteBuf p : payloads) {
                    actual.add(ByteBufUtil.hexDump(p));
                }
                assertThat(actual).as("group %d with data shards %s deleted", g, deleted)
                        .containsExactlyInAnyOrderElementsOf(expected);
            } finally {
                payloads.forEach(ByteBuf::release);
            }
        }
    }

    @Test
    void kcptunServerAcknowledgesSegmentsWeFrameIncludingOneOnlyOurParityCarries() throws Exception {
        Assumptions.assumeTrue(KcptunProcess.installed(KcptunProcess.SERVER), "kcptun-server not installed");
        int listenPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            listenPort = probe.getLocalPort();
        }
        try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                KcptunProcess server = KcptunProcess.start(KcptunProcess.SERVER, "--listen",
                        "127.0.0.1:" + listenPort, "--target", "127.0.0.1:" + target.getLocalPort());
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                KcpGoPacketCodec codec = new KcpGoPacketCodec(
                        KcpGoPacketConfig.builder().fec(DATA, PARITY).build(), ByteBufAllocator.DEFAULT)) {
            socket.setSoTimeout(200);
            InetSocketAddress serverAddress = new InetSocketAddress("127.0.0.1", listenPort);
            long conv = 0x4a414e55L;
            int lostSn = 3;
            List<ByteBuf> datagrams = new ArrayList<>();
            Random random = new Random(5);
            for (int sn = 0; sn < DATA; sn++) {
                // smux v1 frames: a SYN for stream 1, then data frames of varying length.
                byte[] smux;
                if (sn == 0) {
                    smux = new byte[] {1, 0, 0, 0, 1, 0, 0, 0};
                } else {
                    int n = 20 + random.nextInt(400);
                    smux = new byte[8 + n];
                    smux[0] = 1;
                    smux[1] = 2;
                    smux[2] = (byte) n;
                    smux[3] = (byte) (n >>> 8);
                    smux[4] = 1;
                    for (int k = 8; k < smux.length; k++) {
                        smux[k] = (byte) random.nextInt();
                    }
                }
                ByteBuf segment = Unpooled.buffer();
                KcpSegment.write(segment, conv, KcpSegment.CMD_PUSH, 128, 1000 + sn, sn, 0, smux);
                try {
                    codec.encode(segment, datagrams);
                } finally {
                    segment.release();
                }
            }
            assertThat(datagrams).hasSize(TOTAL);
            awaitListening(serverAddress);
            for (int i = 0; i < datagrams.size(); i++) {
                ByteBuf d = datagrams.get(i);
                if (i != lostSn) {
                    byte[] bytes = ByteBufUtil.getBytes(d);
                    socket.send(new DatagramPacket(bytes, bytes.length, serverAddress));
                }
            }
            datagrams.forEach(ByteBuf::release);

            // kcp-go acknowledges cumulatively: una = the next sn it expects (it even drops ACKs of sns
            // below una from its ack list), so una >= 10 proves it holds sns 0..9, sn 3 from our parity.
            long una = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            byte[] buffer = new byte[2048];
            while (una < DATA && System.nanoTime() < deadline) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                List<ByteBuf> payloads = new ArrayList<>();
                codec.decode(Unpooled.wrappedBuffer(packet.getData(), 0, packet.getLength()), payloads);
                for (ByteBuf p : payloads) {
                    try {
                        for (KcpSegment s : KcpSegment.parseAll(p)) {
                            assertThat(s.conv()).isEqualTo(conv);
                            assertThat(s.cmd()).isBetween(81, 84);
                            una = Math.max(una, s.una());
                        }
                    } finally {
                        p.release();
                    }
                }
            }
            assertThat(una).as("kcptun-server's una; log: %s", server.log()).isEqualTo(DATA);
        }
    }

    /**
     * Waits until kcptun-server answers a one-segment probe sent from another socket (so another
     * kcp-go session): UDP has no accept to await, and datagrams sent before it binds are lost.
     */
    private static void awaitListening(InetSocketAddress server) throws Exception {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                KcpGoPacketCodec codec = new KcpGoPacketCodec(
                        KcpGoPacketConfig.builder().fec(DATA, PARITY).build(), ByteBufAllocator.DEFAULT)) {
            probe.setSoTimeout(100);
            byte[] buffer = new byte[2048];
            for (int attempt = 0; attempt < 50; attempt++) {
                ByteBuf segment = Unpooled.buffer();
                List<ByteBuf> datagrams = new ArrayList<>();
                try {
                    KcpSegment.write(segment, 0x50524f42L, KcpSegment.CMD_PUSH, 128, attempt, 0, 0,
                            new byte[] {1, 0, 0, 0, 1, 0, 0, 0});
                    codec.encode(segment, datagrams);
                    for (ByteBuf d : datagrams) {
                        byte[] bytes = ByteBufUtil.getBytes(d);
                        probe.send(new DatagramPacket(bytes, bytes.length, server));
                    }
                } finally {
                    segment.release();
                    datagrams.forEach(ByteBuf::release);
                }
                try {
                    probe.receive(new DatagramPacket(buffer, buffer.length));
                    return;
                } catch (SocketTimeoutException | PortUnreachableException e) {
                    // not listening yet: try again
                }
            }
            throw new AssertionError("kcptun-server did not answer within 50 probes");
        }
    }
}
