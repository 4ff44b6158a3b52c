/**
 * KCP transport (reliable UDP for action games on lossy mobile networks), written on Netty 4.2's datagram
 * channel and wire-compatible with kcp-go v5 and kcptun, including kcp-go's packet header, its FEC layer
 * and smux.
 *
 * <p>What works:
 * <ul>
 *   <li>{@link io.janus.transport.kcp.KcpTransport} (provider {@code kcp}): one UDP socket on a worker
 *       loop of the gateway; each KCP conversation (remote address, conv), or with smux each stream of
 *       it, is a child channel with the 4-byte length framing and the gateway's session pipeline. One
 *       periodic task per loop drives every engine. Garbage is dropped without a reply and counted,
 *       sessions are capped (in total and half-open), unproven addresses get no more bytes than they
 *       sent (times {@code amplificationFactor}), dead links and idle peers are closed with
 *       {@code KCP_DEAD_LINK} and {@code KCP_IDLE_TIMEOUT}.</li>
 *   <li>{@link io.janus.transport.kcp.KcpClientTransport} (provider {@code kcp}): janus-client over KCP,
 *       bare or with kcp-go's header, FEC and smux 1/2 (one stream per connection).</li>
 *   <li>{@link io.janus.transport.kcp.KcpSettings}: kcptun-compatible settings ({@code mode}, {@code mtu},
 *       {@code sndwnd}, {@code rcvwnd}, {@code crypt} none|null, {@code dataShards},
 *       {@code parityShards}, {@code smux} off|1|2|auto, {@code idleTimeout}, caps).</li>
 *   <li>{@code protocol}: the KCP engine; {@code fec}: kcp-go's packet header and Reed-Solomon FEC;
 *       {@code smux}: xtaci/smux v1/v2; {@code internal}: child channels, sessions, scheduler.</li>
 * </ul>
 * Tested against the real kcptun both ways (kcptun-client in front of the gateway, the Java client in
 * front of kcptun-server). Encryption ({@code crypt} other than none/null) is not supported: Janus
 * encrypts above the transport.
 */
package io.janus.transport.kcp;
