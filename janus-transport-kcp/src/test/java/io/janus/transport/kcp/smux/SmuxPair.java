package io.janus.transport.kcp.smux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A client and a server {@link SmuxSession} back to back in memory. What each sends is queued and
 * delivered to the other by {@link #pump()}, optionally cut into pieces, so no callback runs inside
 * another session's call.
 */
final class SmuxPair implements AutoCloseable {

    final RecordingListener clientEvents = new RecordingListener();
    final RecordingListener serverEvents = new RecordingListener();
    final ArrayDeque<ByteBuf> toServer = new ArrayDeque<>();
    final ArrayDeque<ByteBuf> toClient = new ArrayDeque<>();
    final SmuxSession client;
    final SmuxSession server;
    /** Largest piece delivered at once; larger buffers are cut. */
    int chunk = Integer.MAX_VALUE;

    SmuxPair(SmuxConfig clientConfig, SmuxConfig serverConfig) {
        this(clientConfig, serverConfig, ByteBufAllocator.DEFAULT);
    }

    SmuxPair(SmuxConfig clientConfig, SmuxConfig serverConfig, ByteBufAllocator alloc) {
        client = SmuxSession.client(clientConfig, alloc, toServer::add, clientEvents, 0);
        server = SmuxSession.server(serverConfig, alloc, toClient::add, serverEvents, 0);
        clientEvents.session = client;
        serverEvents.session = server;
    }

    SmuxPair(SmuxConfig both) {
        this(both, both);
    }

    /** Delivers queued bytes both ways until nothing is left (bounded rounds); returns the bytes moved. */
    long pump() {
        long moved = 0;
        for (int round = 0; round < 100_000 && !(toServer.isEmpty() && toClient.isEmpty()); round++) {
            moved += deliver(toServer, server::onBytes);
            moved += deliver(toClient, client::onBytes);
        }
        if (!toServer.isEmpty() || !toClient.isEmpty()) {
            throw new AssertionError("pump did not settle");
        }
        return moved;
    }

    private long deliver(ArrayDeque<ByteBuf> queue, Consumer<ByteBuf> to) {
        long moved = 0;
        int n = queue.size();
        for (int i = 0; i < n; i++) {
            ByteBuf buf = queue.poll();
            moved += buf.readableBytes();
            while (buf.readableBytes() > chunk) {
                to.accept(buf.readRetainedSlice(chunk));
            }
            to.accept(buf);
        }
        return moved;
    }

    static ByteBuf bytes(byte[] b) {
        // Pooled, so that PARANOID leak detection tracks the buffers the sessions are given.
        return ByteBufAllocator.DEFAULT.buffer(b.length).writeBytes(b);
    }

    @Override
    public void close() {
        client.close();
        server.close();
        ByteBuf b;
        while ((b = toServer.poll()) != null) {
            b.release();
        }
        while ((b = toClient.poll()) != null) {
            b.release();
        }
    }
}
