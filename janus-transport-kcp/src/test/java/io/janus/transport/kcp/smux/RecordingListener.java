package io.janus.transport.kcp.smux;

import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Records what a session reports. Data is copied out and released at once, so a test leaks nothing
 * through it; {@link #autoConsume} makes it report every delivered byte consumed right away.
 */
final class RecordingListener implements SmuxSession.Listener {

    SmuxSession session;
    boolean autoConsume = true;
    final List<Integer> opened = new ArrayList<>();
    final List<Integer> closed = new ArrayList<>();
    final List<Integer> refused = new ArrayList<>();
    final List<ProtocolException> refusals = new ArrayList<>();
    final List<String> writability = new ArrayList<>();
    final List<Boolean> pauses = new ArrayList<>();
    final Map<Integer, ByteArrayOutputStream> data = new LinkedHashMap<>();
    final Map<Integer, Integer> unconsumed = new LinkedHashMap<>();
    ProtocolException failure;
    IntConsumer onOpened = sid -> {};

    @Override
    public void streamOpened(int streamId) {
        opened.add(streamId);
        onOpened.accept(streamId);
    }

    @Override
    public void streamData(int streamId, ByteBuf buf) {
        try {
            int n = buf.readableBytes();
            byte[] bytes = new byte[n];
            buf.readBytes(bytes);
            data.computeIfAbsent(streamId, k -> new ByteArrayOutputStream()).writeBytes(bytes);
            if (autoConsume) {
                session.consumed(streamId, n);
            } else {
                unconsumed.merge(streamId, n, Integer::sum);
            }
        } finally {
            buf.release();
        }
    }

    /** Consumes everything delivered and not yet consumed on a stream. */
    void consumeAll(int streamId) {
        Integer n = unconsumed.remove(streamId);
        if (n != null) {
            session.consumed(streamId, n);
        }
    }

    /** Consumes up to {@code max} bytes delivered and not yet consumed on a stream; returns how many. */
    int consumeSome(int streamId, int max) {
        int n = Math.min(max, unconsumed.getOrDefault(streamId, 0));
        if (n > 0) {
            unconsumed.merge(streamId, -n, Integer::sum);
            unconsumed.remove(streamId, 0);
            session.consumed(streamId, n);
        }
        return n;
    }

    int receivedCount(int streamId) {
        ByteArrayOutputStream out = data.get(streamId);
        return out == null ? 0 : out.size();
    }

    byte[] received(int streamId) {
        ByteArrayOutputStream out = data.get(streamId);
        return out == null ? new byte[0] : out.toByteArray();
    }

    @Override
    public void streamClosed(int streamId) {
        closed.add(streamId);
    }

    @Override
    public void streamRefused(int streamId, ProtocolException cause) {
        refused.add(streamId);
        refusals.add(cause);
    }

    @Override
    public void writabilityChanged(int streamId, boolean writable) {
        writability.add(streamId + ":" + writable);
    }

    @Override
    public void inputPausedChanged(boolean paused) {
        pauses.add(paused);
    }

    @Override
    public void sessionFailed(ProtocolException cause) {
        if (failure != null) {
            throw new AssertionError("sessionFailed twice: " + failure + ", then " + cause);
        }
        failure = cause;
    }
}
