/**
 * YAML configuration of a gateway: {@code config.yaml}, {@code secret.yaml} and {@code registry.yaml} in
 * one directory, overridden by {@code JANUS_...} environment variables, validated as a whole
 * ({@link io.janus.core.config.ConfigException} lists every problem) and turned into a
 * {@link io.janus.core.Gateway.Builder} by {@link io.janus.core.config.JanusConfig}. Every key, its
 * default and its unit: docs/configuration.md.
 */
package io.janus.core.config;
