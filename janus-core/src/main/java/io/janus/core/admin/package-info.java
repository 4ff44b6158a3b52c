/**
 * The operator's admin endpoint: a small HTTP server on a port of its own, bound to loopback by default,
 * that serves health, readiness, connection statistics and Prometheus metrics, and, behind a bearer
 * token, drains the gateway and kicks players. {@link io.janus.core.admin.AdminOptions} configures it;
 * {@link io.janus.core.Gateway.Builder#admin} starts it with the gateway. See README.md, "Operations".
 */
package io.janus.core.admin;
