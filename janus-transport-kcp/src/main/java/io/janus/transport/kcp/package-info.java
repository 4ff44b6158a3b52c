/**
 * KCP transport (reliable UDP for action games on lossy mobile networks), wire-compatible with kcp-go
 * including its FEC layer and smux.
 *
 * <p><b>Not written yet.</b> This module is a placeholder in the reactor; it holds no transport and its
 * provider is not registered. The work is tracked by the issue "WebSocket and KCP transports behind one
 * API".
 */
package io.janus.transport.kcp;
