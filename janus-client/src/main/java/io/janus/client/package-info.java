/**
 * The Java client SDK: {@link io.janus.client.JanusClient} connects and logs in,
 * {@link io.janus.client.ClientSession} sends requests, receives pushes and keeps the heartbeat.
 */
package io.janus.client;
