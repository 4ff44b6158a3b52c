package io.janus.route.redis;

import static java.util.Objects.requireNonNull;

import io.janus.api.BroadcastPush;
import io.janus.api.GatewayMessage;
import io.janus.api.Packet;
import io.janus.api.PlayerPush;
import io.janus.api.Reason;
import io.janus.api.SessionKick;
import io.janus.core.PushException;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.lettuce.core.KeyValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The cluster-wide {@link Pusher}: finds each player's gateway in the gateway table of the session
 * directory ({@link RouteKey#gateway}, value {@code GATEWAY/SESSION}) and publishes one
 * {@code janus.v1.GatewayMessage} per gateway to that gateway's Redis channel ({@code janus:gw:GATEWAY}),
 * where the gateway's {@link RedisSessionDirectory} delivers it to its sessions. Used in two places:
 * <ul>
 *   <li>the game-service SDK: a game service builds one with {@link #builder(RedisRouteClient)} on its
 *       own connection and reaches every player on every gateway;</li>
 *   <li>a gateway: {@link RedisSessionDirectory#pusher()} also holds the gateway's local pusher, and
 *       delivers to this gateway's own sessions without a Redis round trip.</li>
 * </ul>
 *
 * <p><b>Batching.</b> {@link #multicast} reads the players' entries with {@code MGET} (at most
 * {@value #LOOKUP_BATCH} keys per command) and publishes one message per gateway: a multicast to 1,000
 * players held by 3 gateways is 3 {@code PUBLISH}es. {@link #broadcast} is one {@code PUBLISH} to
 * {@value GatewayChannels#BROADCAST}. Payloads are base64 protobuf ({@link GatewayChannels}: a third more
 * bytes, once per gateway).
 *
 * <p><b>What completion means.</b> A stage completes when Redis has taken the message, not when clients
 * have it (pub/sub is at most once: a gateway that is not subscribed at that instant never sees it).
 * {@code true} and the counts mean: the player had a gateway-table entry and the {@code PUBLISH} reached
 * at least one subscriber of that gateway's channel (its session may have closed since); for
 * {@link #broadcast}, the number of subscribers of the broadcast channel (the gateways); for
 * {@link #kickSession}, that the kick reached at least one gateway. Sessions of this gateway, when
 * there is a local pusher, count as the local pusher says. On Redis Cluster, a {@code PUBLISH} reply
 * counts only the subscribers connected to the node that took it, so a published message counts as
 * reached, and the broadcast count is a lower bound (0 does not mean that no gateway got it).
 *
 * <p><b>Bounds.</b> At most {@value #MAX_PLAYERS_PER_MULTICAST} distinct players per multicast (as
 * {@code janus.v1.PlayerList} says), else the stage fails with a {@link PushException} of
 * {@link Reason#PUSH_TOO_MANY_TARGETS}; at most {@code maxInFlight} calls in flight (each issues at most
 * {@value #MAX_PLAYERS_PER_MULTICAST}/{@value #LOOKUP_BATCH} lookups and one publish per gateway), else
 * the stage fails at once with {@link Reason#PUSH_BACKLOG_FULL}. Lettuce's request queue
 * ({@link RedisRouteOptions#requestQueueSize()}) bounds the commands below that.
 *
 * <p><b>Failures.</b> When Redis cannot answer, stages fail with a {@link PushException} of
 * {@link Reason#PUSH_UNAVAILABLE}; nothing is queued for later. These are the reasons the gateway's push
 * service reports too. {@link #pushToSession} reaches a session of this gateway only: a session id alone
 * does not say which gateway holds it and {@code GatewayMessage} has no per-session push, so elsewhere
 * the stage fails with {@link Reason#PUSH_UNAVAILABLE}; use {@link #pushToPlayer}. {@link #kickSession} of a session elsewhere goes to
 * the broadcast channel, and the gateway holding it closes it.
 *
 * <p>Thread-safe; never blocks. Stages complete on the Redis client's threads: callbacks must not block.
 */
public final class RedisPusher implements Pusher {

    /** The most distinct players of one multicast. */
    public static final int MAX_PLAYERS_PER_MULTICAST = 10_000;
    /** The default bound on calls in flight. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** The most keys read by one {@code MGET}. */
    static final int LOOKUP_BATCH = 500;

    private final Supplier<RedisRouteClient> redis;
    private final String senderId;
    private final String localGatewayId;
    private final Pusher local;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    RedisPusher(Supplier<RedisRouteClient> redis, String senderId, String localGatewayId, Pusher local,
            int maxInFlight) {
        this.redis = requireNonNull(redis, "redis");
        this.senderId = requireNonNull(senderId, "senderId");
        this.localGatewayId = localGatewayId;
        this.local = local;
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: > 0)");
        }
        this.maxInFlight = maxInFlight;
    }

    /**
     * Starts a pusher for a game service, on a connection the caller keeps and closes.
     *
     * @param redis the connection
     * @return a builder
     */
    public static Builder builder(RedisRouteClient redis) {
        return new Builder(requireNonNull(redis, "redis"));
    }

    /**
     * The number of calls in flight now.
     *
     * @return at most the bound given to the builder
     */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public CompletionStage<Boolean> pushToPlayer(long playerId, Push push) {
        requireNonNull(push, "push");
        return guarded(() -> {
            if (local == null) {
                return pushToPlayerRemote(playerId, push);
            }
            return local.pushToPlayer(playerId, push).thenCompose(taken -> taken
                    ? CompletableFuture.completedFuture(true) : pushToPlayerRemote(playerId, push));
        });
    }

    private CompletionStage<Boolean> pushToPlayerRemote(long playerId, Push push) {
        return lookup(playerId).thenCompose(entry -> {
            String gateway = entry == null ? null : GatewayChannels.entryGateway(entry);
            if (gateway == null || gateway.equals(localGatewayId)) {
                // Not logged in anywhere, or here and the local pusher already said no.
                return CompletableFuture.completedFuture(false);
            }
            return publish(GatewayChannels.channel(gateway), message()
                    .setPlayers(PlayerPush.newBuilder().setPacket(push.toPacket()).addPlayerIds(playerId))
                    .build()).thenApply(this::reached);
        });
    }

    @Override
    public CompletionStage<Boolean> pushToSession(long sessionId, Push push) {
        requireNonNull(push, "push");
        if (local == null) {
            return CompletableFuture.failedFuture(noSessionRoute(sessionId));
        }
        return local.pushToSession(sessionId, push).thenCompose(taken -> taken
                ? CompletableFuture.completedFuture(true)
                : CompletableFuture.failedFuture(noSessionRoute(sessionId)));
    }

    private static PushException noSessionRoute(long sessionId) {
        return new PushException(Reason.PUSH_UNAVAILABLE, "session " + sessionId
                + " is not on this gateway, and a cluster push reaches sessions by player: use pushToPlayer");
    }

    @Override
    public CompletionStage<Boolean> kick(long playerId, Reason reason, String message) {
        checkReason(reason);
        String text = message == null ? "" : message;
        return guarded(() -> {
            CompletionStage<Boolean> here = local == null ? CompletableFuture.completedFuture(false)
                    : local.kick(playerId, reason, text);
            return here.thenCompose(found -> found ? CompletableFuture.completedFuture(true)
                    : lookup(playerId).thenCompose(entry -> {
                        String gateway = entry == null ? null : GatewayChannels.entryGateway(entry);
                        long session = entry == null ? 0 : GatewayChannels.entrySession(entry);
                        if (gateway == null || session == 0 || gateway.equals(localGatewayId)) {
                            return CompletableFuture.completedFuture(false);
                        }
                        return publishKick(GatewayChannels.channel(gateway), playerId, session, reason, text);
                    }));
        });
    }

    @Override
    public CompletionStage<Boolean> kickSession(long sessionId, Reason reason, String message) {
        checkReason(reason);
        String text = message == null ? "" : message;
        return guarded(() -> {
            CompletionStage<Boolean> here = local == null ? CompletableFuture.completedFuture(false)
                    : local.kickSession(sessionId, reason, text);
            return here.thenCompose(found -> found ? CompletableFuture.completedFuture(true)
                    : publishKick(GatewayChannels.BROADCAST, 0, sessionId, reason, text));
        });
    }

    /**
     * Closes one session on a known gateway: the older session of a duplicate login.
     *
     * @return whether the kick reached the gateway (or, for this gateway, the session was found)
     */
    CompletionStage<Boolean> kickSession(String gatewayId, long playerId, long sessionId, Reason reason,
            String message) {
        if (gatewayId.equals(localGatewayId) && local != null) {
            return local.kickSession(sessionId, reason, message);
        }
        return guarded(() -> publishKick(GatewayChannels.channel(gatewayId), playerId, sessionId, reason, message));
    }

    private CompletionStage<Boolean> publishKick(String channel, long playerId, long sessionId, Reason reason,
            String text) {
        return publish(channel, message().setKick(SessionKick.newBuilder().setPlayerId(playerId)
                .setSessionId(sessionId).setReason(reason).setMessage(text)).build())
                .thenApply(this::reached);
    }

    @Override
    public CompletionStage<Integer> multicast(Collection<Long> playerIds, Push push) {
        requireNonNull(playerIds, "playerIds");
        requireNonNull(push, "push");
        LinkedHashSet<Long> players = new LinkedHashSet<>();
        for (Long id : playerIds) {
            players.add(requireNonNull(id, "playerIds contains null"));
            if (players.size() > MAX_PLAYERS_PER_MULTICAST) {
                return CompletableFuture.failedFuture(new PushException(Reason.PUSH_TOO_MANY_TARGETS,
                        "multicast to more than " + MAX_PLAYERS_PER_MULTICAST + " distinct players (expected: at most "
                        + MAX_PLAYERS_PER_MULTICAST + "; split the list)"));
            }
        }
        if (players.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        return guarded(() -> lookupAll(new ArrayList<>(players)).thenCompose(entries -> publishBatches(entries, push)));
    }

    /** Groups the found players by gateway and sends each gateway one batch; sums what was taken. */
    private CompletionStage<Integer> publishBatches(Map<Long, String> entries, Push push) {
        Map<String, List<Long>> byGateway = new LinkedHashMap<>();
        entries.forEach((player, entry) -> {
            String gateway = GatewayChannels.entryGateway(entry);
            if (gateway != null) {
                byGateway.computeIfAbsent(gateway, g -> new ArrayList<>()).add(player);
            }
        });
        if (byGateway.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        Packet packet = push.toPacket();
        List<CompletableFuture<Integer>> sent = new ArrayList<>(byGateway.size());
        byGateway.forEach((gateway, players) -> {
            CompletionStage<Integer> one;
            if (local != null && gateway.equals(localGatewayId)) {
                one = local.multicast(players, push);
            } else {
                one = publish(GatewayChannels.channel(gateway), message()
                        .setPlayers(PlayerPush.newBuilder().setPacket(packet).addAllPlayerIds(players)).build())
                        .thenApply(receivers -> reached(receivers) ? players.size() : 0);
            }
            sent.add(one.toCompletableFuture());
        });
        return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> sent.stream().mapToInt(CompletableFuture::join).sum());
    }

    @Override
    public CompletionStage<Integer> broadcast(Push push, Audience audience) {
        requireNonNull(push, "push");
        requireNonNull(audience, "audience");
        GatewayMessage message = message().setBroadcast(
                BroadcastPush.newBuilder().setPacket(push.toPacket()).setAudience(audience.toWire())).build();
        return guarded(() -> publish(GatewayChannels.BROADCAST, message).thenApply(Long::intValue));
    }

    /** Runs one call under the in-flight bound. */
    private <T> CompletionStage<T> guarded(Supplier<CompletionStage<T>> call) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new PushException(Reason.PUSH_BACKLOG_FULL,
                    "more than " + maxInFlight + " cluster pushes in flight; retry later"));
        }
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((value, error) -> inFlight.decrementAndGet());
    }

    private CompletionStage<String> lookup(long playerId) {
        return command(r -> r.async().get(RouteKey.gateway(Long.toString(playerId)).redisKey()));
    }

    /** Reads the entries of the players, {@value #LOOKUP_BATCH} keys per MGET; players without one are left out. */
    private CompletionStage<Map<Long, String>> lookupAll(List<Long> players) {
        List<CompletableFuture<List<KeyValue<String, String>>>> reads = new ArrayList<>();
        for (int from = 0; from < players.size(); from += LOOKUP_BATCH) {
            List<Long> chunk = players.subList(from, Math.min(players.size(), from + LOOKUP_BATCH));
            String[] keys = new String[chunk.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = RouteKey.gateway(Long.toString(chunk.get(i))).redisKey();
            }
            reads.add(this.<List<KeyValue<String, String>>>command(r -> r.async().mget(keys)).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
            // Matched by key, not position: on a cluster, Lettuce splits an MGET by slot.
            Map<String, Long> byKey = new HashMap<>();
            for (Long player : players) {
                byKey.put(RouteKey.gateway(Long.toString(player)).redisKey(), player);
            }
            Map<Long, String> found = new LinkedHashMap<>();
            for (CompletableFuture<List<KeyValue<String, String>>> read : reads) {
                for (KeyValue<String, String> kv : read.join()) {
                    Long player = byKey.get(kv.getKey());
                    if (kv.hasValue() && player != null) {
                        found.put(player, kv.getValue());
                    }
                }
            }
            return found;
        });
    }

    private boolean reached(long receivers) {
        return GatewayChannels.reached(receivers, redis.get());
    }

    private CompletionStage<Long> publish(String channel, GatewayMessage message) {
        String payload = GatewayChannels.encode(message);
        return command(r -> r.async().publish(channel, payload));
    }

    /** Runs one Redis command; a refusal or failure becomes {@link Reason#PUSH_UNAVAILABLE}. */
    private <T> CompletionStage<T> command(java.util.function.Function<RedisRouteClient, CompletionStage<T>> call) {
        RedisRouteClient client = redis.get();
        if (client == null) {
            return CompletableFuture.failedFuture(new PushException(Reason.PUSH_UNAVAILABLE,
                    "the session directory is not connected to Redis"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            call.apply(client).whenComplete((value, error) -> {
                if (error == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(unavailable(error));
                }
            });
        } catch (RuntimeException e) {
            // Lettuce may refuse synchronously (closed connection, full request queue).
            result.completeExceptionally(unavailable(e));
        }
        return result;
    }

    static PushException unavailable(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return new PushException(Reason.PUSH_UNAVAILABLE,
                "session directory unavailable (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")",
                cause);
    }

    private GatewayMessage.Builder message() {
        return GatewayMessage.newBuilder().setFrom(senderId);
    }

    private static void checkReason(Reason reason) {
        requireNonNull(reason, "reason");
        if (reason == Reason.OK || reason == Reason.UNRECOGNIZED) {
            throw new IllegalArgumentException("reason: " + reason + " (expected: a failure reason)");
        }
    }

    @Override
    public String toString() {
        return "RedisPusher{from=" + senderId + ", inFlight=" + inFlight.get() + "/" + maxInFlight + "}";
    }

    /** Builds a {@link RedisPusher} for a game service. Not thread-safe. */
    public static final class Builder {
        private final RedisRouteClient redis;
        private String senderId = "game-service";
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

        private Builder(RedisRouteClient redis) {
            this.redis = redis;
        }

        /**
         * Names the sender in the messages, for the gateways' logs ({@code game-service} by default).
         *
         * @param senderId for example the game-service instance id
         * @return this builder
         */
        public Builder senderId(String senderId) {
            this.senderId = requireNonNull(senderId, "senderId");
            return this;
        }

        /**
         * Sets the most calls in flight; more fail at once with {@link Reason#PUSH_BACKLOG_FULL}.
         *
         * @param maxInFlight at least 1 ({@value RedisPusher#DEFAULT_MAX_IN_FLIGHT} by default)
         * @return this builder
         */
        public Builder maxInFlight(int maxInFlight) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: > 0)");
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * Builds the pusher. It does not own the connection.
         *
         * @return the pusher
         */
        public RedisPusher build() {
            return new RedisPusher(() -> redis, senderId, null, null, maxInFlight);
        }
    }
}
