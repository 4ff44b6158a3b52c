package io.janus.core.config;

import io.janus.core.spi.Transport;
import io.janus.core.spi.TransportConfig;
import io.janus.core.spi.TransportProvider;
import io.janus.core.spi.TransportRegistry;

/**
 * A transport provider named {@code config-test}, so that configurations naming a transport validate in
 * janus-core, where no real transport is on the class path. Priority 0: never chosen by default.
 * Gateways started from configuration are tested in janus-examples, over real TCP.
 */
final class ConfigTestTransportProvider extends TransportProvider {

    static final String NAME = "config-test";

    private static final ConfigTestTransportProvider INSTANCE = new ConfigTestTransportProvider();

    /** Adds the provider to the process-wide registry, for the tests of one class. */
    static void register() {
        TransportRegistry.getDefaultRegistry().register(INSTANCE);
    }

    /** Removes it again, so no other test sees it. */
    static void deregister() {
        TransportRegistry.getDefaultRegistry().deregister(INSTANCE);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Transport newTransport(TransportConfig config) {
        throw new UnsupportedOperationException("config-test validates names only");
    }
}
