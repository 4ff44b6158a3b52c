package io.janus.examples.demo;

import io.janus.core.spi.Discovery;
import io.janus.core.spi.DiscoveryRegistry;
import io.janus.core.tunnel.grpc.GameServiceServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo game as a remote game service: the handlers of {@link DemoGame}, unchanged, served to
 * gateways over the gRPC tunnel. Run it next to a gateway started by the launcher whose config.yaml says
 * {@code tunnel: {provider: grpc}} and {@code routes: {defaultService: game}}, and whose registry.yaml
 * lists this service (static) or names the etcd it registers in:
 *
 * <pre>
 * java -cp janus-demo.jar io.janus.examples.demo.DemoServiceMain --port 9000
 * java -cp janus-demo.jar io.janus.examples.demo.DemoServiceMain --port 9000 \
 *     --discovery etcd --endpoints http://127.0.0.1:2379 --advertise 10.0.0.5:9000
 * </pre>
 */
public final class DemoServiceMain {

    /** The service name the demo game registers under. */
    public static final String SERVICE = "game";

    private static final String USAGE = "usage: DemoServiceMain [--host H] [--port N] [--id ID] [--advertise HOST:PORT]"
            + " [--discovery NAME --endpoints URLS]\n"
            + "  --host H         address to listen on (default 127.0.0.1)\n"
            + "  --port N         port (default 9000; 0 picks a free one)\n"
            + "  --id ID          instance id in discovery (default: random)\n"
            + "  --advertise A    host:port gateways use to reach this service (default: the bound address)\n"
            + "  --discovery N    register in a discovery provider (etcd, with janus-discovery-etcd)\n"
            + "  --endpoints U    the discovery's endpoints, e.g. http://127.0.0.1:2379";

    private static final java.util.Set<String> FLAGS =
            java.util.Set.of("--host", "--port", "--id", "--advertise", "--discovery", "--endpoints");

    private DemoServiceMain() {
    }

    /**
     * Serves until SIGTERM.
     *
     * @param args see the usage
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err, new CountDownLatch(1)));
    }

    /**
     * Starts the service and serves until {@code stop} is counted down or the JVM shuts down.
     *
     * @param args see the usage
     * @param out where the address is printed
     * @param err where failures are printed
     * @param stop counted down to stop serving
     * @return 0 after a clean stop, 1 when the service could not start, 2 for bad arguments
     * @throws InterruptedException when interrupted
     */
    public static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop)
            throws InterruptedException {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--host", "127.0.0.1");
        options.put("--port", "9000");
        for (int i = 0; i < args.length; i++) {
            if (!FLAGS.contains(args[i])) {
                err.println("unknown argument: " + args[i]);
                err.println(USAGE);
                return 2;
            }
            if (i + 1 == args.length) {
                err.println(args[i] + " needs a value");
                err.println(USAGE);
                return 2;
            }
            options.put(args[i], args[++i]);
        }
        InetSocketAddress address;
        try {
            int port = Integer.parseInt(options.get("--port"));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            address = new InetSocketAddress(InetAddress.getByName(options.get("--host")), port);
        } catch (NumberFormatException | UnknownHostException e) {
            err.println("--host/--port: " + options.get("--host") + ":" + options.get("--port")
                    + " (expected: an address and a port from 0 to 65535)");
            return 2;
        }
        Discovery discovery = null;
        if (options.containsKey("--discovery")) {
            discovery = DiscoveryRegistry.getDefaultRegistry().select(options.get("--discovery"))
                    .newDiscovery(options.containsKey("--endpoints")
                            ? Map.of("endpoints", options.get("--endpoints")) : Map.of());
        }
        GameServiceServer.Builder builder = builder(address);
        if (options.containsKey("--id")) {
            builder.instanceId(options.get("--id"));
        }
        if (options.containsKey("--advertise")) {
            builder.advertisedAddress(options.get("--advertise"));
        }
        if (discovery != null) {
            builder.discovery(discovery);
        }
        GameServiceServer server = builder.build();
        Thread hook = new Thread(stop::countDown, "demo-service-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.start().get(15, TimeUnit.SECONDS);
            out.println("demo game service " + server.instanceId() + " serving '" + SERVICE + "' on "
                    + server.address());
            stop.await();
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            err.println("the game service did not start: " + (e.getCause() != null ? e.getCause() : e));
            return 1;
        } finally {
            server.close();
            if (discovery != null) {
                discovery.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running.
            }
        }
    }

    /**
     * A server of the demo game: the demo's handlers as service {@value #SERVICE}.
     *
     * @param address where to listen
     * @return the builder, for more settings
     */
    static GameServiceServer.Builder builder(InetSocketAddress address) {
        return GameServiceServer.builder().address(address).service(SERVICE, new DemoGame().handlers());
    }
}
