/**
 * The service provider interfaces of Janus: {@link io.janus.core.spi.Transport} (and
 * {@link io.janus.core.spi.ClientTransport}), {@link io.janus.core.spi.Authenticator},
 * {@link io.janus.core.spi.Router}, {@link io.janus.core.spi.Tunnel} and
 * {@link io.janus.core.spi.Discovery}. Each has an abstract provider with a stable name, a priority and
 * an availability check, and a thread-safe registry that loads providers with
 * {@link java.util.ServiceLoader} and accepts providers registered by hand.
 */
package io.janus.core.spi;
