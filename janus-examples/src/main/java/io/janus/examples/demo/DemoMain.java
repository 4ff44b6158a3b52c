package io.janus.examples.demo;

import io.janus.core.Gateway;
import io.janus.core.GatewayStats;
import io.janus.core.discovery.StaticDiscovery;
import io.janus.core.routing.ModuleRoutes;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.tunnel.grpc.GameServiceServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the demo: a gateway embedding {@link DemoGame} on TCP, then the scripted {@link DemoClient}
 * against it.
 *
 * <pre>
 * java -jar janus-demo.jar                      # scripted demo on a free port, then exit
 * java -jar janus-demo.jar --serve --port 7000  # serve until SIGTERM (Ctrl-C)
 * </pre>
 *
 * <p>Exit status: 0 when the script completed, 1 when a step failed, 2 for bad arguments.
 */
public final class DemoMain {

    private static final String USAGE = "usage: java -jar janus-demo.jar [--port N] [--serve [--ws-port N]] [--remote]\n"
            + "  --port N   TCP port of the gateway (default 0: a free port)\n"
            + "  --serve    keep serving until SIGTERM instead of running the scripted demo\n"
            + "  --ws-port N  with --serve: WebSocket port, which also serves the browser page (default 8080)\n"
            + "  --remote   run the game in a remote game service (a gRPC server on loopback) instead of\n"
            + "             embedding it in the gateway; the handlers are the same";

    private DemoMain() {
    }

    /**
     * Runs the demo and exits with its status.
     *
     * @param args {@code [--port N] [--serve]}
     * @throws InterruptedException when interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the demo in this JVM. With {@code --serve} it returns only when interrupted.
     *
     * @param args {@code [--port N] [--serve] [--remote]}
     * @param out where the steps are printed
     * @param err where failures are printed
     * @return the exit status: 0 when the script completed, 1 when it failed, 2 for bad arguments
     * @throws InterruptedException when interrupted while serving
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help) {
            out.println(USAGE);
            return 0;
        }

        DemoSecrets secrets = DemoSecrets.generate();
        Gateway.Builder builder = gateway(secrets, options.port, options.serve ? options.wsPort : 0);
        GameServiceServer service = null;
        if (options.remote) {
            // The same handlers, served over the gRPC tunnel by a game service (here in this JVM; a real
            // deployment runs DemoServiceMain on other machines and lists them in discovery).
            service = DemoServiceMain.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
            try {
                service.start().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                err.println("the game service did not start: " + (e.getCause() != null ? e.getCause() : e));
                service.close();
                return 1;
            }
            InetSocketAddress at = service.address();
            builder.tunnel("grpc", Map.of())
                    .discovery(new StaticDiscovery(List.of(ServiceInstance.of(DemoServiceMain.SERVICE,
                            service.instanceId(), at.getAddress().getHostAddress() + ":" + at.getPort(), Map.of()))))
                    .routes(ModuleRoutes.builder().defaultService(DemoServiceMain.SERVICE).build());
            out.println("game service " + service.instanceId() + " serving on " + at);
        } else {
            builder.game(new DemoGame().handlers());
        }
        Gateway gateway = builder.build();
        try {
            gateway.start().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            err.println("the gateway did not start: " + (e.getCause() != null ? e.getCause() : e));
            gateway.close();
            if (service != null) {
                service.close();
            }
            return 1;
        }
        try {
            return serveOrRun(options, secrets, gateway, out, err);
        } finally {
            if (service != null) {
                service.close();
            }
        }
    }

    /**
     * The demo gateway without its game: TCP on {@code port}, and WebSocket on {@code wsPort}, where the
     * transport also serves the browser pages under {@code janus-demo/} on the class path: the chat with
     * the JavaScript client at {@code /chat/index.html}, a bare WebSocket check at {@code /web/index.html}.
     */
    static Gateway.Builder gateway(DemoSecrets secrets, int port, int wsPort) {
        return Gateway.builder()
                .identity(secrets.gatewayIdentity())
                .listen("tcp", port)
                // Browsers: the WebSocket transport, which also serves the demo page on other paths.
                .listen("ws", new InetSocketAddress(InetAddress.getLoopbackAddress(), wsPort),
                        Map.of("path", "/janus", "staticResources", "janus-demo"))
                .authenticator(secrets.authenticator())
                .shutdownTimeout(Duration.ofSeconds(2));
    }

    private static int serveOrRun(Options options, DemoSecrets secrets, Gateway gateway, PrintStream out,
            PrintStream err) throws InterruptedException {

        if (options.serve) {
            gateway.closeOnJvmShutdown();
            out.println("serving on " + gateway.address("tcp") + "; stop with Ctrl-C");
            int wsPort = gateway.address("ws").getPort();
            out.println("browser chat (the JavaScript client): http://127.0.0.1:" + wsPort + "/chat/index.html");
            out.println("WebSocket check without the client: http://127.0.0.1:" + wsPort + "/web/index.html");
            out.println("root public key to pin (base64): "
                    + java.util.Base64.getEncoder().encodeToString(secrets.rootPublicKey()));
            io.janus.core.auth.TokenIssuer logins = secrets.tokenIssuer();
            for (long player = 1; player <= 3; player++) {
                out.println("token for player " + player + " (one use, valid 1 h): "
                        + logins.issue(player, Duration.ofHours(1)));
            }
            // Janus threads are daemons: without this wait the JVM would end with main.
            gateway.awaitTermination();
            return 0;
        }

        try (gateway) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    gateway.address("tcp").getPort());
            new DemoClient(address, secrets.rootPublicKey(), secrets.tokenIssuer(), out).run();
            GatewayStats stats = gateway.stats();
            out.printf("gateway stats: connections=%d, logins=%d, requests=%d, failed requests=%s%n",
                    stats.connectionsAccepted(), stats.logins(), stats.requests(), stats.requestsFailed());
            return 0;
        } catch (DemoClient.DemoFailedException e) {
            err.println("demo failed: " + e.getMessage());
            return 1;
        }
    }

    /** The command line. */
    private static final class Options {
        int port;
        int wsPort = 8080;
        boolean serve;
        boolean remote;
        boolean help;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--serve":
                        options.serve = true;
                        break;
                    case "--remote":
                        options.remote = true;
                        break;
                    case "--help":
                    case "-h":
                        options.help = true;
                        break;
                    case "--ws-port":
                        if (i + 1 == args.length) {
                            throw new IllegalArgumentException("--ws-port needs a value");
                        }
                        options.wsPort = port(args[++i]);
                        break;
                    case "--port":
                        if (i + 1 == args.length) {
                            throw new IllegalArgumentException("--port needs a value");
                        }
                        options.port = port(args[++i]);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument: " + args[i]);
                }
            }
            return options;
        }

        private static int port(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // Reported below.
            }
            throw new IllegalArgumentException("--port: " + value + " (expected: 0 to 65535)");
        }
    }
}
