/** The default, server-less {@link io.janus.core.spi.Discovery}: instances from configuration and in-process registrations. */
package io.janus.core.discovery;
