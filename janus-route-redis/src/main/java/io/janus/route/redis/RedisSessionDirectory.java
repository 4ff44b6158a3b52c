package io.janus.route.redis;

import static io.janus.route.redis.Stages.call;
import static io.janus.route.redis.Stages.unwrap;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.GatewayMessage;
import io.janus.api.Reason;
import io.janus.api.SessionKick;
import io.janus.core.AuthenticationException;
import io.janus.core.JanusException;
import io.janus.core.game.Audience;
import io.janus.core.game.Push;
import io.janus.core.game.Pusher;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.session.DuplicateLoginPolicy;
import io.janus.core.session.Session;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.SessionDirectory;
import io.janus.core.spi.SessionDirectoryContext;
import io.janus.core.spi.SessionTakeover;
import io.lettuce.core.SetArgs;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The session directory of a fleet of gateways, in Redis: which gateway holds each logged-in player's
 * session, which gateways are alive, and pub/sub delivery of pushes and kicks to the gateway that holds
 * a session. Registered as the {@code redis} {@link io.janus.core.spi.SessionDirectoryProvider}.
 *
 * <p><b>Gateway table.</b> One key per logged-in player, {@link RouteKey#gateway}, holding
 * {@code GATEWAY/SESSION} with a TTL ({@value #DEFAULT_TTL_MS} ms by default). Every renewal interval
 * (TTL/3 by default) a timer on one of the gateway's event loops renews the entries of all local
 * sessions with a compare-and-renew script; the commands are pipelined on the shared connection, at most
 * {@value #RENEWAL_WINDOW} in flight, and a round that has not finished when the next is due makes that
 * one skip. An entry is released with compare-and-delete when its session ends, so a newer login
 * elsewhere keeps its entry. When a gateway dies, its entries expire within one TTL.
 *
 * <p><b>Gateway liveness.</b> Each gateway keeps <code>janus:gw:{GATEWAY}:live</code> with the same TTL,
 * renewed on the same timer and deleted on {@link #close()}. A gateway is alive while its key exists.
 *
 * <p><b>Login ({@link #register}).</b> {@code SET NX PX} of the player's entry. When another session
 * holds it: on this gateway, the entry is taken over (the gateway's own registry settles the duplicate
 * next: it closes the older session), except that {@link DuplicateLoginPolicy#REJECT_NEW} with the older
 * session still open refuses the login with {@link Reason#DUPLICATE_LOGIN}; on another live gateway, {@link DuplicateLoginPolicy#REJECT_NEW} refuses the login with
 * {@link Reason#DUPLICATE_LOGIN} and {@link DuplicateLoginPolicy#KICK_OLD} takes the entry over with
 * compare-and-swap ({@link RouteTable#reclaim}) and then publishes a {@code SessionKick} with
 * {@link Reason#DUPLICATE_LOGIN} for the older session to its gateway; on a dead gateway the entry is
 * taken over. A compare-and-swap lost to a concurrent login is retried, at most
 * {@value #MAX_REGISTER_ATTEMPTS} attempts. If the kick is lost (pub/sub is at most once), the older
 * gateway's next renewal finds the entry held by another session and closes its session with
 * {@link Reason#DUPLICATE_LOGIN}: a newer login always wins within one renewal interval.
 *
 * <p><b>Fail closed.</b> When Redis cannot answer, {@link #register} fails with
 * {@link Reason#DIRECTORY_UNAVAILABLE} and the login is refused: admitting it unrecorded would let the
 * same player hold sessions on two gateways and make the player unreachable by cluster pushes. Sessions
 * already admitted keep running; their entries are renewed again, or claimed again if Redis lost its
 * data in a restart, as soon as Redis answers. An entry found held by another session at renewal means a
 * newer login won: the local session is closed with {@link Reason#DUPLICATE_LOGIN}.
 *
 * <p><b>Deliveries.</b> The directory subscribes to its gateway's channel and to
 * {@value GatewayChannels#BROADCAST}, and hands each {@code GatewayMessage} to the gateway's local
 * pusher (multicast, broadcast with its audience, kick by session). Malformed messages are counted
 * ({@link #malformedMessages()}) and logged at most a few times a second; they never throw.
 *
 * <p><b>Handovers.</b> The same channels move sessions between gateways when a client resumes on a
 * gateway that does not hold its session (docs/protocol.md, section 14.6): {@link #takeOver} and
 * {@link #forward}, see {@link RedisHandovers}. A session being handed over is left out of renewal
 * rounds: the handover, not the renewal, decides whose entry it is.
 *
 * <p><b>Bounds.</b> The local table holds one entry per logged-in player of this gateway, so the
 * gateway's connection limit bounds it; an entry whose session is gone is dropped at the next renewal.
 * Messages longer than {@value #MAX_MESSAGE_CHARS} characters are dropped as malformed. Commands are
 * bounded by {@link RedisRouteOptions#requestQueueSize()}.
 *
 * <p><b>Ownership.</b> A directory built with {@link Builder#redis(RedisRouteClient)} uses that
 * connection and never closes it; one built with {@link Builder#redisOptions(RedisRouteOptions)} (the
 * provider does) connects in {@link #start()} and closes its connection in {@link #close()}.
 *
 * <p>Nothing here blocks an event loop. {@link #close()} waits (at most a few seconds) for the releases
 * and the connection to close, except on a Netty or Lettuce thread, where it only starts them.
 */
public final class RedisSessionDirectory implements SessionDirectory {

    /** The default time to live of gateway-table entries and presence keys, in milliseconds. */
    public static final long DEFAULT_TTL_MS = 30_000;
    /** The most attempts of one registration that loses compare-and-swap races. */
    static final int MAX_REGISTER_ATTEMPTS = 3;
    /** The most renewals in flight in one round. */
    static final int RENEWAL_WINDOW = 256;
    /** The longest pub/sub message accepted, in characters of base64. */
    static final int MAX_MESSAGE_CHARS = 4 << 20;
    private static final long CLOSE_WAIT_MS = 3_000;

    private static final RateLimitedLog LOG =
            new RateLimitedLog(LoggerFactory.getLogger(RedisSessionDirectory.class), 5);

    private final SessionDirectoryContext context;
    private final String gatewayId;
    private final RedisRouteOptions ownedOptions;
    private final Duration ttl;
    private final Duration renewInterval;
    private final ConcurrentHashMap<Long, SessionInfo> local = new ConcurrentHashMap<>();
    private final RedisPusher pusher;
    private final RedisHandovers handovers;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong renewalRounds = new AtomicLong();
    private final AtomicLong lostSessions = new AtomicLong();

    private volatile RedisRouteClient redis;
    private volatile RouteTable table;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile ScheduledFuture<?> renewal;
    private volatile boolean closed;

    private RedisSessionDirectory(Builder b) {
        this.context = b.context;
        this.gatewayId = RouteKey.id(context.gatewayId(), "gatewayId");
        this.ownedOptions = b.options;
        this.redis = b.redis;
        this.table = b.redis == null ? null : new RouteTable(b.redis);
        this.ttl = b.ttl;
        this.renewInterval = RedisProperties.renewInterval(b.renewInterval, ttl);
        this.pusher = new RedisPusher(() -> redis, gatewayId, gatewayId, context.localPusher(), b.maxPushesInFlight);
        this.handovers = new RedisHandovers(context, gatewayId, ttl, () -> closed ? null : table, () -> redis, local);
    }

    /**
     * Starts a directory for a gateway.
     *
     * @param context the gateway's id, local pusher, sessions and event loops
     * @return a builder; set {@link Builder#redis} or {@link Builder#redisOptions}
     */
    public static Builder builder(SessionDirectoryContext context) {
        return new Builder(requireNonNull(context, "context"));
    }

    @Override
    public CompletionStage<Void> start() {
        if (!started.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new IllegalStateException("already started"));
        }
        CompletionStage<RedisRouteClient> connected = redis != null ? CompletableFuture.completedFuture(redis)
                : RedisRouteClient.connect(ownedOptions);
        return connected.thenCompose(client -> {
            redis = client;
            table = new RouteTable(client);
            return client.connectPubSub();
        }).thenCompose(connection -> {
            pubsub = connection;
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    deliver(message);
                }
            });
            return connection.async().subscribe(GatewayChannels.channel(gatewayId), GatewayChannels.BROADCAST);
        }).thenCompose(ignored -> renewPresence()).thenAccept(ignored -> {
            long every = renewInterval.toMillis();
            renewal = context.workerGroup().next().scheduleAtFixedRate(this::renewAll, every, every,
                    TimeUnit.MILLISECONDS);
        }).handle((ignored, error) -> {
            if (error == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            CompletableFuture<Void> failed = new CompletableFuture<>();
            failed.completeExceptionally(new JanusException(Reason.DIRECTORY_UNAVAILABLE,
                    "session directory could not start: " + unwrap(error), unwrap(error)));
            return closeConnections().handle((a, b) -> null).thenCompose(x -> failed);
        }).thenCompose(Function.identity());
    }

    @Override
    public CompletionStage<Void> register(SessionInfo session, DuplicateLoginPolicy policy) {
        requireNonNull(session, "session");
        requireNonNull(policy, "policy");
        RouteTable t = table;
        if (t == null || closed) {
            return CompletableFuture.failedFuture(new AuthenticationException(Reason.DIRECTORY_UNAVAILABLE,
                    "the session directory is not running"));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        attempt(t, session, policy, 1, result);
        return result;
    }

    private void attempt(RouteTable t, SessionInfo session, DuplicateLoginPolicy policy, int attempt,
            CompletableFuture<Void> result) {
        RouteKey key = RouteKey.gateway(Long.toString(session.playerId()));
        String mine = GatewayChannels.entry(gatewayId, session.sessionId());
        call(() -> t.claim(key, mine, ttl)).thenCompose(won -> {
            if (won) {
                return CompletableFuture.completedFuture(Outcome.DONE);
            }
            return call(() -> t.owner(key)).thenCompose(owner -> {
                if (owner.isEmpty()) {
                    return CompletableFuture.completedFuture(Outcome.RETRY);
                }
                String held = owner.get();
                if (held.equals(mine)) {
                    return CompletableFuture.completedFuture(Outcome.DONE);
                }
                String heldBy = GatewayChannels.entryGateway(held);
                if (gatewayId.equals(heldBy)) {
                    // This gateway's registry settles duplicates among its own sessions, right after this
                    // answer: with REJECT_NEW a live older session keeps its entry and the login is refused.
                    Session older = context.sessions().session(GatewayChannels.entrySession(held));
                    if (policy == DuplicateLoginPolicy.REJECT_NEW && older != null && older.isActive()) {
                        return CompletableFuture.completedFuture(Outcome.REJECTED);
                    }
                    return takeOver(t, key, held, mine, null, session);
                }
                if (heldBy == null) {
                    // Not a value this directory writes: take it over.
                    return takeOver(t, key, held, mine, null, session);
                }
                return call(() -> redis.async().exists(GatewayChannels.presenceKey(heldBy))).thenCompose(live -> {
                    if (live == 0L) {
                        return takeOver(t, key, held, mine, null, session);
                    }
                    if (policy == DuplicateLoginPolicy.REJECT_NEW) {
                        return CompletableFuture.completedFuture(Outcome.REJECTED);
                    }
                    return takeOver(t, key, held, mine, heldBy, session);
                });
            });
        }).whenComplete((outcome, error) -> {
            if (error != null) {
                result.completeExceptionally(new AuthenticationException(Reason.DIRECTORY_UNAVAILABLE,
                        "session directory unavailable (" + unwrap(error).getClass().getSimpleName() + ")"));
            } else if (outcome == Outcome.DONE) {
                local.put(session.playerId(), session);
                result.complete(null);
            } else if (outcome == Outcome.REJECTED) {
                result.completeExceptionally(new AuthenticationException(Reason.DUPLICATE_LOGIN,
                        "player " + session.playerId() + " already has a session"));
            } else if (attempt < MAX_REGISTER_ATTEMPTS) {
                attempt(t, session, policy, attempt + 1, result);
            } else {
                result.completeExceptionally(new AuthenticationException(Reason.DIRECTORY_UNAVAILABLE,
                        "player " + session.playerId() + " logs in concurrently elsewhere; retry"));
            }
        });
    }

    /** Swaps the entry from {@code held} to {@code mine}; then kicks the older session on {@code kickOn}. */
    private CompletionStage<Outcome> takeOver(RouteTable t, RouteKey key, String held, String mine, String kickOn,
            SessionInfo session) {
        return call(() -> t.reclaim(key, held, mine, ttl)).thenApply(moved -> {
            if (!moved) {
                return Outcome.RETRY;
            }
            if (kickOn != null) {
                long older = GatewayChannels.entrySession(held);
                pusher.kickSession(kickOn, session.playerId(), older, Reason.DUPLICATE_LOGIN,
                        "the player logged in again on another gateway").whenComplete((reached, error) -> {
                            if (error != null || !reached) {
                                // The older gateway's renewal will find the entry taken and close it.
                                LOG.info("Duplicate-login kick of session {} on gateway {} not delivered ({}); "
                                        + "its renewal will close it", older, kickOn,
                                        error != null ? unwrap(error).toString() : "no subscriber");
                            }
                        });
            }
            return Outcome.DONE;
        });
    }

    private enum Outcome { DONE, RETRY, REJECTED }

    @Override
    public void unregister(SessionInfo session) {
        requireNonNull(session, "session");
        local.remove(session.playerId(), session);
        release(session);
    }

    private CompletionStage<Boolean> release(SessionInfo session) {
        RouteTable t = table;
        if (t == null) {
            return CompletableFuture.completedFuture(false);
        }
        RouteKey key = RouteKey.gateway(Long.toString(session.playerId()));
        return call(() -> t.release(key, GatewayChannels.entry(gatewayId, session.sessionId())))
                .whenComplete((released, error) -> {
                    if (error != null) {
                        LOG.info("Could not release the directory entry of {} ({}); it expires in {}", session,
                                unwrap(error).toString(), ttl);
                    }
                });
    }

    @Override
    public Pusher pusher() {
        return pusher;
    }

    /**
     * Asks the gateway the player's entry names for the session, over pub/sub; see {@link RedisHandovers}.
     */
    @Override
    public CompletionStage<SessionTakeover> takeOver(long sessionId, long playerId) {
        return handovers.takeOver(sessionId, playerId);
    }

    @Override
    public void forward(String gatewayId, long sessionId, List<byte[]> packets) {
        requireNonNull(gatewayId, "gatewayId");
        requireNonNull(packets, "packets");
        handovers.forward(gatewayId, sessionId, packets);
    }

    /**
     * The number of sessions this gateway took over from others (resumes here of sessions held elsewhere).
     *
     * @return the count since start
     */
    public long sessionsTakenOver() {
        return handovers.taken();
    }

    /**
     * The number of sessions this gateway handed over to others (resumes elsewhere of sessions held here).
     *
     * @return the count since start
     */
    public long sessionsHandedOver() {
        return handovers.handedOver();
    }

    /**
     * The number of pub/sub messages dropped because they could not be decoded or made no sense.
     *
     * @return the count since start
     */
    public long malformedMessages() {
        return malformed.get();
    }

    /**
     * The number of pub/sub messages handed to the local pusher.
     *
     * @return the count since start
     */
    public long deliveredMessages() {
        return delivered.get();
    }

    /**
     * The number of renewal rounds completed.
     *
     * @return the count since start
     */
    public long renewalRounds() {
        return renewalRounds.get();
    }

    /**
     * The number of local sessions closed because a newer login elsewhere took their entry at renewal.
     *
     * @return the count since start
     */
    public long sessionsLostToNewerLogins() {
        return lostSessions.get();
    }

    /**
     * The number of local sessions with an entry now.
     *
     * @return the size of the local table
     */
    public int localEntries() {
        return local.size();
    }

    // ---- renewal -------------------------------------------------------------------------------------

    /** One renewal round: the presence key, then every local entry, {@value #RENEWAL_WINDOW} at a time. */
    void renewAll() {
        if (closed || table == null) {
            return;
        }
        if (!renewing.compareAndSet(false, true)) {
            LOG.info("Directory renewal round still running after {}; skipping one", renewInterval);
            return;
        }
        renewPresence().whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.info("Could not renew the presence of gateway {} ({})", gatewayId, unwrap(error).toString());
            }
        });
        new WindowedRound<>(new ArrayList<>(local.values()), RENEWAL_WINDOW, this::renewOne, () -> closed, () -> {
            renewalRounds.incrementAndGet();
            renewing.set(false);
        }).pump();
    }

    private CompletionStage<String> renewPresence() {
        return call(() -> redis.async().set(GatewayChannels.presenceKey(gatewayId), gatewayId,
                SetArgs.Builder.px(ttl.toMillis())));
    }

    /** Renews one entry; re-claims it when Redis lost it; closes the session when a newer login holds it. */
    private CompletionStage<Void> renewOne(SessionInfo session) {
        if (handovers.isHandingOver(session.sessionId())) {
            // Its entry moves to another gateway any moment; the handover decides, not the renewal.
            return CompletableFuture.completedFuture(null);
        }
        Session live = context.sessions().session(session.sessionId());
        if (live == null || !live.isActive()) {
            // Registered after its session ended (unregister ran first), or unregister was missed.
            local.remove(session.playerId(), session);
            return release(session).handle((a, b) -> null);
        }
        RouteTable t = table;
        RouteKey key = RouteKey.gateway(Long.toString(session.playerId()));
        String mine = GatewayChannels.entry(gatewayId, session.sessionId());
        return call(() -> t.renew(key, mine, ttl)).thenCompose(renewed -> {
            if (renewed) {
                return CompletableFuture.completedFuture((Void) null);
            }
            return call(() -> t.claim(key, mine, ttl)).thenCompose(claimed -> {
                if (claimed) {
                    LOG.info("Directory entry of {} was missing (Redis restarted?); claimed it again", session);
                    return CompletableFuture.completedFuture((Void) null);
                }
                return call(() -> t.owner(key)).thenAccept(owner -> {
                    if (owner.isPresent() && !owner.get().equals(mine) && local.remove(session.playerId(), session)) {
                        lostSessions.incrementAndGet();
                        context.localPusher().kickSession(session.sessionId(), Reason.DUPLICATE_LOGIN,
                                "the player logged in again on another gateway");
                    }
                });
            });
        }).exceptionally(error -> {
            LOG.info("Could not renew the directory entry of {} ({}); retrying next round", session,
                    unwrap(error).toString());
            return null;
        });
    }

    // ---- deliveries ----------------------------------------------------------------------------------

    /** Hands one pub/sub message to the local pusher; never throws. */
    void deliver(String text) {
        try {
            if (text == null || text.length() > MAX_MESSAGE_CHARS) {
                throw new IllegalArgumentException("message of " + (text == null ? "no" : text.length())
                        + " characters (expected: 1-" + MAX_MESSAGE_CHARS + ")");
            }
            GatewayMessage message = GatewayChannels.decode(text);
            Pusher to = context.localPusher();
            switch (message.getBodyCase()) {
                case PLAYERS:
                    if (message.getPlayers().getPlayerIdsCount() > RedisPusher.MAX_PLAYERS_PER_MULTICAST) {
                        throw new IllegalArgumentException(message.getPlayers().getPlayerIdsCount()
                                + " players (expected: at most " + RedisPusher.MAX_PLAYERS_PER_MULTICAST + ")");
                    }
                    to.multicast(message.getPlayers().getPlayerIdsList(), Push.of(message.getPlayers().getPacket()));
                    break;
                case BROADCAST:
                    to.broadcast(Push.of(message.getBroadcast().getPacket()),
                            Audience.of(message.getBroadcast().getAudience()));
                    break;
                case KICK:
                    SessionKick kick = message.getKick();
                    Reason reason = kick.getReason() == Reason.OK || kick.getReason() == Reason.UNRECOGNIZED
                            ? Reason.KICKED : kick.getReason();
                    if (kick.getSessionId() != 0) {
                        to.kickSession(kick.getSessionId(), reason, kick.getMessage());
                    } else if (kick.getPlayerId() != 0) {
                        to.kick(kick.getPlayerId(), reason, kick.getMessage());
                    } else {
                        throw new IllegalArgumentException("kick names neither a session nor a player");
                    }
                    break;
                case HANDOVER_REQUEST:
                    handovers.requested(message.getFrom(), message.getHandoverRequest());
                    break;
                case HANDOVER_REPLY:
                    handovers.replied(message.getHandoverReply());
                    break;
                case HANDOVER_OUTCOME:
                    handovers.concluded(message.getHandoverOutcome());
                    break;
                case SESSION_PACKETS:
                    handovers.delivered(message.getSessionPackets());
                    break;
                default:
                    throw new IllegalArgumentException("no body");
            }
            delivered.incrementAndGet();
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            malformed.incrementAndGet();
            LOG.warn("Dropped a malformed message on gateway {}'s channels: {}", gatewayId, e.getMessage());
        } catch (RuntimeException e) {
            malformed.incrementAndGet();
            LOG.warn("Delivery of a pub/sub message failed on gateway {}", gatewayId, e);
        }
    }


    // ---- lifecycle -----------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ScheduledFuture<?> timer = renewal;
        if (timer != null) {
            timer.cancel(false);
        }
        List<CompletableFuture<?>> releases = new ArrayList<>();
        if (table != null && redis != null && redis.isConnected()) {
            for (SessionInfo session : local.values()) {
                releases.add(release(session).toCompletableFuture());
            }
            releases.add(call(() -> redis.async().del(GatewayChannels.presenceKey(gatewayId))).toCompletableFuture());
        }
        local.clear();
        CompletableFuture<Void> released = CompletableFuture.allOf(releases.toArray(new CompletableFuture<?>[0]))
                .handle((a, b) -> null).thenCompose(ignored -> closeConnections()).toCompletableFuture();
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            // An event loop (Netty's or Lettuce's): never wait there; the releases finish on their own.
            return;
        }
        try {
            released.get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.info("Session directory of gateway {} closed with an error ({})", gatewayId, e.toString());
        }
    }

    private CompletionStage<Void> closeConnections() {
        StatefulRedisPubSubConnection<String, String> sub = pubsub;
        CompletionStage<Void> done = sub == null ? CompletableFuture.completedFuture(null)
                : sub.closeAsync().handle((a, b) -> null);
        if (ownedOptions != null && redis != null) {
            RedisRouteClient owned = redis;
            done = done.thenCompose(ignored -> owned.closeAsync());
        }
        return done;
    }



    @Override
    public String toString() {
        return "RedisSessionDirectory{gateway=" + gatewayId + ", entries=" + local.size() + ", ttl=" + ttl
                + ", renewInterval=" + renewInterval + "}";
    }

    /** Builds a {@link RedisSessionDirectory}. Not thread-safe. */
    public static final class Builder {
        private final SessionDirectoryContext context;
        private RedisRouteClient redis;
        private RedisRouteOptions options;
        private Duration ttl = Duration.ofMillis(DEFAULT_TTL_MS);
        private Duration renewInterval;
        private int maxPushesInFlight = RedisPusher.DEFAULT_MAX_IN_FLIGHT;

        private Builder(SessionDirectoryContext context) {
            this.context = context;
        }

        /**
         * Uses a connection the caller keeps and closes.
         *
         * @param redis a connected client
         * @return this builder
         */
        public Builder redis(RedisRouteClient redis) {
            this.redis = requireNonNull(redis, "redis");
            this.options = null;
            return this;
        }

        /**
         * Connects in {@link RedisSessionDirectory#start()} and closes the connection in
         * {@link RedisSessionDirectory#close()}.
         *
         * @param options where Redis is
         * @return this builder
         */
        public Builder redisOptions(RedisRouteOptions options) {
            this.options = requireNonNull(options, "options");
            this.redis = null;
            return this;
        }

        /**
         * Sets the time to live of entries and of the presence key.
         *
         * @param ttl at least 30 ms ({@value RedisSessionDirectory#DEFAULT_TTL_MS} ms by default)
         * @return this builder
         */
        public Builder ttl(Duration ttl) {
            this.ttl = RedisProperties.checkTtl(ttl);
            return this;
        }

        /**
         * Sets how often entries are renewed; a third of the TTL by default.
         *
         * @param interval at least 10 ms, less than the TTL
         * @return this builder
         */
        public Builder renewInterval(Duration interval) {
            this.renewInterval = RedisProperties.checkRenewInterval(interval);
            return this;
        }

        /**
         * Sets the bound on cluster pushes in flight through {@link RedisSessionDirectory#pusher()}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxPushesInFlight(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPushesInFlight: " + max + " (expected: > 0)");
            }
            this.maxPushesInFlight = max;
            return this;
        }

        /**
         * Builds the directory, not started.
         *
         * @return the directory
         */
        public RedisSessionDirectory build() {
            if (redis == null && options == null) {
                throw new IllegalStateException("set redis(client) or redisOptions(options)");
            }
            return new RedisSessionDirectory(this);
        }
    }
}
