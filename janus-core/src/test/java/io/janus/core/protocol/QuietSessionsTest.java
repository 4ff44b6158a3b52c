package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuietSessions} with a real handshake between a {@link SecureClientHandler} and a
 * {@link SecureServerHandler} in two {@link EmbeddedChannel}s (whose event loop is the test thread): a
 * session quiet for a whole sweep period drops its cipher engines, keeps working afterwards with new
 * ones, and leaves the sweep when its channel closes.
 */
class QuietSessionsTest {

    private static final SigningKey ROOT = SigningKey.generate();
    private static final GatewayIdentity IDENTITY = GatewayIdentity.generate(ROOT, "quiet-gw", Duration.ofHours(1));

    private EmbeddedChannel client;
    private EmbeddedChannel server;
    private SecureServerHandler serverHandler;

    @AfterEach
    void close() {
        if (client != null) {
            client.finishAndReleaseAll();
        }
        if (server != null) {
            server.finishAndReleaseAll();
        }
    }

    private void connect() {
        SecureClientHandler clientHandler = new SecureClientHandler(List.of(ROOT.publicKey()), Clock.systemUTC(),
                Duration.ofMinutes(5), false, 1 << 20, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        client = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(SecureClientHandler.name(), clientHandler)
                        .addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
            }
        });
        serverHandler = new SecureServerHandler(IDENTITY, 0, 1 << 20, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        server = new EmbeddedChannel();
        server.pipeline().addLast(SecureServerHandler.name(), serverHandler).addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
        pump(client, server);
        pump(server, client);
        assertThat(clientHandler.handshakeFuture()).isCompleted();
        assertThat(serverHandler.isEstablished()).isTrue();
    }

    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        for (ByteBuf frame; (frame = from.readOutbound()) != null; ) {
            to.writeInbound(frame);
        }
    }

    private static Packet packet(String body) {
        return Packet.newBuilder().setModule(3).setSeq(1).setBody(ByteString.copyFromUtf8(body)).build();
    }

    /** One packet each way; returns what the client received. */
    private Packet roundTrip(String body) {
        client.writeOutbound(packet(body));
        pump(client, server);
        Packet atServer = server.readInbound();
        assertThat(atServer.getBody().toStringUtf8()).isEqualTo(body);
        server.writeOutbound(packet("re: " + body));
        pump(server, client);
        return client.readInbound();
    }

    @Test
    void aSessionQuietForAWholePeriodDropsItsEnginesAndGetsNewOnesWithItsNextRecord() {
        int before = QuietSessions.size();
        connect();
        assertThat(QuietSessions.size()).isEqualTo(before + 1);
        assertThat(serverHandler.holdsCipherEngines()).isTrue();

        // The period in which the handshake happened counts as active; the next quiet one does not.
        QuietSessions.sweepThisThread();
        assertThat(serverHandler.holdsCipherEngines()).isTrue();
        QuietSessions.sweepThisThread();
        assertThat(serverHandler.holdsCipherEngines()).isFalse();

        // Records after the drop: both directions still open and seal under the session's keys.
        assertThat(roundTrip("after a quiet while").getBody().toStringUtf8()).isEqualTo("re: after a quiet while");
        assertThat(serverHandler.holdsCipherEngines()).isTrue();
    }

    @Test
    void aSessionWithTrafficInEveryPeriodKeepsItsEngines() {
        connect();
        for (int i = 0; i < 3; i++) {
            QuietSessions.sweepThisThread();
            assertThat(roundTrip("tick " + i).getBody().toStringUtf8()).isEqualTo("re: tick " + i);
            assertThat(serverHandler.holdsCipherEngines()).isTrue();
        }
    }

    @Test
    void aClosedSessionLeavesTheSweep() {
        int before = QuietSessions.size();
        connect();
        assertThat(QuietSessions.size()).isEqualTo(before + 1);
        // Closing makes the handler leave twice (inactive, then removed with the pipeline): harmless.
        server.close();
        assertThat(QuietSessions.size()).isEqualTo(before);
    }

    @Test
    void aHandlerRemovedFromAnOpenChannelLeavesTheSweep() {
        int before = QuietSessions.size();
        connect();
        server.pipeline().remove(SecureServerHandler.name());
        assertThat(QuietSessions.size()).isEqualTo(before);
    }
}
