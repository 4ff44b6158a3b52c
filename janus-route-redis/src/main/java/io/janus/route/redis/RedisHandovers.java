package io.janus.route.redis;

import static io.janus.route.redis.Stages.call;
import static io.janus.route.redis.Stages.unwrap;

import com.google.protobuf.ByteString;
import io.janus.api.GatewayMessage;
import io.janus.api.HandoverOutcome;
import io.janus.api.HandoverReply;
import io.janus.api.HandoverRequest;
import io.janus.api.Reason;
import io.janus.api.SessionPackets;
import io.janus.core.JanusException;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.SessionDirectoryContext;
import io.janus.core.spi.SessionTakeover;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Session handovers between gateways through Redis, for resumes on another gateway (docs/protocol.md,
 * section 14.6): the part of {@link RedisSessionDirectory} that moves a session from the gateway that
 * holds it (the holder) to the one a client resumed on (the taker).
 *
 * <ol>
 *   <li>The taker reads the player's gateway-table entry; it must name the ticket's session on another
 *       gateway. It publishes a {@code HandoverRequest} on that gateway's channel.</li>
 *   <li>The holder freezes the session ({@code SessionHandovers.export}) and publishes a
 *       {@code HandoverReply} with the sealed state on the taker's channel (or a refusal).</li>
 *   <li>The taker moves the entry from {@code HOLDER/SESSION} to {@code TAKER/SESSION} with
 *       compare-and-swap: the commit point. It publishes a {@code HandoverOutcome} (committed or not) on
 *       the holder's channel; the holder lets go of the session or keeps it.</li>
 * </ol>
 *
 * <p><b>Lost messages</b> (pub/sub is at most once). A taker that has no reply within
 * {@value #REPLY_TIMEOUT_MS} ms gives up and tells the holder so. A holder that has no outcome within
 * {@value #DECISION_TIMEOUT_MS} ms reads the entry itself: naming the taker, it lets go; otherwise it
 * keeps the session. So a handover ends either way within a few seconds, and the entry decides.
 *
 * <p><b>Bounds.</b> At most {@value #MAX_HANDOVERS} handovers are awaited as taker and as holder at once;
 * beyond that a takeover is refused with {@link Reason#RESUME_SESSION_GONE} (the client logs in again).
 * Forwarded packets travel in messages of at most {@value #FORWARD_CHUNK_BYTES} bytes of packets.
 *
 * <p><b>Trust.</b> The channels carry the state sealed under the fleet's ticket key, so Redis and anyone
 * reading its traffic see neither the resume secrets nor the buffered packets; but anyone who may
 * PUBLISH on Redis may ask a gateway to freeze a session (for a few seconds: without the key it cannot
 * commit anything the holder would act on beyond that). Redis is trusted infrastructure, as for the
 * routing tables.
 */
final class RedisHandovers {

    /** How long a taker waits for the holder's reply. */
    static final long REPLY_TIMEOUT_MS = 3_000;
    /** How long a holder waits for the taker's outcome before it reads the entry itself. */
    static final long DECISION_TIMEOUT_MS = 6_000;
    /** Handovers awaited at once, as taker and as holder (each). */
    static final int MAX_HANDOVERS = 1_024;
    /** How long a taker that committed waits for the holder's last packets before it serves the session. */
    static final long FINAL_PACKETS_TIMEOUT_MS = 2_000;
    /** Bytes of packets per forwarding message. */
    static final int FORWARD_CHUNK_BYTES = 1 << 20;

    private static final RateLimitedLog LOG = new RateLimitedLog(LoggerFactory.getLogger(RedisHandovers.class), 5);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a holder waits for: the outcome of one handover. */
    private static final class Given {
        final long handoverId;
        final String toGateway;
        final long playerId;
        volatile ScheduledFuture<?> timer;

        Given(long handoverId, String toGateway, long playerId) {
            this.handoverId = handoverId;
            this.toGateway = toGateway;
            this.playerId = playerId;
        }
    }

    private final SessionDirectoryContext context;
    private final String gatewayId;
    private final Duration ttl;
    private final Supplier<RouteTable> table;
    private final Supplier<RedisRouteClient> redis;
    private final ConcurrentHashMap<Long, SessionInfo> local;
    private final ConcurrentHashMap<Long, CompletableFuture<HandoverReply>> asked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Given> given = new ConcurrentHashMap<>();
    /** Committed takeovers waiting for the holder's last packets, by handover id; at most one per takeover. */
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> finals = new ConcurrentHashMap<>();
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();

    RedisHandovers(SessionDirectoryContext context, String gatewayId, Duration ttl, Supplier<RouteTable> table,
            Supplier<RedisRouteClient> redis, ConcurrentHashMap<Long, SessionInfo> local) {
        this.context = context;
        this.gatewayId = gatewayId;
        this.ttl = ttl;
        this.table = table;
        this.redis = redis;
        this.local = local;
    }

    /** Sessions taken over from other gateways since start. */
    long taken() {
        return taken.get();
    }

    /** Sessions handed over to other gateways since start. */
    long handedOver() {
        return handedOver.get();
    }

    /** Whether a session of this gateway is being handed over now (its entry may change any moment). */
    boolean isHandingOver(long sessionId) {
        return given.containsKey(sessionId);
    }

    // ---- taker ---------------------------------------------------------------------------------------

    CompletionStage<SessionTakeover> takeOver(long sessionId, long playerId) {
        RouteTable t = table.get();
        if (t == null) {
            return CompletableFuture.failedFuture(new JanusException(Reason.DIRECTORY_UNAVAILABLE,
                    "the session directory is not running"));
        }
        RouteKey key = RouteKey.gateway(Long.toString(playerId));
        return call(() -> t.owner(key)).handle((owner, error) -> {
            if (error != null) {
                throw new JanusException(Reason.DIRECTORY_UNAVAILABLE, "session directory unavailable ("
                        + unwrap(error).getClass().getSimpleName() + ")");
            }
            String held = owner.orElse(null);
            String holder = held == null ? null : GatewayChannels.entryGateway(held);
            if (holder == null || GatewayChannels.entrySession(held) != sessionId || holder.equals(gatewayId)) {
                throw gone("the session directory names no session " + sessionId + " of player " + playerId
                        + " on another gateway" + (held == null ? "" : " (it names " + held + ")"));
            }
            return held;
        }).thenCompose(held -> ask(t, key, held, sessionId, playerId));
    }

    private CompletionStage<SessionTakeover> ask(RouteTable t, RouteKey key, String held, long sessionId,
            long playerId) {
        String holder = GatewayChannels.entryGateway(held);
        if (asked.size() >= MAX_HANDOVERS) {
            return CompletableFuture.failedFuture(gone("more than " + MAX_HANDOVERS + " takeovers under way"));
        }
        long handoverId = RANDOM.nextLong() | 1;
        CompletableFuture<HandoverReply> reply = new CompletableFuture<>();
        asked.put(handoverId, reply);
        ScheduledFuture<?> timeout = context.workerGroup().next().schedule(() -> {
            reply.completeExceptionally(gone("gateway " + holder + " did not answer within " + REPLY_TIMEOUT_MS
                    + " ms"));
        }, REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        reply.whenComplete((r, e) -> {
            asked.remove(handoverId);
            timeout.cancel(false);
        });
        publish(holder, message().setHandoverRequest(HandoverRequest.newBuilder().setHandoverId(handoverId)
                .setSessionId(sessionId).setPlayerId(playerId))).whenComplete((receivers, error) -> {
                    if (error != null) {
                        reply.completeExceptionally(new JanusException(Reason.DIRECTORY_UNAVAILABLE,
                                "could not ask gateway " + holder + " (" + unwrap(error).getClass().getSimpleName()
                                        + ")"));
                    } else if (!GatewayChannels.reached(receivers, redis.get())) {
                        reply.completeExceptionally(gone("gateway " + holder + " is not listening"));
                    }
                });
        return reply.handle((answer, error) -> {
            if (error != null) {
                // The holder may have frozen the session after all: tell it to keep it.
                outcome(holder, handoverId, sessionId, false);
                throw error instanceof CompletionException ? (CompletionException) error : new CompletionException(error);
            }
            if (answer.getSealedState().isEmpty()) {
                Reason reason = answer.getRefusal() == Reason.OK || answer.getRefusal() == Reason.UNRECOGNIZED
                        ? Reason.RESUME_SESSION_GONE : answer.getRefusal();
                throw new JanusException(reason, "gateway " + holder + " refused: " + answer.getMessage());
            }
            return new Takeover(t, key, held, holder, handoverId, sessionId, playerId,
                    answer.getSealedState().toByteArray());
        });
    }

    /** The holder's reply arrived on this gateway's channel. */
    void replied(HandoverReply reply) {
        CompletableFuture<HandoverReply> waiting = asked.get(reply.getHandoverId());
        if (waiting != null) {
            waiting.complete(reply);
        }
    }

    private final class Takeover implements SessionTakeover {
        private final RouteTable t;
        private final RouteKey key;
        private final String held;
        private final String holder;
        private final long handoverId;
        private final long sessionId;
        private final long playerId;
        private final byte[] state;

        Takeover(RouteTable t, RouteKey key, String held, String holder, long handoverId, long sessionId,
                long playerId, byte[] state) {
            this.t = t;
            this.key = key;
            this.held = held;
            this.holder = holder;
            this.handoverId = handoverId;
            this.sessionId = sessionId;
            this.playerId = playerId;
            this.state = state;
        }

        @Override
        public String holder() {
            return holder;
        }

        @Override
        public byte[] sealedState() {
            return state.clone();
        }

        @Override
        public CompletionStage<Boolean> commit(SessionInfo session) {
            String mine = GatewayChannels.entry(gatewayId, sessionId);
            // A failed compare-and-set call leaves the decision to the holder's reading of the entry.
            return call(() -> t.reclaim(key, held, mine, ttl)).thenCompose(moved -> {
                if (!moved) {
                    outcome(holder, handoverId, sessionId, false);
                    return CompletableFuture.completedFuture(false);
                }
                local.put(playerId, session);
                taken.incrementAndGet();
                // The packets the holder numbered after its snapshot come before anything this gateway
                // sends the session: wait for them (they arrive in the session's replay buffer), bounded.
                CompletableFuture<Void> last = new CompletableFuture<>();
                finals.put(handoverId, last);
                outcome(holder, handoverId, sessionId, true);
                return last.completeOnTimeout(null, FINAL_PACKETS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .handle((ignored, error) -> {
                            if (finals.remove(handoverId) != null) {
                                LOG.info("Gateway {} sent no last packets for session {} within {} ms; serving it",
                                        holder, sessionId, FINAL_PACKETS_TIMEOUT_MS);
                            }
                            return true;
                        });
            });
        }

        @Override
        public void abort() {
            outcome(holder, handoverId, sessionId, false);
        }
    }

    private void outcome(String holder, long handoverId, long sessionId, boolean committed) {
        publish(holder, message().setHandoverOutcome(HandoverOutcome.newBuilder().setHandoverId(handoverId)
                .setSessionId(sessionId).setCommitted(committed))).whenComplete((receivers, error) -> {
                    if (error != null) {
                        LOG.info("Could not tell gateway {} the outcome of the handover of session {} ({}); "
                                + "it reads the directory entry instead", holder, sessionId, unwrap(error).toString());
                    }
                });
    }

    // ---- holder --------------------------------------------------------------------------------------

    /** Another gateway asks for one of this gateway's sessions. */
    void requested(String from, HandoverRequest request) {
        long sessionId = request.getSessionId();
        RouteKey.id(from, "from"); // a well-formed gateway id, or IllegalArgumentException (malformed message)
        if (given.size() >= MAX_HANDOVERS || given.containsKey(sessionId)) {
            refuse(from, request, "more than " + MAX_HANDOVERS + " handovers under way, or one of this session");
            return;
        }
        CompletionStage<byte[]> exported;
        try {
            exported = context.handovers().export(sessionId, request.getPlayerId(), from);
        } catch (RuntimeException e) {
            exported = CompletableFuture.failedFuture(e);
        }
        exported.whenComplete((sealed, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                JanusException known = JanusException.find(cause);
                refuse(from, request, known != null ? known.getMessage() : cause.toString());
                return;
            }
            Given g = new Given(request.getHandoverId(), from, request.getPlayerId());
            if (given.putIfAbsent(sessionId, g) != null) {
                // Cannot happen: export refuses a session already frozen. Keep it, to be safe.
                context.handovers().aborted(sessionId);
                refuse(from, request, "a handover of this session is under way");
                return;
            }
            try {
                g.timer = context.workerGroup().next().schedule(() -> decide(sessionId, g, 1), DECISION_TIMEOUT_MS,
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                given.remove(sessionId, g);
                context.handovers().aborted(sessionId);
                refuse(from, request, "this gateway is stopping");
                return;
            }
            publish(from, message().setHandoverReply(HandoverReply.newBuilder().setHandoverId(request.getHandoverId())
                    .setSessionId(sessionId).setSealedState(ByteString.copyFrom(sealed))));
        });
    }

    private void refuse(String from, HandoverRequest request, String why) {
        publish(from, message().setHandoverReply(HandoverReply.newBuilder().setHandoverId(request.getHandoverId())
                .setSessionId(request.getSessionId()).setRefusal(Reason.RESUME_SESSION_GONE).setMessage(why)));
    }

    /** The taker's word on a handover of one of this gateway's sessions. */
    void concluded(HandoverOutcome outcome) {
        Given g = given.get(outcome.getSessionId());
        if (g == null || g.handoverId != outcome.getHandoverId() || !given.remove(outcome.getSessionId(), g)) {
            return; // decided already, or not ours
        }
        ScheduledFuture<?> timer = g.timer;
        if (timer != null) {
            timer.cancel(false);
        }
        if (outcome.getCommitted()) {
            letGo(outcome.getSessionId(), g);
        } else {
            context.handovers().aborted(outcome.getSessionId());
        }
    }

    /** No word from the taker: the directory entry decides. */
    private void decide(long sessionId, Given g, int attempt) {
        if (given.get(sessionId) != g) {
            return;
        }
        RouteTable t = table.get();
        if (t == null) {
            // The directory closed: the gateway is stopping, and the session with it; keep it until then.
            if (given.remove(sessionId, g)) {
                context.handovers().aborted(sessionId);
            }
            return;
        }
        RouteKey key = RouteKey.gateway(Long.toString(g.playerId));
        call(() -> t.owner(key)).whenComplete((owner, error) -> {
            if (error != null && attempt < 3) {
                try {
                    g.timer = context.workerGroup().next().schedule(() -> decide(sessionId, g, attempt + 1),
                            DECISION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // The event loops are stopping: decide now, from what is known (nothing).
                }
            }
            if (!given.remove(sessionId, g)) {
                return;
            }
            if (error == null && owner.isPresent() && owner.get().equals(GatewayChannels.entry(g.toGateway, sessionId))) {
                LOG.info("No outcome for the handover of session {} to gateway {}; the directory names it: letting go",
                        sessionId, g.toGateway);
                letGo(sessionId, g);
            } else {
                LOG.info("No outcome for the handover of session {} to gateway {}; the directory does not name it "
                        + "({}): keeping it", sessionId, g.toGateway, error != null ? unwrap(error).toString() : owner);
                context.handovers().aborted(sessionId);
            }
        });
    }

    private void letGo(long sessionId, Given g) {
        local.computeIfPresent(g.playerId, (player, info) -> info.sessionId() == sessionId ? null : info);
        handedOver.incrementAndGet();
        List<byte[]> late = context.handovers().committed(sessionId, g.toGateway);
        send(g.toGateway, sessionId, late, g.handoverId);
    }

    // ---- forwarding ----------------------------------------------------------------------------------

    void forward(String toGateway, long sessionId, List<byte[]> packets) {
        send(toGateway, sessionId, packets, 0);
    }

    /**
     * Sends packets in messages of at most {@value #FORWARD_CHUNK_BYTES} bytes; with a handover id, the last
     * message carries it (one empty message when there are no packets), which the taker waits for.
     */
    private void send(String toGateway, long sessionId, List<byte[]> packets, long handoverId) {
        List<byte[]> chunk = new ArrayList<>();
        int bytes = 0;
        for (byte[] packet : packets) {
            if (!chunk.isEmpty() && bytes + packet.length > FORWARD_CHUNK_BYTES) {
                sendPackets(toGateway, sessionId, chunk, 0);
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(packet);
            bytes += packet.length;
        }
        if (!chunk.isEmpty() || handoverId != 0) {
            sendPackets(toGateway, sessionId, chunk, handoverId);
        }
    }

    private void sendPackets(String toGateway, long sessionId, List<byte[]> packets, long handoverId) {
        SessionPackets.Builder body = SessionPackets.newBuilder().setSessionId(sessionId).setHandoverId(handoverId);
        for (byte[] packet : packets) {
            body.addPackets(ByteString.copyFrom(packet));
        }
        publish(toGateway, message().setSessionPackets(body)).whenComplete((receivers, error) -> {
            if (error != null) {
                LOG.info("Could not forward {} packets of session {} to gateway {} ({})", packets.size(), sessionId,
                        toGateway, unwrap(error).toString());
            }
        });
    }

    /** Packets forwarded to a session this gateway took over. */
    void delivered(SessionPackets packets) {
        List<byte[]> list = new ArrayList<>(packets.getPacketsCount());
        for (ByteString packet : packets.getPacketsList()) {
            list.add(packet.toByteArray());
        }
        if (!list.isEmpty()) {
            context.handovers().deliver(packets.getSessionId(), list);
        }
        CompletableFuture<Void> last = packets.getHandoverId() == 0 ? null : finals.remove(packets.getHandoverId());
        if (last != null) {
            last.complete(null);
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    private GatewayMessage.Builder message() {
        return GatewayMessage.newBuilder().setFrom(gatewayId);
    }

    private CompletionStage<Long> publish(String toGateway, GatewayMessage.Builder message) {
        RedisRouteClient client = redis.get();
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        }
        String payload = GatewayChannels.encode(message.build());
        return call(() -> client.async().publish(GatewayChannels.channel(toGateway), payload));
    }



    private static JanusException gone(String message) {
        return new JanusException(Reason.RESUME_SESSION_GONE, message);
    }
}
