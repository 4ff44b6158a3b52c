/** Helpers for transport implementations and clients: event loops and matching channel classes. */
package io.janus.core.transport;
