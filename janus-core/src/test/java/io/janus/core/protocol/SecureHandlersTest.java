package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.api.PacketFlag;
import io.janus.api.Reason;
import io.janus.core.JanusException;
import io.janus.core.ProtocolException;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SecureClientHandler} and {@link SecureServerHandler}, each with a {@link PacketCodec} behind it,
 * in two {@link EmbeddedChannel}s wired by hand: every frame one side writes is moved into the other's
 * inbound, as a transport would. The handshake of docs/protocol.md, section 4, the records of section 6,
 * and the negotiation of compression (section 7).
 */
class SecureHandlersTest {

    private static final SigningKey ROOT = SigningKey.generate();
    private static final SigningKey OTHER_ROOT = SigningKey.generate();
    private static final GatewayIdentity IDENTITY = GatewayIdentity.generate(ROOT, "test-gw", Duration.ofHours(1));
    private static final Duration SKEW = Duration.ofSeconds(300);
    private static final int MAX_INFLATED = 1 << 20;
    private static final long INTERVAL = TrafficCipher.DEFAULT_UPDATE_INTERVAL;

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    private static SecureClientHandler clientHandler(byte[] pinnedRoot, Clock clock, boolean acceptCompression,
            long keyUpdateInterval) {
        return new SecureClientHandler(List.of(pinnedRoot), clock, SKEW, acceptCompression, MAX_INFLATED,
                keyUpdateInterval);
    }

    private static SecureClientHandler clientHandler() {
        return clientHandler(ROOT.publicKey(), Clock.systemUTC(), true, INTERVAL);
    }

    private static SecureServerHandler serverHandler(int compressionThreshold, long keyUpdateInterval) {
        return new SecureServerHandler(IDENTITY, compressionThreshold, MAX_INFLATED, keyUpdateInterval);
    }

    /** A client channel set up as a bootstrap does: handlers added at registration, then channelActive. */
    private EmbeddedChannel client(SecureClientHandler handler) {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(SecureClientHandler.name(), handler)
                        .addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
            }
        });
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel server(SecureServerHandler handler) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(SecureServerHandler.name(), handler).addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
        channels.add(channel);
        return channel;
    }

    /** Moves every frame {@code from} wrote into {@code to}'s inbound; returns their bytes, as sent. */
    private static List<byte[]> pump(EmbeddedChannel from, EmbeddedChannel to) {
        List<byte[]> frames = new ArrayList<>();
        for (ByteBuf frame; (frame = from.readOutbound()) != null; ) {
            frames.add(ByteBufUtil.getBytes(frame));
            to.writeInbound(frame);
        }
        return frames;
    }

    /** Takes every frame a side wrote, releasing the buffers. */
    private static List<byte[]> drain(EmbeddedChannel channel) {
        List<byte[]> frames = new ArrayList<>();
        for (ByteBuf frame; (frame = channel.readOutbound()) != null; ) {
            frames.add(ByteBufUtil.getBytes(frame));
            frame.release();
        }
        return frames;
    }

    private static List<Packet> received(EmbeddedChannel channel) {
        List<Packet> packets = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            packets.add((Packet) msg);
        }
        return packets;
    }

    private static Packet packet(int module, int index, String body) {
        return Packet.newBuilder().setModule(module).setSeq(7).setIndex(index).setObj(-42)
                .setBody(ByteString.copyFromUtf8(body)).build();
    }

    /** The failure of a handshake future, unwrapped to the JanusException that says why. */
    private static JanusException failure(SecureClientHandler handler) {
        assertThat(handler.handshakeFuture()).isCompletedExceptionally();
        Throwable cause = handler.handshakeFuture().handle((r, e) -> e).join();
        if (cause instanceof CompletionException) {
            cause = cause.getCause();
        }
        assertThat(cause).isInstanceOf(JanusException.class);
        return (JanusException) cause;
    }

    /** A connected pair after a completed handshake. */
    private record Pair(EmbeddedChannel client, SecureClientHandler clientHandler, EmbeddedChannel server,
            SecureServerHandler serverHandler, byte[] clientHello, byte[] serverHello) {
    }

    private Pair handshake(SecureClientHandler clientHandler, SecureServerHandler serverHandler) {
        EmbeddedChannel client = client(clientHandler);
        EmbeddedChannel server = server(serverHandler);
        List<byte[]> hello = pump(client, server);
        List<byte[]> serverHello = pump(server, client);
        assertThat(hello).hasSize(1);
        assertThat(serverHello).hasSize(1);
        return new Pair(client, clientHandler, server, serverHandler, hello.get(0), serverHello.get(0));
    }

    private Pair handshake() {
        Pair pair = handshake(clientHandler(), serverHandler(0, INTERVAL));
        assertThat(pair.clientHandler.handshakeFuture()).isCompleted();
        return pair;
    }

    @Test
    void theClientSendsItsHelloWhenTheChannelBecomesActive() {
        // Set up as a bootstrap does, the handler sees channelActive and sends the hello at once.
        EmbeddedChannel bootstrapped = client(clientHandler());
        List<byte[]> frames = drain(bootstrapped);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).hasSize(ClientHello.LENGTH).startsWith(ClientHello.TYPE, (byte) 1, (byte) 1);

        // Added to a channel that is already active, it waits for a channelActive that never comes by itself.
        EmbeddedChannel late = new EmbeddedChannel();
        channels.add(late);
        late.pipeline().addLast(SecureClientHandler.name(), clientHandler()).addLast(PacketCodec.NAME,
                PacketCodec.INSTANCE);
        assertThat(late.isActive()).isTrue();
        assertThat(drain(late)).isEmpty();
        late.pipeline().fireChannelActive();
        assertThat(drain(late)).hasSize(1);
    }

    @Test
    void theHandshakeCompletesWithTheSameResultOnBothSides() throws Exception {
        Pair pair = handshake();
        HandshakeResult clientResult = pair.client.attr(HandshakeResult.KEY).get();
        HandshakeResult serverResult = pair.server.attr(HandshakeResult.KEY).get();
        assertThat(pair.clientHandler.handshakeFuture().join()).isSameAs(clientResult);
        assertThat(pair.serverHandler.isEstablished()).isTrue();

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(pair.clientHello);
        byte[] transcript = sha.digest(pair.serverHello);
        assertThat(clientResult.transcriptHash()).isEqualTo(transcript);
        assertThat(serverResult.transcriptHash()).isEqualTo(transcript);
        assertThat(clientResult.resumeSecret()).hasSize(32).isEqualTo(serverResult.resumeSecret());
        assertThat(clientResult.compressionThreshold()).isZero();
        assertThat(serverResult.compressionThreshold()).isZero();
        assertThat(clientResult.certificate().encoded()).isEqualTo(IDENTITY.certificate().encoded());
        assertThat(serverResult.certificate().encoded()).isEqualTo(IDENTITY.certificate().encoded());
    }

    @Test
    void packetsRoundTripBothWaysEncrypted() {
        Pair pair = handshake();
        List<Packet> requests = List.of(packet(0, 1, "login"), packet(3, 2, "move north"), packet(9, 0, ""));
        for (Packet request : requests) {
            assertThat(pair.client.writeAndFlush(request).isSuccess()).isTrue();
        }
        List<byte[]> records = pump(pair.client, pair.server);
        assertThat(records).hasSize(3);
        for (byte[] record : records) {
            assertThat(record[0]).isEqualTo(TrafficCipher.TYPE_PACKET);
        }
        assertThat(new String(records.get(1), StandardCharsets.ISO_8859_1)).doesNotContain("move north");
        assertThat(received(pair.server)).containsExactlyElementsOf(requests);

        List<Packet> answers = List.of(packet(0, 1, "welcome"), packet(3, 0, "a push"));
        for (Packet answer : answers) {
            pair.server.writeAndFlush(answer);
        }
        assertThat(pump(pair.server, pair.client)).hasSize(2);
        assertThat(received(pair.client)).containsExactlyElementsOf(answers);
    }

    @Test
    void keyUpdatesAreSentInBandAndInvisibleToThePacketLayer() {
        Pair pair = handshake(clientHandler(ROOT.publicKey(), Clock.systemUTC(), false, 3), serverHandler(0, 2));
        List<Packet> requests = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            requests.add(packet(5, i, "request " + i));
            pair.client.writeAndFlush(requests.get(i - 1));
        }
        List<byte[]> records = pump(pair.client, pair.server);
        List<Byte> types = new ArrayList<>();
        records.forEach(r -> types.add(r[0]));
        assertThat(types).containsExactly((byte) 0x17, (byte) 0x17, (byte) 0x17, (byte) 0x18, (byte) 0x17, (byte) 0x17,
                (byte) 0x17, (byte) 0x18, (byte) 0x17, (byte) 0x17);
        assertThat(received(pair.server)).containsExactlyElementsOf(requests);

        List<Packet> pushes = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            pushes.add(packet(5, 0, "push " + i));
            pair.server.writeAndFlush(pushes.get(i - 1));
        }
        assertThat(pump(pair.server, pair.client)).hasSize(5 + 2);
        assertThat(received(pair.client)).containsExactlyElementsOf(pushes);
    }

    @Test
    void compressionIsOnOnlyWhenTheGatewayCompressesAndTheClientAccepts() {
        Packet big = Packet.newBuilder().setModule(4).setSeq(1).setIndex(1)
                .setBody(ByteString.copyFromUtf8("the room is full of players; ".repeat(200))).build();
        int[][] cases = {{1024, 1, 1024}, {1024, 0, 0}, {0, 1, 0}, {0, 0, 0}};
        for (int[] c : cases) {
            String name = "server threshold " + c[0] + ", client accepts " + (c[1] == 1);
            Pair pair = handshake(clientHandler(ROOT.publicKey(), Clock.systemUTC(), c[1] == 1, INTERVAL),
                    serverHandler(c[0], INTERVAL));
            int expected = c[2];
            assertThat(pair.client.attr(HandshakeResult.KEY).get().compressionThreshold()).as(name).isEqualTo(expected);
            assertThat(pair.server.attr(HandshakeResult.KEY).get().compressionThreshold()).as(name).isEqualTo(expected);
            assertThat(pair.serverHello[2]).as(name + ": ServerHello flags").isEqualTo((byte) (expected > 0 ? 1 : 0));
            // Installed either way: with compression off it refuses bodies flagged as compressed.
            assertThat(pair.client.pipeline().get(SecureChannel.COMPRESSION_NAME)).as(name).isNotNull();
            assertThat(pair.server.pipeline().get(SecureChannel.COMPRESSION_NAME)).as(name).isNotNull();

            pair.server.writeAndFlush(big);
            List<byte[]> records = pump(pair.server, pair.client);
            if (expected > 0) {
                assertThat(records.get(0).length).as(name).isLessThan(big.getBody().size());
            } else {
                assertThat(records.get(0).length).as(name).isGreaterThan(big.getBody().size());
            }
            Packet arrived = (Packet) pair.client.readInbound();
            assertThat(arrived).as(name).isEqualTo(big);
            assertThat(arrived.getFlags() & PacketFlag.PACKET_FLAG_COMPRESSED_VALUE).isZero();
        }
    }

    @Test
    void aClientPinningAnotherRootFailsWithCertificateInvalidAndNeverWritesARecord() {
        SecureClientHandler handler = clientHandler(OTHER_ROOT.publicKey(), Clock.systemUTC(), true, INTERVAL);
        Pair pair = handshake(handler, serverHandler(0, INTERVAL));
        JanusException cause = failure(handler);
        assertThat(cause.reason()).isEqualTo(Reason.CERTIFICATE_INVALID);
        assertThat(cause).hasMessage("gateway certificate 'test-gw' is not signed by a pinned root key");
        assertThat(pair.client.attr(HandshakeResult.KEY).get()).isNull();
        assertThat(pair.client.isOpen()).as("the client closes").isFalse();

        ChannelFuture write = pair.client.writeAndFlush(packet(0, 1, "the token"));
        assertThat(write.isSuccess()).isFalse();
        assertThat(drain(pair.client)).as("nothing after the ClientHello").isEmpty();
    }

    @Test
    void aClientWhoseClockIsPastTheCertificateFailsWithCertificateInvalid() {
        Clock late = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        SecureClientHandler handler = clientHandler(ROOT.publicKey(), late, true, INTERVAL);
        Pair pair = handshake(handler, serverHandler(0, INTERVAL));
        assertThat(failure(handler).reason()).isEqualTo(Reason.CERTIFICATE_INVALID);
        assertThat(failure(handler)).hasMessageContaining("expired at");
        assertThat(drain(pair.client)).isEmpty();
    }

    @Test
    void aClientRefusesAnAlteredServerHelloWithHandshakeFailed() {
        SecureClientHandler handler = clientHandler();
        EmbeddedChannel client = client(handler);
        EmbeddedChannel server = server(serverHandler(0, INTERVAL));
        pump(client, server);
        ByteBuf serverHello = server.readOutbound();
        serverHello.setByte(40, serverHello.getByte(40) ^ 1); // the gateway random
        client.writeInbound(serverHello);
        assertThat(failure(handler).reason()).isEqualTo(Reason.HANDSHAKE_FAILED);
        assertThat(failure(handler)).hasMessageContaining("signature does not verify");
        assertThat(drain(client)).isEmpty();
    }

    @Test
    void aClientThatDidNotOfferCompressionRefusesAServerHelloTurningItOn() {
        SecureClientHandler handler = clientHandler(ROOT.publicKey(), Clock.systemUTC(), false, INTERVAL);
        EmbeddedChannel client = client(handler);
        ByteBuf helloFrame = client.readOutbound();
        ClientHello hello = ClientHello.parse(helloFrame);
        helloFrame.release();
        // A gateway that ignores the client's flags: signed correctly, but compression on unasked.
        ServerHello serverHello = ServerHello.create(hello, EphemeralKey.generate(new SecureRandom()), new byte[32],
                1024, IDENTITY);
        client.writeInbound(Unpooled.wrappedBuffer(serverHello.encoded()));
        assertThat(failure(handler).reason()).isEqualTo(Reason.HANDSHAKE_FAILED);
        assertThat(failure(handler)).hasMessage("the gateway turned on compression unasked");
        assertThat(client.isOpen()).isFalse();
        assertThat(drain(client)).isEmpty();
    }

    @Test
    void aClientRefusesATamperedServerRecordWithRecordInvalid() {
        Pair pair = handshake();
        pair.server.writeAndFlush(packet(0, 1, "welcome"));
        pair.server.writeAndFlush(packet(0, 0, "next"));
        ByteBuf record = pair.server.readOutbound();
        record.setByte(5, record.getByte(5) ^ 0x20);
        assertThatThrownBy(() -> pair.client.writeInbound(record))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.RECORD_INVALID))
                .hasMessageContaining("record 0 failed authentication");
        assertThat(received(pair.client)).isEmpty();
    }

    @Test
    void aGatewayThatRefusedARecordReadsNothingMoreButStillSendsItsKick() {
        Pair pair = handshake();
        pair.client.writeAndFlush(packet(0, 1, "login"));
        pair.client.writeAndFlush(packet(0, 2, "next"));
        ByteBuf tampered = pair.client.readOutbound();
        tampered.setByte(tampered.writerIndex() - 1, tampered.getByte(tampered.writerIndex() - 1) ^ 1); // the tag
        assertThatThrownBy(() -> pair.server.writeInbound(tampered))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.RECORD_INVALID));
        pump(pair.client, pair.server);
        assertThat(received(pair.server)).as("inbound is dead").isEmpty();

        pair.server.writeAndFlush(SystemPackets.kick(Reason.RECORD_INVALID, "bad record"));
        pump(pair.server, pair.client);
        assertThat(received(pair.client)).containsExactly(SystemPackets.kick(Reason.RECORD_INVALID, "bad record"));
    }

    @Test
    void writingBeforeTheHandshakeFailsTheWritePromise() {
        SecureClientHandler handler = clientHandler();
        EmbeddedChannel client = client(handler);
        assertThat(drain(client)).as("the ClientHello").hasSize(1);
        ChannelFuture write = client.writeAndFlush(packet(0, 1, "too early"));
        assertThat(write.isDone()).isTrue();
        assertThat(write.cause()).isInstanceOf(IllegalStateException.class)
                .hasMessage("the handshake has not completed");
        assertThat(drain(client)).isEmpty();
        assertThat(handler.handshakeFuture()).isNotDone();
    }

    @Test
    void beforeTheHandshakeTheGatewaySendsOnlyAKickAsAHandshakeError() {
        SecureClientHandler handler = clientHandler();
        EmbeddedChannel client = client(handler);
        EmbeddedChannel server = server(serverHandler(0, INTERVAL));
        drain(client); // the ClientHello never reaches the gateway

        assertThat(server.writeAndFlush(packet(2, 0, "a push")).isSuccess()).as("dropped, not failed").isTrue();
        assertThat(drain(server)).isEmpty();

        server.writeAndFlush(SystemPackets.kick(Reason.CONNECTION_LIMIT, "gateway full"));
        List<byte[]> frames = pump(server, client);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)[0]).isEqualTo(HandshakeError.TYPE);
        JanusException cause = failure(handler);
        assertThat(cause.reason()).isEqualTo(Reason.CONNECTION_LIMIT);
        assertThat(cause).hasMessage("the gateway refused the handshake: gateway full");
    }

    @Test
    void aGatewayRefusesABadClientHelloAndReadsNothingMore() {
        SecureServerHandler handler = serverHandler(0, INTERVAL);
        EmbeddedChannel server = server(handler);
        byte[] bad = new byte[ClientHello.LENGTH];
        bad[0] = ClientHello.TYPE;
        bad[1] = 2;
        assertThatThrownBy(() -> server.writeInbound(Unpooled.wrappedBuffer(bad)))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION));
        assertThat(handler.isEstablished()).isFalse();

        EmbeddedChannel client = client(clientHandler());
        pump(client, server);
        assertThat(drain(server)).as("no ServerHello for a later, valid ClientHello").isEmpty();
        assertThat(handler.isEstablished()).isFalse();
    }

    @Test
    void aConnectionClosedBeforeTheServerHelloFailsTheHandshake() {
        SecureClientHandler handler = clientHandler();
        EmbeddedChannel client = client(handler);
        drain(client);
        client.close();
        JanusException cause = failure(handler);
        assertThat(cause.reason()).isEqualTo(Reason.HANDSHAKE_FAILED);
        assertThat(cause).hasMessage("the connection closed before the handshake completed");
    }
}
