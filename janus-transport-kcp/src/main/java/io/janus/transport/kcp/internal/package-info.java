/**
 * Implementation of the KCP transport, not an API: the virtual child channels, the per-conversation
 * session (engine, kcp-go packet layer, smux streams, lifecycle), the per-loop scheduler and the server
 * and client datagram handlers.
 */
package io.janus.transport.kcp.internal;
