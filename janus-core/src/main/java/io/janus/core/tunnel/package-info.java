/** The default {@link io.janus.core.spi.Tunnel}: game handlers embedded in the gateway's JVM. */
package io.janus.core.tunnel;
