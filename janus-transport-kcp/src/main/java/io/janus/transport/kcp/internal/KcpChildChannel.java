package io.janus.transport.kcp.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;

/**
 * One KCP conversation seen as a Netty channel of bytes, the way Netty's {@code LocalChannel} and HTTP/2
 * stream channels are virtual children of a real one: no socket of its own, registered on the event loop
 * of the datagram channel that carries it, which is the only thread that touches it and its
 * {@link KcpSession}.
 *
 * <p>Reads hand over what the engine delivered in order ({@link io.janus.transport.kcp.protocol.Kcp#receive});
 * with auto-read off nothing is taken from the engine until {@code read()}, so its receive window fills
 * and the peer stops sending (flow control end to end). Writes move bytes into the engine while its send
 * queue has room; the rest stays in the channel's outbound buffer, which makes the channel unwritable at
 * its high water mark, and is moved on as ACKs free the queue.
 */
final class KcpChildChannel extends AbstractChannel {

    /** Where a child channel's bytes come from and go to: a bare KCP conversation, or one smux stream. */
    interface Port {
        /**
         * Takes the readable bytes of {@code data} if there is room.
         *
         * @param data the bytes; read when taken, never released
         * @return whether they were taken
         */
        boolean offer(ByteBuf data);

        /** Sends what was offered. */
        void flush();

        /**
         * The next chunk received in order.
         *
         * @return the chunk, owned by the caller, or {@code null}
         */
        ByteBuf poll();

        /**
         * Called before a chunk goes to the pipeline.
         *
         * @param channel the channel
         * @param bytes the chunk's size
         */
        void delivering(KcpChildChannel channel, int bytes);

        /** The channel closed. */
        void closed();

        /** The local address. */
        SocketAddress localAddress();

        /** The remote address. */
        SocketAddress remoteAddress();
    }

    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    /** Messages handed to the pipeline per read before other work on the loop gets a turn. */
    private static final int MAX_MESSAGES_PER_READ = 64;

    private final Port session;
    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private volatile boolean open = true;
    private boolean readRequested;
    private boolean readScheduled;

    KcpChildChannel(Channel parent, Port session) {
        super(parent);
        this.session = session;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new KcpUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return session.localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return session.remoteAddress();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a KCP session channel is bound by its datagram channel");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        if (open) {
            open = false;
            session.closed();
        }
    }

    @Override
    protected void doBeginRead() {
        readRequested = true;
        readInbound();
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + msg.getClass().getName()
                + " (expected: ByteBuf)");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        boolean moved = false;
        for (;;) {
            Object msg = in.current();
            if (msg == null) {
                break;
            }
            ByteBuf buf = (ByteBuf) msg;
            if (buf.isReadable() && !session.offer(buf)) {
                break; // the engine's send queue is full: resumed by writeMore() when ACKs free it
            }
            in.remove();
            moved = true;
        }
        if (moved) {
            session.flush();
        }
    }

    /** Hands what the engine delivered to the pipeline, if a read is requested. */
    void readInbound() {
        if (!open || !readRequested) {
            return;
        }
        ChannelPipeline pipeline = pipeline();
        boolean any = false;
        int budget = MAX_MESSAGES_PER_READ;
        while (open && readRequested && budget > 0) {
            ByteBuf chunk = session.poll();
            if (chunk == null) {
                break;
            }
            if (!chunk.isReadable()) {
                chunk.release(); // the empty segment that opens a bare conversation
                continue;
            }
            budget--;
            any = true;
            session.delivering(this, chunk.readableBytes());
            pipeline.fireChannelRead(chunk);
        }
        if (any) {
            if (!config.isAutoRead()) {
                readRequested = false;
            }
            pipeline.fireChannelReadComplete();
        }
        if (budget == 0 && open && readRequested && !readScheduled) {
            readScheduled = true;
            eventLoop().execute(() -> {
                readScheduled = false;
                readInbound();
            });
        }
    }

    /** Moves more of the outbound buffer into the engine, after ACKs made room. */
    void writeMore() {
        if (open && unsafe().outboundBuffer() != null && !unsafe().outboundBuffer().isEmpty()) {
            ((KcpUnsafe) unsafe()).writeMore();
        }
    }

    private final class KcpUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a KCP session channel is connected already"));
        }

        void writeMore() {
            flush0();
        }
    }
}
