/**
 * Redis-backed routing for a fleet of gateways, on Lettuce: the foundation of the issue "Three-tier
 * Redis routing, cluster-wide push, multicast and broadcast".
 *
 * <p><b>What exists</b> (standalone Redis only):
 * <ul>
 *   <li>{@link io.janus.route.redis.RedisRouteClient}: one asynchronous Lettuce connection with a command
 *       timeout, a bounded request queue, commands refused at once while disconnected, and reconnection
 *       ({@link io.janus.route.redis.RedisRouteOptions});</li>
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
 * <p><b>What does not exist yet:</b> Redis Cluster connections (the key layout is ready, the client is
 * standalone only); a router ({@code RouterProvider} named {@code redis} is deliberately not registered
 * until it routes); wiring into {@code Gateway}; renewal loops and re-claim triggered by discovery;
 * duplicate-login kicks across gateways; the push service, pub/sub, multicast and broadcast.
 */
package io.janus.route.redis;
