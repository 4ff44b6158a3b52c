package io.janus.core.spi;

/**
 * {@link TransportProvider}s listed in the fake {@code META-INF/services} file that
 * {@link ProviderRegistryTest} puts on its own class loader. Public with public constructors, as
 * {@link java.util.ServiceLoader} requires.
 */
public final class FakeTransportProviders {

    private FakeTransportProviders() {
    }

    /** Common body: a fixed name and priority, available, builds nothing. */
    abstract static class Fake extends TransportProvider {
        private final String name;
        private final int priority;

        Fake(String name, int priority) {
            this.name = name;
            this.priority = priority;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public Transport newTransport(TransportConfig config) {
            throw new UnsupportedOperationException("a fake provider builds no transport");
        }
    }

    /** {@code alpha}, default priority. */
    public static final class Alpha extends Fake {
        public Alpha() {
            super("alpha", DEFAULT_PRIORITY);
        }
    }

    /** {@code bravo}, default priority: ties with {@link Alpha} and sorts after it by class name. */
    public static final class Bravo extends Fake {
        public Bravo() {
            super("bravo", DEFAULT_PRIORITY);
        }
    }

    /** A second {@code alpha} with a higher priority than {@link Alpha}. */
    public static final class AlphaPreferred extends Fake {
        public AlphaPreferred() {
            super("alpha", 8);
        }
    }

    /** The highest priority of the available ones. */
    public static final class High extends Fake {
        public High() {
            super("high", 9);
        }
    }

    /** The lowest priority. */
    public static final class Low extends Fake {
        public Low() {
            super("low", 1);
        }
    }

    /** Would win on priority, but says it cannot work here. */
    public static final class Unavailable extends Fake {
        public Unavailable() {
            super("unavailable", 10);
        }

        @Override
        public boolean isAvailable() {
            return false;
        }
    }

    /** Would win on priority, but breaks the contract by throwing from {@code isAvailable()}. */
    public static final class Throwing extends Fake {
        public Throwing() {
            super("throwing", 10);
        }

        @Override
        public boolean isAvailable() {
            throw new IllegalStateException("native library missing");
        }
    }

    /** Cannot even be instantiated. */
    public static final class ConstructorThrows extends Fake {
        public ConstructorThrows() {
            super("broken", 10);
            throw new IllegalStateException("cannot construct");
        }
    }
}
