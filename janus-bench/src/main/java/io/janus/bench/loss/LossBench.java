package io.janus.bench.loss;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.core.AuthenticationException;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.SessionOptions;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.game.GameHandlers;
import io.janus.core.spi.Identity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The loss benchmark of the KCP transport (scripts/bench-loss.sh; docs/benchmarks.md, "KCP under
 * loss"): request/response latency of 64-byte messages at 20 requests a second per client, over KCP and
 * over TCP, across a lossy link between two network namespaces the script creates.
 *
 * <p>Two modes, one per namespace: {@code gateway} serves an echo game on TCP and KCP (bare KCP, the
 * transport's defaults); {@code client} runs the load open-loop (latency measured from each request's
 * intended send time, so a stalled connection counts fully) and prints the percentiles. Both sides
 * derive the root key from the same fixed seed and accept {@code bench-N} tokens: this is a benchmark
 * between two namespaces of one machine, never a deployment.
 */
public final class LossBench {

    private static final byte[] ROOT_SEED = new byte[SigningKey.SEED_LENGTH];
    private static final int MODULE = 1;
    private static final int ECHO = 1;

    static {
        for (int i = 0; i < ROOT_SEED.length; i++) {
            ROOT_SEED[i] = (byte) (0x4A + i);
        }
    }

    private LossBench() {
    }

    /**
     * Runs one side.
     *
     * @param args {@code gateway [--tcp-port P] [--kcp-port P] [--mode M]} or {@code client --transport
     *        tcp|kcp --target HOST --port P [--clients N] [--rate R] [--size B] [--duration S] [--warmup S]
     *        [--mode M]}; M is the KCP mode (normal, fast, fast2, fast3; default fast3, the action-game
     *        setting)
     * @throws Exception when the run fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        if (args.length > 0 && args[0].equals("gateway")) {
            gateway(Integer.parseInt(o.getOrDefault("--tcp-port", "7000")),
                    Integer.parseInt(o.getOrDefault("--kcp-port", "7001")), o.getOrDefault("--mode", "fast3"));
        } else if (args.length > 0 && args[0].equals("client")) {
            client(o.getOrDefault("--transport", "tcp"), o.getOrDefault("--target", "127.0.0.1"),
                    Integer.parseInt(o.getOrDefault("--port", "7000")),
                    Integer.parseInt(o.getOrDefault("--clients", "20")),
                    Double.parseDouble(o.getOrDefault("--rate", "20")),
                    Integer.parseInt(o.getOrDefault("--size", "64")),
                    Duration.ofSeconds(Long.parseLong(o.getOrDefault("--duration", "60"))),
                    Duration.ofSeconds(Long.parseLong(o.getOrDefault("--warmup", "5"))),
                    o.getOrDefault("--mode", "fast3"));
        } else {
            System.err.println("usage: LossBench gateway [--tcp-port P] [--kcp-port P] [--mode fast3]\n"
                    + "       LossBench client --transport tcp|kcp --target HOST --port P [--clients 20]"
                    + " [--rate 20] [--size 64] [--duration 60] [--warmup 5] [--mode fast3]");
            System.exit(2);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        return o;
    }

    private static void gateway(int tcpPort, int kcpPort, String mode) throws Exception {
        SigningKey root = SigningKey.fromSeed(ROOT_SEED);
        InetAddress any = InetAddress.getByAddress(new byte[4]);
        Gateway gateway = Gateway.builder()
                .identity(GatewayIdentity.generate(root, "loss-bench", Duration.ofDays(1)))
                .listen("tcp", new InetSocketAddress(any, tcpPort), Map.of())
                .listen("kcp", new InetSocketAddress(any, kcpPort), Map.of("mode", mode))
                .authenticator(request -> request.token().startsWith("bench-")
                        ? CompletableFuture.completedFuture(Identity.of(Long.parseLong(request.token().substring(6))))
                        : CompletableFuture.failedFuture(new AuthenticationException(Reason.TOKEN_INVALID, "not a bench token")))
                .game(GameHandlers.builder().onNonBlocking(MODULE, ECHO, request -> request.body()).build())
                // Idle and login timeouts well above what 5% loss can cause over either transport.
                .sessionOptions(SessionOptions.builder().loginTimeout(Duration.ofSeconds(30))
                        .idleTimeout(Duration.ofSeconds(120)).handshakeRatePerIp(1000, 1000).build())
                .build();
        gateway.start().join();
        System.out.println("loss-bench gateway: tcp " + gateway.address("tcp") + ", kcp " + gateway.address("kcp"));
        gateway.closeOnJvmShutdown();
        gateway.awaitTermination();
    }

    private static void client(String transport, String host, int port, int clients, double rate, int size,
            Duration duration, Duration warmup, String mode) throws Exception {
        InetSocketAddress target = new InetSocketAddress(host, port);
        Recorder recorder = new Recorder(TimeUnit.MINUTES.toMicros(2), 3);
        Map<Reason, AtomicLong> errors = new EnumMap<>(Reason.class);
        AtomicLong sent = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        ByteString body = ByteString.copyFrom(new byte[size]);
        long periodNanos = (long) (1e9 / rate);
        try (JanusClient client = JanusClient.builder()
                .pinnedRootKey(SigningKey.fromSeed(ROOT_SEED).publicKey())
                .transport(transport, transport.equals("kcp") ? Map.of("mode", mode) : Map.of())
                .requestTimeout(Duration.ofSeconds(30))
                // Transport retransmission under loss is what is measured, not session resume.
                .resume(false)
                .threads(2)
                .build()) {
            List<ClientSession> sessions = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                sessions.add(client.connect(target, "bench-" + (i + 1)).get(60, TimeUnit.SECONDS));
            }
            ScheduledExecutorService ticks = Executors.newScheduledThreadPool(1);
            long start = System.nanoTime();
            long measureFrom = start + warmup.toNanos();
            long end = measureFrom + duration.toNanos();
            for (int i = 0; i < clients; i++) {
                ClientSession session = sessions.get(i);
                long offset = periodNanos * i / clients; // spread the clients over the period
                AtomicLong next = new AtomicLong(start + offset);
                ticks.scheduleAtFixedRate(() -> {
                    long intended = next.getAndAdd(periodNanos);
                    if (intended >= end) {
                        return;
                    }
                    sent.incrementAndGet();
                    session.request(MODULE, ECHO, body).whenComplete((answer, failure) -> {
                        long now = System.nanoTime();
                        if (failure != null) {
                            JanusException known = JanusException.find(failure);
                            errors.computeIfAbsent(known == null ? Reason.INTERNAL_ERROR : known.reason(),
                                    r -> new AtomicLong()).incrementAndGet();
                        } else if (intended >= measureFrom) {
                            answered.incrementAndGet();
                            recorder.recordValue(Math.max(0, (now - intended) / 1000));
                        }
                    });
                }, offset, periodNanos, TimeUnit.NANOSECONDS);
            }
            Histogram total = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
            while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(5)) {
                Thread.sleep(1000);
                Histogram interval = recorder.getIntervalHistogram();
                total.add(interval);
                System.out.printf(Locale.ROOT, "%s: %d answered, p99 so far %.1f ms%n", transport, answered.get(),
                        total.getValueAtPercentile(99) / 1000.0);
            }
            ticks.shutdownNow();
            total.add(recorder.getIntervalHistogram());
            System.out.printf(Locale.ROOT, "RESULT transport=%s clients=%d rate=%.0f/s size=%d measured=%d sent=%d"
                    + " p50=%.1fms p90=%.1fms p99=%.1fms p99.9=%.1fms max=%.1fms errors=%s%n",
                    transport, clients, rate, size, total.getTotalCount(), sent.get(),
                    total.getValueAtPercentile(50) / 1000.0, total.getValueAtPercentile(90) / 1000.0,
                    total.getValueAtPercentile(99) / 1000.0, total.getValueAtPercentile(99.9) / 1000.0,
                    total.getMaxValue() / 1000.0, errors);
        }
    }
}
