package io.janus.transport.kcp.internal;

import io.janus.core.ProtocolException;
import io.janus.transport.kcp.protocol.Kcp;
import io.janus.transport.kcp.smux.SmuxConfig;
import io.janus.transport.kcp.smux.SmuxSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The smux layer of one {@link KcpSession}: an {@link SmuxSession} (xtaci/smux v1/v2, from the smux
 * package) over the conversation's byte stream, and one {@link KcpChildChannel} per smux stream, so each
 * stream is one Janus connection with its own framing, handshake and session.
 *
 * <p>Bounds: streams are capped by {@link SmuxConfig#maxStreams()}; the bytes waiting in the streams'
 * inbound queues count as unconsumed for smux until a child hands them to its pipeline, and smux pauses
 * this side's input (the session stops draining the KCP receive queue, whose window then closes) at its
 * receive buffer; a stream takes outbound bytes only while the engine's send queue is below its limit
 * (smux's control frames, a few bytes each, may go past it). Runs on the session's loop.
 */
final class SmuxStreams implements SmuxSession.Listener {

    private final KcpSession session;
    private final Channel parent;
    private final Consumer<KcpChildChannel> childInit;
    private final SmuxSession smux;
    /** Bounded by the smux session's maxStreams. */
    private final Map<Integer, StreamPort> streams = new HashMap<>();
    private final int sendLimit;
    private boolean inputPaused;

    SmuxStreams(KcpSession session, Channel parent, Consumer<KcpChildChannel> childInit, boolean client,
            SmuxConfig config, Kcp kcp, long now) {
        this.session = session;
        this.parent = parent;
        this.childInit = childInit;
        this.sendLimit = kcp.sendQueueLimit();
        // smux's frames always go into the engine; the streams check the limit before they write.
        kcp.setSendQueueLimit(Integer.MAX_VALUE);
        Consumer<ByteBuf> output = frame -> {
            try {
                kcp.send(frame);
            } finally {
                frame.release();
            }
        };
        this.smux = client ? SmuxSession.client(config, parent.alloc(), output, this, now)
                : SmuxSession.server(config, parent.alloc(), output, this, now);
    }

    SmuxSession smux() {
        return smux;
    }

    /** Opens a stream from this side (the client) and its child channel. */
    KcpChildChannel openStream() {
        int id = smux.openStream();
        return newStream(id);
    }

    private KcpChildChannel newStream(int id) {
        StreamPort port = new StreamPort(id);
        streams.put(id, port);
        port.channel = new KcpChildChannel(parent, port);
        childInit.accept(port.channel);
        return port.channel;
    }

    /** Moves what the engine received into smux, unless smux paused the input. */
    void pump(Kcp kcp) {
        while (!inputPaused && !smux.isClosed()) {
            ByteBuf chunk = kcp.receive();
            if (chunk == null) {
                break;
            }
            smux.onBytes(chunk);
        }
        writeMore();
    }

    /** Lets every stream move queued writes into the engine, after ACKs made room. */
    void writeMore() {
        for (StreamPort port : new ArrayList<>(streams.values())) {
            port.channel.writeMore();
        }
    }

    void tick(long now) {
        smux.tick(now);
    }

    int streamCount() {
        return streams.size();
    }

    /** Fires {@code cause} into every stream's pipeline (the session layer closes each with its reason). */
    void fireIntoAll(ProtocolException cause) {
        for (StreamPort port : new ArrayList<>(streams.values())) {
            port.channel.pipeline().fireExceptionCaught(cause);
        }
    }

    /** Closes every stream channel and the smux session (the KCP session ends). */
    void closeAll() {
        for (StreamPort port : new ArrayList<>(streams.values())) {
            port.channel.close();
        }
        streams.clear();
        smux.close();
    }

    @Override
    public void streamOpened(int streamId) {
        if (!session.acceptsStreams()) {
            smux.closeStream(streamId); // the gateway is stopping: answer the SYN with a FIN
            return;
        }
        newStream(streamId);
    }

    @Override
    public void streamData(int streamId, ByteBuf data) {
        StreamPort port = streams.get(streamId);
        if (port == null) {
            data.release();
            return;
        }
        port.inbound.add(data);
        port.channel.readInbound();
    }

    @Override
    public void streamClosed(int streamId) {
        StreamPort port = streams.get(streamId);
        if (port != null) {
            port.channel.close();
        }
    }

    @Override
    public void writabilityChanged(int streamId, boolean writable) {
        StreamPort port = streams.get(streamId);
        if (writable && port != null) {
            port.channel.writeMore();
        }
    }

    @Override
    public void inputPausedChanged(boolean paused) {
        inputPaused = paused;
    }

    @Override
    public void sessionFailed(ProtocolException cause) {
        session.smuxFailed(cause, !streams.isEmpty());
    }

    /** One smux stream seen by its child channel. */
    private final class StreamPort implements KcpChildChannel.Port {
        final int id;
        /** Bounded by smux's receive buffer: unconsumed bytes pause the input. */
        final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
        KcpChildChannel channel;

        StreamPort(int id) {
            this.id = id;
        }

        @Override
        public boolean offer(ByteBuf data) {
            if (session.kcp().waitSnd() >= sendLimit || !smux.isWritable(id)) {
                return false;
            }
            int n = data.readableBytes();
            boolean taken = smux.write(id, data.retainedSlice());
            if (taken) {
                data.skipBytes(n);
            }
            return taken;
        }

        @Override
        public void flush() {
            session.flushKcp();
        }

        @Override
        public ByteBuf poll() {
            return inbound.poll();
        }

        @Override
        public void delivering(KcpChildChannel child, int bytes) {
            session.markProvenIfHelloDone(child);
            smux.consumed(id, bytes);
        }

        @Override
        public void closed() {
            streams.remove(id);
            for (ByteBuf b = inbound.poll(); b != null; b = inbound.poll()) {
                b.release();
            }
            smux.closeStream(id);
            session.flushKcp();
            session.streamClosed();
        }

        @Override
        public SocketAddress localAddress() {
            return session.localAddress();
        }

        @Override
        public SocketAddress remoteAddress() {
            return session.remoteAddress();
        }
    }
}
