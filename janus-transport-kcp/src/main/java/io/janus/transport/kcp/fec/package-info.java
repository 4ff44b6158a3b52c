/**
 * kcp-go's framing around KCP segments, wire-compatible with kcp-go v5 and kcptun: the packet header
 * (16-byte nonce and CRC32, {@link io.janus.transport.kcp.fec.KcpGoHeader}) and the Reed-Solomon FEC
 * layer ({@link io.janus.transport.kcp.fec.FecEncoder}, {@link io.janus.transport.kcp.fec.FecDecoder},
 * {@link io.janus.transport.kcp.fec.ReedSolomon}), behind one entry point,
 * {@link io.janus.transport.kcp.fec.KcpGoPacketCodec}.
 *
 * <p>References: kcp-go ({@code sess.go}, {@code fec.go}, https://github.com/xtaci/kcp-go) for the
 * layout and receive policy; klauspost/reedsolomon (https://github.com/klauspost/reedsolomon) for the
 * GF(2^8) field and the systematic Vandermonde-derived matrix; CRC-32/IEEE 802.3 as in RFC 1952
 * section 8 for the checksum. Failures carry reason codes 140-149 of {@code janus.v1.Reason}.
 */
package io.janus.transport.kcp.fec;
