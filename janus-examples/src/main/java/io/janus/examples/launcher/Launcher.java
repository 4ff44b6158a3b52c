package io.janus.examples.launcher;

import io.janus.core.Gateway;
import io.janus.core.config.ConfigException;
import io.janus.core.config.JanusConfig;
import io.janus.examples.demo.DemoGame;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a gateway from a configuration directory (docs/configuration.md): the main class of
 * {@code janus-launcher.jar}.
 *
 * <pre>
 * java -jar janus-launcher.jar --config /etc/janus           # serve until SIGTERM, then drain
 * java -jar janus-launcher.jar --config /etc/janus --check   # validate only
 * </pre>
 *
 * <p>The gateway embeds the demo game ({@link DemoGame}) unless config.yaml names a
 * {@code game.handlers} class: a game plugs in its own handlers with a public class implementing
 * {@code Supplier<GameHandlers>} and puts its jar on the class path:
 * {@code java -cp janus-launcher.jar:my-game.jar io.janus.examples.launcher.Launcher --config dir}. Its
 * own {@code Router}, {@code Authenticator} or transport providers in that jar are found through their
 * {@code META-INF/services} files and chosen by name in config.yaml.
 *
 * <p>On SIGTERM the gateway drains (clients finish their requests, then receive
 * {@code SERVER_DRAIN}) within {@code drainTimeout}. Exit status: 0 after a clean stop or a valid
 * {@code --check}, 1 for an invalid configuration or a failed start, 2 for bad arguments.
 */
public final class Launcher {

    static final String USAGE = "usage: java -jar janus-launcher.jar --config DIR [--check]\n"
            + "  --config DIR  directory with config.yaml, secret.yaml and (optional) registry.yaml\n"
            + "  --check       validate the configuration, print every problem, exit 0 (valid) or 1";

    /** How long a start may take before the launcher gives up. */
    static final long START_TIMEOUT_SECONDS = 30;

    private Launcher() {
    }

    /**
     * Runs the launcher with the process environment and exits with its status.
     *
     * @param args {@code --config DIR [--check]}
     * @throws InterruptedException when interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /**
     * Runs the launcher in this JVM. Serving returns only when the gateway has stopped (SIGTERM).
     *
     * @param args {@code --config DIR [--check]}
     * @param environment the environment: its {@code JANUS_...} variables override the files
     * @param out where the listening addresses are printed
     * @param err where problems are printed
     * @return the exit status
     * @throws InterruptedException when interrupted while serving
     */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws InterruptedException {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Path dir = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config":
                    if (i + 1 == args.length) {
                        return usage(err, "--config needs a directory");
                    }
                    dir = Path.of(args[++i]);
                    break;
                case "--check":
                    check = true;
                    break;
                case "--help":
                case "-h":
                    out.println(USAGE);
                    return 0;
                default:
                    return usage(err, "unknown argument: " + args[i]);
            }
        }
        if (dir == null) {
            return usage(err, "--config is required");
        }
        if (!Files.isDirectory(dir)) {
            return usage(err, "--config " + dir + ": not a directory");
        }

        JanusConfig config;
        try {
            config = JanusConfig.load(dir, environment);
        } catch (ConfigException e) {
            err.println("janus: " + e.getMessage());
            return 1;
        }
        if (check) {
            out.println("janus: configuration OK: " + config);
            return 0;
        }

        Gateway gateway;
        try {
            gateway = config.newGatewayBuilder(() -> new DemoGame().handlers()).build();
        } catch (RuntimeException e) {
            err.println("janus: the gateway cannot be built: " + e.getMessage());
            return 1;
        }
        try {
            gateway.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            err.println("janus: the gateway did not start: " + (e.getCause() != null ? e.getCause() : e));
            gateway.close();
            return 1;
        }
        gateway.closeOnJvmShutdown();
        for (String transport : gateway.transportNames()) {
            out.println("janus: " + transport + " listening on " + gateway.address(transport));
        }
        if (config.hasAdmin()) {
            out.println("janus: admin listening on " + gateway.adminAddress());
        }
        out.println("janus: gateway " + gateway.id() + " started ("
                + (config.gameHandlersClass() != null ? config.gameHandlersClass() : "demo game") + "); SIGTERM drains");
        out.flush();
        // Janus threads are daemons: without this wait the JVM would end with main.
        gateway.awaitTermination();
        out.println("janus: gateway " + gateway.id() + " stopped");
        return 0;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("janus: " + problem);
        err.println(USAGE);
        return 2;
    }
}
