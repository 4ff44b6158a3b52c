/**
 * etcd-backed service discovery (provider {@code etcd}): lease-based registration of game-service
 * instances and watch-based resolution, on jetcd.
 *
 * <p>{@link io.janus.discovery.etcd.EtcdDiscovery} writes each instance as JSON under
 * {@code <prefix><service>/<id>} (prefix {@code /janus/services/} by default), attached to one lease
 * per discovery that is renewed every TTL/3 and granted again, with every key written again, when etcd
 * loses it. Lookups read a per-service snapshot that a range read plus a watch from the next revision
 * keep current; they never block and keep answering while etcd is down, when
 * {@link io.janus.discovery.etcd.EtcdDiscovery#isHealthy()} turns false. Snapshots, watches, listeners
 * and registrations are bounded. {@link io.janus.discovery.etcd.EtcdDiscoveryProvider} makes it
 * available to {@code Gateway.builder().discovery("etcd", Map.of("endpoints", "http://host:2379"))};
 * {@link io.janus.discovery.etcd.NettyVersionCheck} fails fast when the Netty jars that jetcd, gRPC and
 * Vert.x bring disagree.
 *
 * <p>Specification followed: the etcd v3 API (KV {@code Range}/{@code Put}/{@code DeleteRange},
 * {@code Watch} with {@code start_revision}, {@code LeaseGrant}/{@code LeaseKeepAlive}/{@code LeaseRevoke}).
 */
package io.janus.discovery.etcd;
