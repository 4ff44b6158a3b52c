/**
 * Redis-backed routing: the gateway, service and object route tables, the token replay cache and
 * cluster-wide push through Redis pub/sub.
 *
 * <p><b>Not written yet.</b> This module is a placeholder in the reactor; it holds no router and its
 * provider is not registered. The work is tracked by the issue "Three-tier Redis routing".
 */
package io.janus.route.redis;
