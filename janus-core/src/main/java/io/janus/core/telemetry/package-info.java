/**
 * OpenTelemetry metrics and traces of a gateway, through the OpenTelemetry API; see
 * {@link io.janus.core.telemetry.GatewayTelemetry}. Structured logging context (MDC) is described in
 * {@link io.janus.core.telemetry.SessionMdc}.
 */
package io.janus.core.telemetry;
