/**
 * The session protocol, shared by the gateway and janus-client (docs/protocol.md is normative): the
 * handshake messages ({@link io.janus.core.protocol.ClientHello}, {@link io.janus.core.protocol.ServerHello},
 * {@link io.janus.core.protocol.HandshakeError}), the record layer handlers of both ends
 * ({@link io.janus.core.protocol.SecureServerHandler}, {@link io.janus.core.protocol.SecureClientHandler}),
 * body compression, the packet codec and the system module messages.
 */
package io.janus.core.protocol;
