package io.janus.core.internal;

import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.core.game.Push;
import io.janus.core.protocol.HandshakeResult;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
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
    /** Made on first use: most sessions never have attributes, and an empty map costs about 64 bytes. */
    private volatile ConcurrentMap<String, Object> attributes;
    private final AtomicReference<Reason> closeReason = new AtomicReference<>();
    private final CompletableFuture<Reason> closeFuture = new CompletableFuture<>();
    private volatile SessionInfo info;
    private volatile long rttMillis = -1;
    // Confined to the session's event loop: game requests dispatched and not yet answered, and the
    // drain notice once the gateway drains (docs/architecture.md, "Drain").
    private int inflight;
    private Packet drainKick;
    private String drainMessage;

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
        ConcurrentMap<String, Object> map = attributes;
        if (map == null) {
            synchronized (this) {
                map = attributes;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    attributes = map;
                }
            }
        }
        return map;
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
        if (!isActive() || closedAsSlowConsumer()) {
            return false;
        }
        runtime.stats().traffic().recordOut(packet.getModule(), packet.getSerializedSize());
        channel.writeAndFlush(packet, channel.voidPromise());
        return true;
    }

    /**
     * Writes and flushes one delivery of a fan-out (see {@link Broadcaster}): the packet already
     * encoded once for every receiver. Event loop only. The encoded bytes enter the pipeline below the
     * packet codec, where an encoded packet would arrive, and are sealed for this session there; a
     * session that negotiated compression gets the packet itself when its body is long enough to be
     * compressed, so that the compression handler sees it. The slow-consumer rule of {@link #write}
     * applies.
     *
     * @param packet the packet
     * @param encoded the packet's encoding; not released here (a retained duplicate is written)
     * @return whether the packet was queued
     */
    boolean writeEncoded(Packet packet, ByteBuf encoded) {
        if (!isActive() || closedAsSlowConsumer()) {
            return false;
        }
        HandshakeResult handshake = channel.attr(HandshakeResult.KEY).get();
        int threshold = handshake == null ? 0 : handshake.compressionThreshold();
        if (threshold > 0 && packet.getBody().size() > threshold) {
            runtime.stats().traffic().recordOut(packet.getModule(), packet.getSerializedSize());
            channel.writeAndFlush(packet, channel.voidPromise());
            return true;
        }
        ChannelHandlerContext codec = channel.pipeline().context(PacketCodec.NAME);
        if (codec == null) {
            return false; // the pipeline is being torn down: the channel is closed
        }
        runtime.stats().traffic().recordOut(packet.getModule(), encoded.readableBytes());
        codec.writeAndFlush(encoded.retainedDuplicate(), channel.voidPromise());
        return true;
    }

    /**
     * The most outbound bytes this session may have queued (SessionOptions.maxOutboundBytes); a
     * fan-out also bounds the broadcasts queued for an event loop by it.
     */
    long maxOutboundBytes() {
        return runtime.options().maxOutboundBytes();
    }

    /**
     * Applies the slow-consumer rule: closes the session with {@link Reason#SLOW_CONSUMER} when more
     * than {@code maxOutboundBytes} are queued for it.
     *
     * @return whether the session was (or just got) closed for it
     */
    private boolean closedAsSlowConsumer() {
        // bytesBeforeWritable() is what must drain to get below the low water mark; queued bytes are
        // that plus the low water mark. Packets queued from other threads are counted at submission by
        // PacketSizeEstimator, so a flood of pushes cannot hide in the event loop's task queue; the
        // fan-out bounds its own queued tasks per event loop (Broadcaster).
        if (!channel.isWritable()
                && channel.bytesBeforeWritable() + runtime.options().outboundLowWaterMark()
                        > runtime.options().maxOutboundBytes()) {
            closeSlowConsumer("more than " + runtime.options().maxOutboundBytes()
                    + " outbound bytes queued; the client does not read");
            return true;
        }
        return false;
    }

    /**
     * Closes the session with {@link Reason#SLOW_CONSUMER}, without a kick (the client does not read).
     *
     * @param message the detail for the log
     */
    void closeSlowConsumer(String message) {
        close(Reason.SLOW_CONSUMER, message, false);
    }

    /** Game requests dispatched and not yet answered. Event loop only. */
    int inflight() {
        return inflight;
    }

    /** A game request was dispatched. Event loop only. */
    void requestStarted() {
        inflight++;
    }

    /**
     * A game request was answered (its answer already written). Event loop only. The last answer of a
     * draining session closes it with the drain notice, behind that answer.
     */
    void requestAnswered() {
        inflight--;
        if (inflight == 0 && drainKick != null) {
            close(Reason.SERVER_DRAIN, drainMessage, drainKick);
        }
    }

    /** Whether the gateway drains this session: new game requests are refused. Event loop only. */
    boolean isDraining() {
        return drainKick != null;
    }

    /**
     * Starts draining this session, from any thread: from now on new game requests are answered with
     * {@link Reason#SERVER_DRAIN}; once every request in flight is answered (at once when none is), the
     * session is closed with {@code kick}. Calling it again has no effect.
     *
     * @param kick the drain notice, a KICK with {@link Reason#SERVER_DRAIN}
     * @param message the detail for the log
     * @return the close future
     */
    CompletableFuture<Reason> drain(Packet kick, String message) {
        Runnable start = () -> {
            if (drainKick != null || isClosing()) {
                return;
            }
            drainKick = kick;
            drainMessage = message;
            if (inflight == 0) {
                close(Reason.SERVER_DRAIN, message, kick);
            }
        };
        if (channel.eventLoop().inEventLoop()) {
            start.run();
        } else {
            try {
                channel.eventLoop().execute(start);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The event loop is shutting down: so is the connection.
                close(Reason.SERVER_DRAIN, message, kick);
            }
        }
        return closeFuture;
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
        close(reason, message, notify ? SystemPackets.kick(reason, message) : null);
    }

    /**
     * Closes the session once, from any thread, as {@link #close(Reason, String, boolean)} does, with
     * a given kick.
     *
     * @param reason why, counted and logged
     * @param message detail for the log
     * @param kick the KICK packet to send first, or {@code null} for none
     */
    void close(Reason reason, String message, Packet kick) {
        if (!closeReason.compareAndSet(null, reason)) {
            return;
        }
        runtime.stats().recordSessionClosed(reason);
        runtime.logClose(this, reason, message);
        if (kick != null && reason != Reason.SLOW_CONSUMER && channel.isActive()) {
            channel.writeAndFlush(kick).addListener(ChannelFutureListener.CLOSE);
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, KICK_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    /** Why the session closed, or {@code null} while it is open. */
    Reason closeReason() {
        return closeReason.get();
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
