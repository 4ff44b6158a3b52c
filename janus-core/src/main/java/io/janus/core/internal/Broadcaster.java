package io.janus.core.internal;

import static java.util.Objects.requireNonNull;

import io.janus.api.Packet;
import io.janus.core.protocol.PacketCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * The fan-out engine behind {@code Pusher.broadcast} and {@code Pusher.multicast} of one gateway: one
 * packet to many sessions, serialized once and encrypted per session (issue "Cluster-wide push": "a
 * broadcast is serialized once and encrypted per session; a slow session never delays the others").
 *
 * <p>The packet is encoded into one buffer. The receivers are grouped by their channel's event loop,
 * and each event loop gets one task holding a retained duplicate of that buffer; the task writes a
 * retained duplicate to each of its sessions below the packet codec (the record layer seals it with
 * the session's own key, as for any packet) and flushes it. So a delivery costs one seal and one
 * flush, not a cross-thread task, an encoding and a {@link Packet} per session. Every duplicate is
 * released exactly once: by the record layer once sealed, by the task once done, or here when an event
 * loop refuses the task.
 *
 * <p>Bounded: a session's own queue is bounded by the slow-consumer rule of
 * {@link DefaultSession#write} (checked before each delivery, on the event loop, so a full session is
 * closed with {@code SLOW_CONSUMER} while the others of its loop still get the packet). The fan-out
 * tasks queued for an event loop and not yet run are bounded too: their encoded bytes are counted per
 * event loop, and a broadcast that would take this backlog past {@code maxOutboundBytes} (what each of
 * that loop's sessions would have to hold) is not queued; its receivers on that loop are closed with
 * {@code SLOW_CONSUMER}, as a flood of single pushes would have closed them. The map of backlogs has
 * one entry per event loop ever used, a number fixed by the transports' event loop groups.
 *
 * <p>Thread-safe; {@link #deliver} may be called from any thread and never blocks.
 */
final class Broadcaster {

    private static final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(Broadcaster.class), 10);

    /** Encoded bytes of fan-out tasks queued per event loop, not yet run; one entry per event loop. */
    private final ConcurrentHashMap<EventLoop, AtomicLong> backlog = new ConcurrentHashMap<>();

    /**
     * Delivers one packet to each of {@code sessions}.
     *
     * @param packet the packet
     * @param sessions the receivers, logged in; each appears once
     * @return how many sessions took the packet (queued it for their client), once every event loop
     *         has run its part
     */
    CompletionStage<Integer> deliver(Packet packet, Collection<DefaultSession> sessions) {
        requireNonNull(packet, "packet");
        requireNonNull(sessions, "sessions");
        if (sessions.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        // Bounded by the number of event loops; each list by the number of sessions.
        Map<EventLoop, List<DefaultSession>> byLoop = new IdentityHashMap<>();
        for (DefaultSession session : sessions) {
            byLoop.computeIfAbsent(session.channel().eventLoop(), loop -> new ArrayList<>()).add(session);
        }
        Fanout fanout = new Fanout(byLoop.size());
        ByteBuf encoded = PacketCodec.encode(ByteBufAllocator.DEFAULT, packet);
        try {
            long bytes = encoded.readableBytes();
            for (Map.Entry<EventLoop, List<DefaultSession>> group : byLoop.entrySet()) {
                submit(group.getKey(), group.getValue(), packet, encoded, bytes, fanout);
            }
        } finally {
            encoded.release();
        }
        return fanout.done;
    }

    private void submit(EventLoop loop, List<DefaultSession> sessions, Packet packet, ByteBuf encoded, long bytes,
            Fanout fanout) {
        AtomicLong queued = backlog.computeIfAbsent(loop, l -> new AtomicLong());
        long limit = sessions.get(0).maxOutboundBytes();
        if (queued.addAndGet(bytes) > limit) {
            queued.addAndGet(-bytes);
            log.info("event loop {} has more than {} bytes of broadcasts queued; closing its {} receivers as "
                    + "slow consumers", loop, limit, sessions.size());
            for (DefaultSession session : sessions) {
                session.closeSlowConsumer("more than " + limit
                        + " bytes of broadcasts queued for the session's event loop");
            }
            fanout.loopDone(0);
            return;
        }
        ByteBuf share = encoded.retainedDuplicate();
        try {
            loop.execute(() -> {
                queued.addAndGet(-bytes);
                int taken = 0;
                try {
                    for (DefaultSession session : sessions) {
                        if (session.writeEncoded(packet, share)) {
                            taken++;
                        }
                    }
                } finally {
                    share.release();
                    fanout.loopDone(taken);
                }
            });
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the gateway: so are its sessions.
            queued.addAndGet(-bytes);
            share.release();
            fanout.loopDone(0);
        }
    }

    /** Encoded bytes of fan-out tasks queued for the event loop and not yet run; for tests. */
    long backlog(EventLoop loop) {
        AtomicLong queued = backlog.get(loop);
        return queued == null ? 0 : queued.get();
    }

    /** Sums what each event loop's task delivered and completes once all have run. */
    private static final class Fanout {
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        final AtomicInteger loopsLeft;
        final AtomicInteger taken = new AtomicInteger();

        Fanout(int loops) {
            loopsLeft = new AtomicInteger(loops);
        }

        void loopDone(int delivered) {
            taken.addAndGet(delivered);
            if (loopsLeft.decrementAndGet() == 0) {
                done.complete(taken.get());
            }
        }
    }
}
