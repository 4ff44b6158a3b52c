/**
 * The gateway's push service (janus-api {@code push.proto}): game services in any language ask any
 * gateway to push to players, multicast or broadcast, and the gateway hands the message to its session
 * directory, which reaches the gateways holding the players (docs/routing.md).
 */
package io.janus.core.push;
