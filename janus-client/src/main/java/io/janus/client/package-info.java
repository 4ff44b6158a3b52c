/**
 * The Java client SDK: {@link io.janus.client.JanusClient} connects and logs in,
 * {@link io.janus.client.ClientSession} sends requests, receives pushes and keeps the heartbeat. Sessions
 * are resumable by default (docs/protocol.md, section 14): a lost connection is re-established, with backoff,
 * to one of the {@link io.janus.client.Endpoint}s, and a {@link io.janus.client.SessionListener} hears
 * reconnecting, resumed and closed. Package-private helpers: {@code PacketLedger} (numbering, acks and the
 * bounded resend buffer) and {@code Backoff}; the resume proof is janus-core's {@code ResumeTicket.proof}.
 */
package io.janus.client;
