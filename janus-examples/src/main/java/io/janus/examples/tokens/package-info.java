/**
 * The login service's role, in small: an HTTP endpoint that checks a demo credential and issues sealed
 * login tokens ({@link io.janus.examples.tokens.TokenEndpoint}).
 */
package io.janus.examples.tokens;
