package io.janus.core.internal;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.game.Push;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The gateway's {@link Session}: a channel, its identity once logged in, and how it closed. */
public final class DefaultSession implements Session {

    /** How long a kick may take to reach the client before the connection is cut anyway. */
    private static final long KICK_GRACE_MILLIS = 1000;

    private final long id;
    private final Channel channel;
    private final String transport;
    private final GatewayRuntime runtime;
    private final ConcurrentMap<String, Object> attributes = new ConcurrentHashMap<>();
    private final AtomicReference<Reason> closeReason = new AtomicReference<>();
    private final CompletableFuture<Reason> closeFuture = new CompletableFuture<>();
    private volatile SessionInfo info;
    private volatile long rttMillis = -1;

    DefaultSession(long id, Channel channel, String transport, GatewayRuntime runtime) {
        this.id = id;
        this.channel = channel;
        this.transport = transport;
        this.runtime = runtime;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public Identity identity() {
        SessionInfo i = info;
        return i == null ? null : i.identity();
    }

    @Override
    public SessionInfo info() {
        return info;
    }

    void loggedIn(SessionInfo info) {
        this.info = info;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public boolean isActive() {
        return channel.isActive() && closeReason.get() == null;
    }

    /** Whether {@link #close} was called or the connection ended. */
    boolean isClosing() {
        return closeReason.get() != null;
    }

    @Override
    public ConcurrentMap<String, Object> attributes() {
        return attributes;
    }

    @Override
    public boolean push(Push push) {
        if (info == null) {
            return false;
        }
        return write(Packet.newBuilder()
                .setModule(push.module())
                .setSeq(push.seq())
                .setObj(push.obj())
                .setBody(push.body())
                .build());
    }

    @Override
    public boolean notice(String text) {
        if (info == null) {
            return false;
        }
        return write(SystemPackets.packet(io.janus.api.SystemSeq.NOTICE, 0,
                io.janus.api.Notice.newBuilder().setText(text).build()));
    }

    @Override
    public long rttMillis() {
        return rttMillis;
    }

    void reportedRtt(long millis) {
        rttMillis = millis;
    }

    /**
     * Queues a packet for the client, from any thread. A session whose queued outbound bytes pass
     * {@code maxOutboundBytes} is closed as a slow consumer instead of buffering more.
     *
     * @param packet the packet
     * @return whether the packet was queued
     */
    boolean write(Packet packet) {
        if (!isActive()) {
            return false;
        }
        // bytesBeforeWritable() is what must drain to get below the low water mark; queued bytes are
        // that plus the low water mark. Packets queued from other threads are counted at submission by
        // PacketSizeEstimator, so a flood of pushes cannot hide in the event loop's task queue.
        if (!channel.isWritable()
                && channel.bytesBeforeWritable() + runtime.options().outboundLowWaterMark()
                        > runtime.options().maxOutboundBytes()) {
            close(Reason.SLOW_CONSUMER, "more than " + runtime.options().maxOutboundBytes()
                    + " outbound bytes queued; the client does not read");
            return false;
        }
        channel.writeAndFlush(packet, channel.voidPromise());
        return true;
    }

    @Override
    public void close(Reason reason, String message) {
        close(reason, message, true);
    }

    /**
     * Closes the session once; later calls are ignored. The reason is counted, logged and, unless
     * {@code notify} is false or the client does not read anyway, sent to the client in a kick.
     *
     * @param reason why
     * @param message detail
     * @param notify whether to send a kick first
     */
    void close(Reason reason, String message, boolean notify) {
        if (!closeReason.compareAndSet(null, reason)) {
            return;
        }
        runtime.stats().recordSessionClosed(reason);
        runtime.logClose(this, reason, message);
        if (notify && reason != Reason.SLOW_CONSUMER && channel.isActive()) {
            channel.writeAndFlush(SystemPackets.kick(reason, message)).addListener(ChannelFutureListener.CLOSE);
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, KICK_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    /** Called once the channel is closed. */
    void closed() {
        // A connection that ended without close() was ended by the client (or the network).
        if (closeReason.compareAndSet(null, Reason.OK)) {
            runtime.stats().recordSessionClosed(Reason.OK);
        }
        closeFuture.complete(closeReason.get());
    }

    @Override
    public CompletableFuture<Reason> closeFuture() {
        return closeFuture;
    }

    @Override
    public String toString() {
        SessionInfo i = info;
        return "Session{id=" + id + ", transport=" + transport + ", remote=" + channel.remoteAddress()
                + (i == null ? "" : ", player=" + i.playerId()) + "}";
    }
}
