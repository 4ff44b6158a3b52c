/**
 * The TCP transport: 4-byte big-endian length-prefixed frames over TCP, server
 * ({@link io.janus.transport.tcp.TcpTransport}) and client ({@link io.janus.transport.tcp.TcpClientTransport}).
 */
package io.janus.transport.tcp;
