/**
 * The launcher of {@code janus-launcher.jar}: a gateway started from a configuration directory
 * ({@link io.janus.core.config.JanusConfig}), drained on SIGTERM.
 */
package io.janus.examples.launcher;
