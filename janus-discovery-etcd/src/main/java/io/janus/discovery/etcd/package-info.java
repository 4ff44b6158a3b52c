/**
 * etcd-backed service discovery: lease-based registration of game-service instances and watch-based
 * resolution.
 *
 * <p><b>Not written yet.</b> This module is a placeholder in the reactor; it holds no discovery and its
 * provider is not registered. The work is tracked by the issue "Remote game services".
 */
package io.janus.discovery.etcd;
