/**
 * Redis-backed routing for a fleet of gateways, on Lettuce: the foundation of the issue "Three-tier
 * Redis routing, cluster-wide push, multicast and broadcast".
 *
 * <p><b>What exists</b> (standalone Redis and Redis Cluster):
 * <ul>
 *   <li>{@link io.janus.route.redis.RedisRouteClient}: one asynchronous Lettuce connection, standalone or
 *       cluster, with a command timeout, a bounded request queue, commands refused at once while
 *       disconnected, and reconnection ({@link io.janus.route.redis.RedisRouteOptions}, also read from
 *       {@code redis.*} properties);</li>
 *   <li>{@link io.janus.route.redis.RouteKey}: key names of the gateway table (player to gateway), the
 *       service table ((player, service) to instance) and the object table ((service, object) to
 *       instance), with Redis Cluster hash tags: one player's keys share a slot, players spread over
 *       slots;</li>
 *   <li>{@link io.janus.route.redis.RouteTable}: claim ({@code SET NX PX}), compare-and-renew,
 *       compare-and-delete and compare-and-swap re-claim from a dead owner, as Lua scripts run by
 *       {@code EVALSHA} with an {@code EVAL} fallback;</li>
 *   <li>{@link io.janus.route.redis.CachedRouteTable}: a bounded local cache in front of a table,
 *       invalidated by TTL and by writes made through it, serving recent answers through a short Redis
 *       outage;</li>
 *   <li>{@link io.janus.route.redis.RedisTokenReplayCache}: janus-core's
 *       {@link io.janus.core.auth.TokenReplayCache} shared through Redis; it fails closed with
 *       {@code AUTH_UNAVAILABLE} when Redis cannot answer.</li>
 * </ul>
 *
 * <p><b>Session directory, cluster push and router</b> (issue 6):
 * <ul>
 *   <li>{@link io.janus.route.redis.RedisSessionDirectory} (provider {@code redis} of
 *       {@link io.janus.core.spi.SessionDirectoryProvider}): the gateway table, one TTL entry
 *       {@code GATEWAY/SESSION} per logged-in player renewed in pipelined rounds, a presence key per
 *       gateway, duplicate logins across gateways settled by {@code KICK_OLD} (compare-and-swap, then a
 *       {@code SessionKick} to the older gateway) or {@code REJECT_NEW}, logins refused with
 *       {@code DIRECTORY_UNAVAILABLE} while Redis cannot answer (fail closed), entries claimed again
 *       after a Redis restart, and pub/sub deliveries to the gateway's local pusher;</li>
 *   <li>{@link io.janus.route.redis.RedisPusher}: the cluster-wide pusher of the gateway
 *       ({@code SessionDirectory.pusher()}) and of the game-service SDK: one {@code PUBLISH} of a
 *       base64 {@code GatewayMessage} per gateway holding players of a multicast, one for a broadcast,
 *       bounded calls in flight;</li>
 *   <li>{@link io.janus.route.redis.RedisRouter} (provider {@code redis} of
 *       {@link io.janus.core.spi.RouterProvider}, chosen by name): service and object tables claimed
 *       with the consistent-hash pick, sticky while the owner lives, moved with compare-and-swap on the
 *       first packet after discovery drops the owner, renewed while used, released on session close,
 *       served from cache and by hash while Redis is down.</li>
 * </ul>
 *
 * <p><b>Redis Cluster.</b> With {@code redis.cluster=true} (or {@code RedisRouteOptions.builder().cluster(seeds)})
 * the client is a Lettuce cluster client: it reads the slot map from any seed, connects to every master up
 * front, sends each command to the master of its key's hash slot, and refreshes the topology periodically
 * and on redirections or lost connections. Every key of this package is routed alone and every script
 * touches one key, so nothing needs keys of one slot, yet one player's gateway and service keys share the
 * hash tag {@code {p:PLAYER}} and so a slot and a master; players, objects and tokens spread over all
 * slots. Pub/sub uses classic {@code PUBLISH}/{@code SUBSCRIBE}, which the cluster bus carries to every
 * node. While a master is down, its keys fail at once or within the command timeout (tokens with {@code AUTH_UNAVAILABLE}, cached routes
 * are still served) and the other masters keep working; nothing is lost on masters that stay up, and a
 * master restarted without persistence comes back empty. Tested against three real masters
 * ({@code Cluster*Test}).
 *
 * <p><b>What does not exist yet:</b> per-session pushes to other gateways ({@code GatewayMessage} has no
 * per-session body, so {@code RedisPusher.pushToSession} reaches this gateway's sessions only).
 */
package io.janus.route.redis;
