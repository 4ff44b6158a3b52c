package io.janus.route.redis;

import static io.janus.route.redis.Stages.call;
import static io.janus.route.redis.Stages.unwrap;

import static java.util.Objects.requireNonNull;

import io.janus.api.Reason;
import io.janus.core.RequestException;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.routing.HashRing;
import io.janus.core.routing.InstanceHealth;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Discovery;
import io.janus.core.spi.Identity;
import io.janus.core.spi.Router;
import io.janus.core.spi.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * A {@link Router} whose choices are shared by every gateway through Redis: the service table
 * ({@link RouteKey#service}: (player, service) to instance id) for modules routed by
 * {@link ModuleRoutes.Key#PLAYER}, and the object table ({@link RouteKey#object}: (service, object) to
 * instance id) for modules routed by {@link ModuleRoutes.Key#OBJECT}. Registered as the {@code redis}
 * {@link io.janus.core.spi.RouterProvider}.
 *
 * <p><b>Routing one packet.</b> The owner comes from a {@link CachedRouteTable} (a map read on the hot
 * path; Redis is read once per cache TTL per key). An owner still live in {@link Discovery} and not
 * avoided by {@link InstanceHealth} is used. With no owner, the router picks an instance with
 * {@link HashRing} over the live instances of the session's color (the same pick on every gateway) and
 * claims the key ({@code SET NX PX}); when another gateway won the race, the winner is used. When the
 * owner is gone from discovery (or the tunnel reports it failing and another instance is usable), the
 * key is moved to the pick with compare-and-swap ({@link RouteTable#reclaim}): the very next packet
 * after discovery drops an instance reaches a live one, where the reference gateway left a dead
 * instance's key in place for 10 minutes. Races are retried once, then the pick is used.
 *
 * <p><b>Renewal.</b> Every renewal interval (TTL/3 by default) a timer renews the claims this gateway
 * made or used, at most {@value #RENEWAL_WINDOW} commands in flight: service-table claims until
 * {@link #sessionClosed} releases them (compare-and-delete), object-table claims while packets use them
 * (an object idle for a TTL is left to expire). A renewal that finds the key gone (Redis restarted and
 * lost its data) claims it again for the same owner; one that finds it held by another instance drops
 * it from the cache and the next packet routes afresh. The claims tracked are bounded by
 * {@code maxClaims} (sessions times player-routed services, plus live objects); past it, claims are
 * still made but left to expire instead of being renewed.
 *
 * <p><b>Redis down.</b> Keys in the cache keep their owner (up to the cache's {@code maxStale}), so
 * existing sessions keep working. A key with nothing cached falls back to the deterministic
 * {@link HashRing} pick, which every gateway computes alike, and is remembered so that the renewal
 * claims it once Redis answers again (if another gateway claimed it meanwhile, the next packet adopts
 * that owner). A router built by the provider connects in the background and routes by the same
 * fallback until connected.
 *
 * <p>Failures are {@link RequestException}s of {@link Reason#NO_ROUTE} (no service for the module) and
 * {@link Reason#SERVICE_UNAVAILABLE} (no live instance), as the in-memory router. Thread-safe; never
 * blocks; stages may complete on the Redis client's threads.
 */
public final class RedisRouter implements Router {

    /** The default time to live of claims, in milliseconds. */
    public static final long DEFAULT_TTL_MS = 30_000;
    /** The default time a cached owner is served without asking Redis, in milliseconds. */
    public static final long DEFAULT_CACHE_TTL_MS = 5_000;
    /** The default time a cached owner is still served while Redis fails, in milliseconds. */
    public static final long DEFAULT_MAX_STALE_MS = 600_000;
    /** The default bound on claims tracked for renewal (and on cached keys). */
    public static final int DEFAULT_MAX_CLAIMS = 1_000_000;
    /** The most renewals in flight in one round. */
    static final int RENEWAL_WINDOW = 256;
    private static final int MAX_ROUTE_ATTEMPTS = 2;

    private static final RateLimitedLog LOG = new RateLimitedLog(LoggerFactory.getLogger(RedisRouter.class), 5);

    /** The live instances of one service: by id, and one ring per color. Immutable. */
    private static final class Live {
        static final Live EMPTY = new Live(List.of());

        final Map<String, ServiceInstance> byId;
        final Map<String, HashRing> byColor;
        final HashRing fallback;

        Live(List<ServiceInstance> instances) {
            Map<String, ServiceInstance> ids = new HashMap<>();
            Map<String, List<ServiceInstance>> grouped = new HashMap<>();
            for (ServiceInstance instance : instances) {
                ids.put(instance.id(), instance);
                grouped.computeIfAbsent(instance.color(), c -> new ArrayList<>()).add(instance);
            }
            Map<String, HashRing> rings = new HashMap<>();
            grouped.forEach((color, list) -> rings.put(color, HashRing.of(list)));
            this.byId = Map.copyOf(ids);
            this.byColor = Map.copyOf(rings);
            this.fallback = byColor.getOrDefault(Identity.DEFAULT_COLOR, HashRing.of(List.of()));
        }

        HashRing ring(String color) {
            HashRing ring = byColor.get(color);
            return ring != null && !ring.isEmpty() ? ring : fallback;
        }
    }

    /** A claim this gateway renews. */
    private static final class Claim {
        final String owner;
        final boolean playerKey;
        volatile boolean claimed;
        volatile long lastUsedNanos;

        Claim(String owner, boolean playerKey, boolean claimed, long now) {
            this.owner = owner;
            this.playerKey = playerKey;
            this.claimed = claimed;
            this.lastUsedNanos = now;
        }
    }

    private final ModuleRoutes routes;
    private final InstanceHealth health;
    private final Duration ttl;
    private final Duration renewInterval;
    private final Duration cacheTtl;
    private final Duration maxStale;
    private final int maxClaims;
    private final RedisRouteOptions ownedOptions;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final ConcurrentHashMap<RouteKey, Claim> claims = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicLong renewalRounds = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();

    private volatile RedisRouteClient redis;
    private volatile CachedRouteTable cache;
    private volatile boolean closed;

    private RedisRouter(Builder b) {
        this.routes = b.routes;
        this.health = b.health;
        this.ttl = b.ttl;
        this.renewInterval = RedisProperties.renewInterval(b.renewInterval, ttl);
        this.cacheTtl = b.cacheTtl;
        this.maxStale = b.maxStale;
        this.maxClaims = b.maxClaims;
        this.ownedOptions = b.options;
        if (b.redis != null) {
            useConnection(b.redis);
        }
        for (String service : routes.services()) {
            live.put(service, Live.EMPTY);
            watches.add(b.discovery.watch(service, instances -> live.put(service, new Live(instances))));
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "janus-redis-router-renewal");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.timer = executor;
        long every = renewInterval.toMillis();
        timer.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
        if (ownedOptions != null) {
            connect();
        }
    }

    /**
     * Starts a router.
     *
     * @param discovery where instances are found; not closed by the router
     * @param routes which service serves each module, by which key
     * @return a builder; set {@link Builder#redis} or {@link Builder#redisOptions}
     */
    public static Builder builder(Discovery discovery, ModuleRoutes routes) {
        return new Builder(requireNonNull(discovery, "discovery"), requireNonNull(routes, "routes"));
    }

    private void useConnection(RedisRouteClient client) {
        cache = new CachedRouteTable(new RouteTable(client), cacheTtl, maxStale, maxClaims);
        redis = client;
    }

    /** Connects an owned client in the background; one attempt at a time, retried by the timer. */
    private void connect() {
        if (closed || redis != null || !connecting.compareAndSet(false, true)) {
            return;
        }
        RedisRouteClient.connect(ownedOptions).whenComplete((client, error) -> {
            connecting.set(false);
            if (error != null) {
                LOG.warn("Redis router cannot reach Redis at {}:{} ({}); routing by hash until it can",
                        ownedOptions.host(), ownedOptions.port(), unwrap(error).toString());
            } else if (closed) {
                client.closeAsync();
            } else {
                useConnection(client);
            }
        });
    }

    @Override
    public CompletionStage<ServiceInstance> route(SessionInfo session, int module, long obj) {
        requireNonNull(session, "session");
        ModuleRoutes.Rule rule = routes.find(module);
        if (rule == null) {
            return CompletableFuture.failedFuture(
                    RequestException.of(Reason.NO_ROUTE, "no service is configured for module " + module));
        }
        String service = rule.service();
        Live instances = live.getOrDefault(service, Live.EMPTY);
        boolean byPlayer = rule.key() == ModuleRoutes.Key.PLAYER;
        long hashKey = byPlayer ? session.playerId() : obj;
        ServiceInstance pick = instances.ring(session.identity().color()).pick(hashKey, health::isUsable);
        if (pick == null) {
            return CompletableFuture.failedFuture(RequestException.of(Reason.SERVICE_UNAVAILABLE,
                    "service '" + service + "' has no live instance"));
        }
        RouteKey key = byPlayer ? RouteKey.service(Long.toString(session.playerId()), service)
                : RouteKey.object(service, Long.toString(obj));
        CachedRouteTable table = cache;
        if (table == null) {
            return CompletableFuture.completedFuture(fallback(key, pick, byPlayer, instances));
        }
        CompletableFuture<ServiceInstance> result = new CompletableFuture<>();
        resolve(table, key, byPlayer, instances, pick, 1, result);
        return result;
    }

    /** Reads the owner and settles on an instance: the live owner, a fresh claim, or a re-claim. */
    private void resolve(CachedRouteTable table, RouteKey key, boolean byPlayer, Live instances, ServiceInstance pick,
            int attempt, CompletableFuture<ServiceInstance> result) {
        call(() -> table.owner(key)).whenComplete((owner, error) -> {
            if (error != null) {
                result.complete(fallback(key, pick, byPlayer, instances));
                return;
            }
            if (owner.isPresent()) {
                ServiceInstance current = instances.byId.get(owner.get());
                if (current != null && (health.isUsable(current) || current.equals(pick))) {
                    track(key, current.id(), byPlayer, true);
                    result.complete(current);
                    return;
                }
                // Gone from discovery, or failing while another instance is usable: move the key.
                settle(call(() -> table.reclaim(key, owner.get(), pick.id(), ttl)), table, key, byPlayer, instances,
                        pick, attempt, result);
            } else {
                settle(call(() -> table.claim(key, pick.id(), ttl)), table, key, byPlayer, instances, pick, attempt,
                        result);
            }
        });
    }

    private void settle(CompletionStage<Boolean> write, CachedRouteTable table, RouteKey key, boolean byPlayer,
            Live instances, ServiceInstance pick, int attempt, CompletableFuture<ServiceInstance> result) {
        write.whenComplete((won, error) -> {
            if (error != null) {
                result.complete(fallback(key, pick, byPlayer, instances));
            } else if (won) {
                track(key, pick.id(), byPlayer, true);
                result.complete(pick);
            } else if (attempt < MAX_ROUTE_ATTEMPTS) {
                // Another gateway claimed or moved it first: adopt its choice if live.
                table.invalidate(key);
                resolve(table, key, byPlayer, instances, pick, attempt + 1, result);
            } else {
                result.complete(pick);
            }
        });
    }

    /** Redis could not answer: a claim we track, else the pick, remembered to be claimed later. */
    private ServiceInstance fallback(RouteKey key, ServiceInstance pick, boolean byPlayer, Live instances) {
        fallbacks.incrementAndGet();
        Claim known = claims.get(key);
        if (known != null) {
            ServiceInstance owner = instances.byId.get(known.owner);
            if (owner != null && health.isUsable(owner)) {
                known.lastUsedNanos = System.nanoTime();
                return owner;
            }
        }
        track(key, pick.id(), byPlayer, false);
        return pick;
    }

    private void track(RouteKey key, String owner, boolean byPlayer, boolean claimed) {
        long now = System.nanoTime();
        Claim existing = claims.get(key);
        if (existing != null && existing.owner.equals(owner)) {
            existing.lastUsedNanos = now;
            if (claimed) {
                existing.claimed = true;
            }
            return;
        }
        if (existing == null && claims.size() >= maxClaims) {
            LOG.warn("Redis router tracks {} claims (maxClaims); {} is left to expire unrenewed", maxClaims, key);
            return;
        }
        claims.put(key, new Claim(owner, byPlayer, claimed, now));
    }

    @Override
    public void sessionClosed(SessionInfo session) {
        requireNonNull(session, "session");
        CachedRouteTable table = cache;
        String player = Long.toString(session.playerId());
        for (String service : routes.services()) {
            RouteKey key = RouteKey.service(player, service);
            Claim claim = claims.remove(key);
            if (claim != null && claim.claimed && table != null) {
                call(() -> table.release(key, claim.owner)).whenComplete((released, error) -> {
                    if (error != null) {
                        LOG.info("Could not release {} ({}); it expires in {}", key, unwrap(error).toString(), ttl);
                    }
                });
            }
        }
    }

    /**
     * The session moved to another gateway (a resume there): its claims stay in Redis, where the other
     * gateway's router finds and renews them; this router only stops renewing them.
     */
    @Override
    public void sessionMoved(SessionInfo session) {
        requireNonNull(session, "session");
        String player = Long.toString(session.playerId());
        for (String service : routes.services()) {
            claims.remove(RouteKey.service(player, service));
        }
    }

    /**
     * The number of claims tracked for renewal now.
     *
     * @return at most {@code maxClaims}
     */
    public int trackedClaims() {
        return claims.size();
    }

    /**
     * The number of renewal rounds completed.
     *
     * @return the count since creation
     */
    public long renewalRounds() {
        return renewalRounds.get();
    }

    /**
     * The number of routes decided without Redis (not connected, or Redis failed).
     *
     * @return the count since creation
     */
    public long fallbackRoutes() {
        return fallbacks.get();
    }

    /**
     * Whether the router has a Redis connection (it may be reconnecting).
     *
     * @return {@code true} once connected
     */
    public boolean isConnected() {
        RedisRouteClient client = redis;
        return client != null && client.isConnected();
    }

    /** One timer tick: connect if needed, then renew and claim what is tracked. */
    private void tick() {
        try {
            if (closed) {
                return;
            }
            CachedRouteTable table = cache;
            if (table == null) {
                connect();
                return;
            }
            if (!renewing.compareAndSet(false, true)) {
                return;
            }
            long now = System.nanoTime();
            long idleLimit = ttl.toNanos();
            List<Map.Entry<RouteKey, Claim>> round = new ArrayList<>();
            for (Map.Entry<RouteKey, Claim> e : claims.entrySet()) {
                Claim claim = e.getValue();
                if (!claim.playerKey && now - claim.lastUsedNanos > idleLimit) {
                    claims.remove(e.getKey(), claim);
                } else {
                    round.add(e);
                }
            }
            new WindowedRound<>(round, RENEWAL_WINDOW, e -> renewOne(table, e.getKey(), e.getValue()),
                    () -> closed, () -> {
                        renewalRounds.incrementAndGet();
                        renewing.set(false);
                    }).pump();
        } catch (RuntimeException e) {
            renewing.set(false);
            LOG.warn("Redis router renewal failed", e);
        }
    }

    private CompletionStage<?> renewOne(CachedRouteTable table, RouteKey key, Claim claim) {
        CompletionStage<Boolean> write = claim.claimed ? call(() -> table.renew(key, claim.owner, ttl))
                : call(() -> table.claim(key, claim.owner, ttl));
        return write.thenCompose(held -> held || !claim.claimed ? CompletableFuture.completedFuture(held)
                // Gone (expired, or lost in a Redis restart): claim it again for the same owner.
                : call(() -> table.claim(key, claim.owner, ttl))).whenComplete((held, error) -> {
            if (error != null) {
                return; // Redis down: try again next round; the cache keeps serving.
            }
            if (held) {
                claim.claimed = true;
            } else {
                // Held by another owner (moved by another gateway): the next packet reads the new owner.
                claims.remove(key, claim);
                table.invalidate(key);
            }
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        for (AutoCloseable watch : watches) {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.info("Closing a discovery watch failed ({})", e.toString());
            }
        }
        watches.clear();
        claims.clear();
        RedisRouteClient client = redis;
        if (ownedOptions != null && client != null) {
            CompletableFuture<Void> done = client.closeAsync().toCompletableFuture();
            if (Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread) {
                return; // never wait on an event loop
            }
            try {
                done.get(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.info("Closing the router's Redis connection failed ({})", e.toString());
            }
        }
    }



    @Override
    public String toString() {
        return "RedisRouter{claims=" + claims.size() + ", ttl=" + ttl + ", renewInterval=" + renewInterval
                + ", cacheTtl=" + cacheTtl + "}";
    }

    /** Builds a {@link RedisRouter}. Not thread-safe. */
    public static final class Builder {
        private final Discovery discovery;
        private final ModuleRoutes routes;
        private InstanceHealth health = new InstanceHealth();
        private RedisRouteClient redis;
        private RedisRouteOptions options;
        private Duration ttl = Duration.ofMillis(DEFAULT_TTL_MS);
        private Duration renewInterval;
        private Duration cacheTtl = Duration.ofMillis(DEFAULT_CACHE_TTL_MS);
        private Duration maxStale = Duration.ofMillis(DEFAULT_MAX_STALE_MS);
        private int maxClaims = DEFAULT_MAX_CLAIMS;

        private Builder(Discovery discovery, ModuleRoutes routes) {
            this.discovery = discovery;
            this.routes = routes;
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
         * Connects in the background (routing by hash until connected) and closes the connection in
         * {@link RedisRouter#close()}.
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
         * Shares the gateway's table of failing instances.
         *
         * @param health the table the tunnel reports to
         * @return this builder
         */
        public Builder health(InstanceHealth health) {
            this.health = requireNonNull(health, "health");
            return this;
        }

        /**
         * Sets the time to live of claims.
         *
         * @param ttl at least 30 ms ({@value RedisRouter#DEFAULT_TTL_MS} ms by default)
         * @return this builder
         */
        public Builder ttl(Duration ttl) {
            this.ttl = RedisProperties.checkTtl(ttl);
            return this;
        }

        /**
         * Sets how often claims are renewed; a third of the TTL by default.
         *
         * @param interval at least 10 ms, less than the TTL
         * @return this builder
         */
        public Builder renewInterval(Duration interval) {
            this.renewInterval = RedisProperties.checkRenewInterval(interval);
            return this;
        }

        /**
         * Sets how long a cached owner is used without asking Redis.
         *
         * @param cacheTtl positive ({@value RedisRouter#DEFAULT_CACHE_TTL_MS} ms by default)
         * @return this builder
         */
        public Builder cacheTtl(Duration cacheTtl) {
            requireNonNull(cacheTtl, "cacheTtl");
            if (cacheTtl.isZero() || cacheTtl.isNegative()) {
                throw new IllegalArgumentException("cacheTtl: " + cacheTtl + " (expected: > 0)");
            }
            this.cacheTtl = cacheTtl;
            return this;
        }

        /**
         * Sets how much longer a cached owner is used while Redis fails.
         *
         * @param maxStale zero or more ({@value RedisRouter#DEFAULT_MAX_STALE_MS} ms by default)
         * @return this builder
         */
        public Builder maxStale(Duration maxStale) {
            requireNonNull(maxStale, "maxStale");
            if (maxStale.isNegative()) {
                throw new IllegalArgumentException("maxStale: " + maxStale + " (expected: >= 0)");
            }
            this.maxStale = maxStale;
            return this;
        }

        /**
         * Sets the most claims tracked for renewal, and the most keys cached.
         *
         * @param maxClaims at least 1 ({@value RedisRouter#DEFAULT_MAX_CLAIMS} by default)
         * @return this builder
         */
        public Builder maxClaims(int maxClaims) {
            if (maxClaims < 1) {
                throw new IllegalArgumentException("maxClaims: " + maxClaims + " (expected: > 0)");
            }
            this.maxClaims = maxClaims;
            return this;
        }

        /**
         * Builds the router; it starts watching discovery and its renewal timer.
         *
         * @return the router
         */
        public RedisRouter build() {
            if (redis == null && options == null) {
                throw new IllegalStateException("set redis(client) or redisOptions(options)");
            }
            return new RedisRouter(this);
        }
    }
}
