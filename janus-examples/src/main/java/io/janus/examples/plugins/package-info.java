/**
 * Plugin examples, each registered in {@code META-INF/services} and chosen by name in config.yaml: an
 * authenticator for HMAC-signed tokens of an existing login service ({@code hmac}) and a router that
 * pins players to the instances of their zone ({@code zone}).
 */
package io.janus.examples.plugins;
