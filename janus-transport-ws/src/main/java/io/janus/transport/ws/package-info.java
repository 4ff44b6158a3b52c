/**
 * The WebSocket transport (RFC 6455) for browser clients, server ({@link io.janus.transport.ws.WsTransport},
 * provider name {@code ws}) and client ({@link io.janus.transport.ws.WsClientTransport}).
 *
 * <p>One binary WebSocket message carries exactly one Janus frame body, with no length prefix;
 * fragmented messages are reassembled up to the gateway's maxFrameLength. The upgrade happens on one
 * path (default {@code /janus}) after an Origin allowlist check; optional TLS (wss), optional
 * permessage-deflate, pings and an idle timeout of the transport's own, and optional static files
 * for a demo page on other paths. Every refusal carries a {@code janus.v1.Reason} in the 120-129 range
 * (or {@code FRAME_TOO_LARGE}, {@code FRAME_EMPTY}), counted by the gateway and logged.
 */
package io.janus.transport.ws;
