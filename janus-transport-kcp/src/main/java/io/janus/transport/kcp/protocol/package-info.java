/**
 * The KCP ARQ engine ({@link io.janus.transport.kcp.protocol.Kcp}): segments, acknowledgements, windows,
 * retransmission and window probes, as described by skywind3000/kcp and implemented by xtaci/kcp-go v5.
 * Independent of Netty channels: it reads and writes {@link io.netty.buffer.ByteBuf}s and is driven by a
 * clock the caller supplies.
 */
package io.janus.transport.kcp.protocol;
