/**
 * smux stream multiplexing, versions 1 and 2, wire-compatible with
 * <a href="https://github.com/xtaci/smux">xtaci/smux</a> v1.5 as used by kcptun: many client
 * connections (streams) share one KCP connection in stream mode.
 *
 * <p>Everything here is a pure state machine confined to one event loop: no threads, no channels, no
 * clock of its own. The KCP layer below feeds received bytes to {@link
 * io.janus.transport.kcp.smux.SmuxSession#onBytes}, sends what the session hands to its output, and
 * calls {@link io.janus.transport.kcp.smux.SmuxSession#tick} from a timer. Each stream then carries
 * Janus's ordinary 4-byte length-prefixed frames ({@code io.janus.core.transport.StreamFraming}).
 *
 * <h2>Wire format (xtaci/smux {@code frame.go})</h2>
 *
 * <pre>
 * offset 0  version   1 byte   1 or 2
 * offset 1  command   1 byte   SYN=0 FIN=1 PSH=2 NOP=3 UPD=4 (UPD only in version 2)
 * offset 2  length    2 bytes  unsigned little-endian, payload bytes that follow the header
 * offset 4  stream id 4 bytes  unsigned little-endian
 * offset 8  payload   length bytes (PSH: stream data; UPD: consumed uint32 LE, window uint32 LE)
 * </pre>
 *
 * <p>Golden byte sequences for every command are in {@code SmuxGoldenBytesTest} and listed in {@link
 * io.janus.transport.kcp.smux.SmuxFrame}.
 *
 * <h2>Wiring it to a KCP connection</h2>
 *
 * <ul>
 *   <li>Bytes from the KCP receive queue go to {@code onBytes}; stop draining the queue while {@code
 *       isInputPaused()} (KCP's window then holds the peer back, as xtaci/smux's reader does).
 *   <li>Every buffer given to the session's output goes to KCP's send queue, in order.
 *   <li>{@code tick(now)} from the connection's timer, at least once per keepalive interval.
 *   <li>{@code streamOpened}: one Janus client connection, framed by {@code StreamFraming}; its
 *       bytes arrive through {@code streamData}, and {@code consumed} is called once they are decoded.
 *   <li>{@code sessionFailed} and {@code streamRefused}: record the reason ({@code
 *       TransportContext.recordFailure}), log it, and in the first case close the KCP connection.
 * </ul>
 */
package io.janus.transport.kcp.smux;
