/**
 * WebSocket transport for browser clients: one binary message per frame, origin allowlist, optional TLS.
 *
 * <p><b>Not written yet.</b> This module is a placeholder in the reactor; it holds no transport and its
 * provider is not registered. The work is tracked by the issue "WebSocket and KCP transports behind one
 * API".
 */
package io.janus.transport.ws;
