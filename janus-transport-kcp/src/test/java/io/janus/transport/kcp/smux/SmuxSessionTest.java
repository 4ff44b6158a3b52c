package io.janus.transport.kcp.smux;

import static io.janus.transport.kcp.smux.SmuxPair.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A client and a server session back to back: streams, data, FIN, windows, keepalive, limits. */
class SmuxSessionTest {

    private SmuxPair pair;

    @AfterEach
    void closePair() {
        if (pair != null) {
            pair.close();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void streamOpensCarriesDataBothWaysAndCloses(int version) {
        pair = new SmuxPair(SmuxConfig.builder().version(version).maxFrameSize(1000).build());
        int sid = pair.client.openStream();
        assertThat(sid).isEqualTo(3); // xtaci/smux's client counter starts at 1 and adds 2 before use
        pair.pump();
        assertThat(pair.serverEvents.opened).containsExactly(sid);

        byte[] up = random(5000, 1);
        byte[] down = random(7000, 2);
        assertThat(pair.client.write(sid, bytes(up))).isTrue();
        assertThat(pair.server.write(sid, bytes(down))).isTrue();
        pair.pump();
        assertThat(pair.serverEvents.received(sid)).isEqualTo(up);
        assertThat(pair.clientEvents.received(sid)).isEqualTo(down);

        pair.client.closeStream(sid);
        pair.pump();
        assertThat(pair.serverEvents.closed).containsExactly(sid);
        assertThat(pair.server.isWritable(sid)).isFalse();
        assertThat(pair.server.write(sid, bytes(new byte[] {1}))).isFalse();
        pair.server.closeStream(sid);
        pair.pump();
        assertThat(pair.client.streamCount()).isZero();
        assertThat(pair.server.streamCount()).isZero();
        // The server's answering FIN reached a client that had forgotten the stream: dropped, counted.
        assertThat(pair.client.stats().framesForClosedStreams()).isEqualTo(1);
        assertThat(pair.client.stats().failure()).isNull();
        assertThat(pair.server.stats().failure()).isNull();
        assertThat(pair.server.stats().unconsumedBytes()).isZero();
    }

    @Test
    void writesAreSplitIntoFramesOfAtMostMaxFrameSize() {
        pair = new SmuxPair(SmuxConfig.builder().maxFrameSize(100).build());
        int sid = pair.client.openStream();
        pair.client.write(sid, bytes(random(1001, 3)));
        assertThat(pair.toServer).hasSize(1 + 11);
        assertThat(pair.toServer.stream().skip(1).mapToInt(b -> b.readableBytes() - SmuxFrame.HEADER_SIZE))
                .allMatch(n -> n <= 100);
        pair.pump();
        assertThat(pair.serverEvents.received(sid)).hasSize(1001);
    }

    @Test
    void serverOpensEvenStreamsAndManyStreamsInterleave() {
        pair = new SmuxPair(SmuxConfig.builder().version(2).build());
        int a = pair.client.openStream();
        int b = pair.client.openStream();
        int c = pair.server.openStream();
        assertThat(new int[] {a, b, c}).containsExactly(3, 5, 2);
        pair.client.write(a, bytes("to-a".getBytes(StandardCharsets.UTF_8)));
        pair.client.write(b, bytes("to-b".getBytes(StandardCharsets.UTF_8)));
        pair.server.write(c, bytes("to-c".getBytes(StandardCharsets.UTF_8)));
        pair.pump();
        assertThat(pair.serverEvents.opened).containsExactly(a, b);
        assertThat(pair.clientEvents.opened).containsExactly(c);
        assertThat(new String(pair.serverEvents.received(b), StandardCharsets.UTF_8)).isEqualTo("to-b");
        assertThat(new String(pair.clientEvents.received(c), StandardCharsets.UTF_8)).isEqualTo("to-c");
    }

    @Test
    void version2WindowStallsTheWriterUntilTheReaderConsumesAndSendsUpd() {
        // The reader's window (64 KiB) only counts after its first UPD; until then the writer may send
        // xtaci's initial guess, 256 KiB.
        SmuxConfig config = SmuxConfig.builder().version(2).maxFrameSize(16_384).streamWindow(65_536)
                .maxPendingWriteBytes(600_000).build();
        pair = new SmuxPair(config);
        pair.serverEvents.autoConsume = false;
        int sid = pair.client.openStream();
        byte[] payload = random(400_000, 4);
        assertThat(pair.client.write(sid, bytes(payload))).isTrue();
        pair.pump();
        assertThat(pair.serverEvents.received(sid)).hasSize(SmuxConfig.INITIAL_PEER_WINDOW);
        assertThat(pair.client.stats().writeStalls()).isEqualTo(1);

        // Consuming everything sends a UPD (first consumption): consumed 262144, window 65536.
        pair.serverEvents.consumeAll(sid);
        pair.pump();
        assertThat(pair.serverEvents.received(sid)).hasSize(SmuxConfig.INITIAL_PEER_WINDOW + 65_536);

        // Each further consumption of half a window or more sends a UPD, until all has arrived.
        for (int i = 0; i < 20 && pair.serverEvents.received(sid).length < payload.length; i++) {
            pair.serverEvents.consumeAll(sid);
            pair.pump();
        }
        assertThat(pair.serverEvents.received(sid)).isEqualTo(payload);
        assertThat(pair.server.stats().failure()).isNull();
    }

    @Test
    void version2FullQueueMakesTheStreamUnwritableAndWritableAgainAtHalf() {
        SmuxConfig config = SmuxConfig.builder().version(2).streamWindow(65_536).maxPendingWriteBytes(100_000)
                .build();
        pair = new SmuxPair(config);
        pair.serverEvents.autoConsume = false;
        int sid = pair.client.openStream();
        pair.pump();
        // 256 KiB go out at once, 150000 wait: more than the bound.
        assertThat(pair.client.write(sid, bytes(random(SmuxConfig.INITIAL_PEER_WINDOW + 150_000, 5)))).isTrue();
        assertThat(pair.client.isWritable(sid)).isFalse();
        assertThat(pair.clientEvents.writability).containsExactly(sid + ":false");
        assertThat(pair.client.write(sid, bytes(new byte[10]))).isFalse();
        assertThat(pair.client.stats().writesRefused()).isEqualTo(1);

        pair.pump();
        pair.serverEvents.consumeAll(sid); // UPD: window 65536 from 262144 -> 65536 more go out
        pair.pump();
        assertThat(pair.client.isWritable(sid)).isFalse(); // 84464 pending: above half the bound
        pair.serverEvents.consumeAll(sid);
        pair.pump();
        assertThat(pair.client.isWritable(sid)).isTrue(); // 18928 pending
        assertThat(pair.clientEvents.writability).containsExactly(sid + ":false", sid + ":true");
    }

    @Test
    void closeWithQueuedDataSendsFinAfterTheData() {
        SmuxConfig config = SmuxConfig.builder().version(2).build();
        pair = new SmuxPair(config);
        pair.serverEvents.autoConsume = false;
        int sid = pair.client.openStream();
        byte[] payload = random(SmuxConfig.INITIAL_PEER_WINDOW + 1000, 6);
        pair.client.write(sid, bytes(payload));
        pair.client.closeStream(sid);
        assertThat(pair.client.streamCount()).isEqualTo(1); // waits for the window
        pair.pump();
        assertThat(pair.serverEvents.closed).isEmpty();
        pair.serverEvents.consumeAll(sid);
        pair.pump();
        assertThat(pair.serverEvents.received(sid)).isEqualTo(payload);
        assertThat(pair.serverEvents.closed).containsExactly(sid);
        assertThat(pair.client.streamCount()).isZero();
    }

    @Test
    void keepaliveSendsNopsAndFailsAfterATimeoutWithoutFrames() {
        SmuxConfig config = SmuxConfig.builder().keepAliveInterval(Duration.ofSeconds(10))
                .keepAliveTimeout(Duration.ofSeconds(30)).build();
        pair = new SmuxPair(config);
        pair.client.tick(10_000);
        assertThat(pair.client.stats().keepalivesSent()).isEqualTo(1);
        pair.pump(); // the server saw a frame
        pair.server.tick(30_000);
        assertThat(pair.server.isClosed()).isFalse();

        // From now on the client is silent: the server's next check finds nothing.
        pair.server.tick(59_999);
        assertThat(pair.server.isClosed()).isFalse();
        pair.server.tick(60_000);
        assertThat(pair.server.isClosed()).isTrue();
        assertThat(pair.serverEvents.failure.reason()).isEqualTo(Reason.SMUX_KEEPALIVE_TIMEOUT);
        assertThat(pair.server.stats().failure()).isEqualTo(Reason.SMUX_KEEPALIVE_TIMEOUT);
        pair.toClient.forEach(b -> b.release());
        pair.toClient.clear();
    }

    @Test
    void keepalivesBothWaysKeepTheSessionAlive() {
        pair = new SmuxPair(SmuxConfig.builder().keepAliveInterval(Duration.ofSeconds(10))
                .keepAliveTimeout(Duration.ofSeconds(30)).build());
        for (long now = 1_000; now <= 300_000; now += 1_000) {
            pair.client.tick(now);
            pair.server.tick(now);
            pair.pump();
        }
        assertThat(pair.client.isClosed()).isFalse();
        assertThat(pair.server.isClosed()).isFalse();
        assertThat(pair.server.stats().keepalivesSent()).isEqualTo(30);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void serverAcceptsTheVersionItsClientSpeaks(int version) {
        pair = new SmuxPair(SmuxConfig.builder().version(version).build(),
                SmuxConfig.builder().version(SmuxConfig.ACCEPT_CLIENT_VERSION).build());
        assertThat(pair.server.version()).isZero();
        assertThatThrownBy(pair.server::openStream).isInstanceOf(IllegalStateException.class);
        int sid = pair.client.openStream();
        pair.client.write(sid, bytes(new byte[] {42}));
        pair.pump();
        assertThat(pair.server.version()).isEqualTo(version);
        pair.server.write(sid, bytes(new byte[] {43}));
        pair.pump();
        assertThat(pair.clientEvents.received(sid)).containsExactly(43);
        assertThat(pair.client.stats().failure()).isNull();
    }

    @Test
    void streamsBeyondTheLimitAreRefusedWithFinAndTheSessionGoesOn() {
        pair = new SmuxPair(SmuxConfig.builder().maxStreams(4).build(),
                SmuxConfig.builder().maxStreams(2).build());
        int a = pair.client.openStream();
        int b = pair.client.openStream();
        int c = pair.client.openStream();
        pair.client.write(c, bytes(new byte[] {1, 2, 3}));
        pair.pump();
        assertThat(pair.serverEvents.opened).containsExactly(a, b);
        assertThat(pair.serverEvents.refused).containsExactly(c);
        assertThat(pair.serverEvents.refusals.get(0).reason()).isEqualTo(Reason.SMUX_TOO_MANY_STREAMS);
        assertThat(pair.server.stats().streamsRefused()).isEqualTo(1);
        assertThat(pair.server.stats().framesForClosedStreams()).isEqualTo(1); // the PSH on c
        assertThat(pair.clientEvents.closed).containsExactly(c);
        assertThat(pair.server.isClosed()).isFalse();
        assertThatThrownBy(() -> {
            pair.client.closeStream(c);
            pair.client.openStream();
            pair.client.openStream();
            pair.client.openStream();
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("maxStreams");
    }

    @Test
    void unconsumedDataPausesInputAndConsumingResumesIt() {
        pair = new SmuxPair(SmuxConfig.builder().receiveBuffer(10_000).build());
        pair.serverEvents.autoConsume = false;
        int sid = pair.client.openStream();
        pair.client.write(sid, bytes(new byte[9_999]));
        pair.pump();
        assertThat(pair.server.isInputPaused()).isFalse();
        pair.client.write(sid, bytes(new byte[1]));
        pair.pump();
        assertThat(pair.server.isInputPaused()).isTrue();
        assertThat(pair.server.stats().unconsumedBytes()).isEqualTo(10_000);
        // A paused session does not time out: the transport was told to stop reading.
        pair.server.tick(30_000);
        pair.server.tick(60_000);
        assertThat(pair.server.isClosed()).isFalse();
        pair.serverEvents.consumeAll(sid);
        assertThat(pair.server.isInputPaused()).isFalse();
        assertThat(pair.serverEvents.pauses).containsExactly(true, false);
    }

    @Test
    void closeReleasesQueuedWritesAndIgnoresLaterInput() {
        pair = new SmuxPair(SmuxConfig.builder().version(2).build());
        pair.serverEvents.autoConsume = false;
        int sid = pair.client.openStream();
        pair.client.write(sid, bytes(new byte[SmuxConfig.INITIAL_PEER_WINDOW + 5000]));
        pair.client.close();
        assertThat(pair.client.isClosed()).isTrue();
        assertThat(pair.client.write(sid, bytes(new byte[1]))).isFalse();
        pair.client.onBytes(bytes(new byte[] {1, 3, 0, 0, 0, 0, 0, 0}));
        assertThat(pair.clientEvents.failure).isNull();
        pair.client.close(); // idempotent
        // PARANOID leak detection (LeakDetectionExtension) fails the test if the queue was not released.
    }
    @Test
    void listenerMayCloseTheSessionInTheMiddleOfAnInput() {
        pair = new SmuxPair(SmuxConfig.defaults());
        int sid = pair.client.openStream();
        pair.client.write(sid, bytes(new byte[] {1}));
        pair.client.write(sid, bytes(new byte[] {2}));
        pair.client.write(sid, bytes(new byte[] {3}));
        pair.serverEvents.onOpened = opened -> pair.server.close();
        // All four frames in one input: the close in streamOpened stops the rest.
        io.netty.buffer.ByteBuf all = io.netty.buffer.ByteBufAllocator.DEFAULT.buffer();
        pair.toServer.forEach(b -> {
            all.writeBytes(b);
            b.release();
        });
        pair.toServer.clear();
        pair.server.onBytes(all);
        assertThat(pair.serverEvents.opened).containsExactly(sid);
        assertThat(pair.serverEvents.data).isEmpty();
        assertThat(all.refCnt()).isZero();
    }

    @Test
    void listenerMayCloseAStreamAsSoonAsItOpens() {
        pair = new SmuxPair(SmuxConfig.builder().version(2).build());
        pair.serverEvents.onOpened = opened -> pair.server.closeStream(opened);
        int sid = pair.client.openStream();
        pair.client.write(sid, bytes(new byte[100]));
        pair.pump();
        assertThat(pair.clientEvents.closed).containsExactly(sid);
        assertThat(pair.server.stats().framesForClosedStreams()).isEqualTo(1);
        assertThat(pair.server.streamCount()).isZero();
    }

    @Test
    void aThrowingListenerClosesTheSessionAndNothingLeaks() {
        pair = new SmuxPair(SmuxConfig.defaults());
        int sid = pair.client.openStream();
        pair.client.write(sid, bytes(new byte[] {1, 2}));
        pair.serverEvents.onOpened = opened -> {
            throw new IllegalStateException("game code failed");
        };
        assertThatThrownBy(pair::pump).isInstanceOf(IllegalStateException.class);
        assertThat(pair.server.isClosed()).isTrue();
    }
}
