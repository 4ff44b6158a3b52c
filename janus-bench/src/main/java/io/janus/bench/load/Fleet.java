package io.janus.bench.load;

import static java.util.Objects.requireNonNull;

import io.janus.client.JanusClient;
import io.janus.core.auth.TokenIssuer;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load generator's connections to one target, opened at a ramp-up rate and held until
 * {@link #close()}: Janus sessions (a {@link JanusClient} over tcp or ws, one token each) or raw framed
 * connections to the {@link CeilingServer}. Counts the pushes its sessions receive.
 */
final class Fleet implements AutoCloseable {

    /** Connections being opened at once; the ramp-up waits above it. */
    static final int MAX_PENDING_CONNECTS = 256;
    /** Frames up to this size are accepted from the target. */
    static final int MAX_FRAME_LENGTH = 1024 * 1024;

    private final InetSocketAddress target;
    private final boolean raw;
    private final int maxInFlight;
    private final EventLoopGroup group;
    private final JanusClient client;
    private final BoundTcpClientTransport rawTransport;
    private final TokenIssuer tokens;
    private final ErrorCounts errors;
    private final List<Connection> connections = new ArrayList<>();
    private final LongAdder pushes = new LongAdder();
    private final AtomicLong lastPushNanos = new AtomicLong();
    private final AtomicLong nextPlayer = new AtomicLong(1);

    /**
     * @param target where to connect
     * @param raw plain frames to a ceiling server rather than Janus sessions
     * @param transport {@code tcp} or {@code ws} (Janus sessions only)
     * @param rootKey base64 root public key to pin (Janus sessions only)
     * @param tokens issues one token per session (Janus sessions only)
     * @param threads client event loop threads
     * @param sources local addresses to spread tcp connections over
     * @param maxInFlight requests in flight per connection
     * @param errors where failures are counted
     */
    Fleet(InetSocketAddress target, boolean raw, String transport, String rootKey, TokenIssuer tokens, int threads,
            SourceAddresses sources, int maxInFlight, ErrorCounts errors) {
        this.target = requireNonNull(target, "target");
        this.raw = raw;
        this.maxInFlight = maxInFlight;
        this.errors = requireNonNull(errors, "errors");
        this.group = EventLoops.newGroup(threads, "load-client");
        this.rawTransport = new BoundTcpClientTransport(sources);
        if (raw) {
            this.client = null;
            this.tokens = null;
        } else {
            JanusClient.Builder builder = JanusClient.builder()
                    .pinnedRootKey(Base64.getDecoder().decode(requireNonNull(rootKey, "rootKey")))
                    .eventLoopGroup(group)
                    .maxFrameLength(MAX_FRAME_LENGTH)
                    .requestTimeout(Duration.ofSeconds(15))
                    // The scenarios measure sessions without resume, as the published figures did; a
                    // resumable session adds numbering, acks and a replay buffer on both ends.
                    .resume(false)
                    .clientVersion("janus-bench");
            if (transport.equals("tcp")) {
                builder.transport(rawTransport);
            } else {
                builder.transport(transport, Map.of());
            }
            this.client = builder.build();
            this.tokens = requireNonNull(tokens, "tokens");
        }
    }

    /**
     * Opens {@code count} connections at {@code perSecond}, never more than
     * {@value #MAX_PENDING_CONNECTS} pending; blocks until each one is open or failed. Failures are counted.
     *
     * @param count connections to open
     * @param perSecond ramp-up rate
     * @param deadlineNanos stop opening at this {@link System#nanoTime()}
     * @return how many opened
     * @throws InterruptedException when interrupted
     */
    int open(int count, double perSecond, long deadlineNanos) throws InterruptedException {
        Semaphore pending = new Semaphore(MAX_PENDING_CONNECTS);
        long start = System.nanoTime();
        List<CompletableFuture<Connection>> opening = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(Math.min(wait, 10_000_000));
            }
            if (!pending.tryAcquire(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            CompletableFuture<Connection> c = openOne();
            c.whenComplete((conn, failure) -> pending.release());
            opening.add(c);
        }
        int opened = 0;
        for (CompletableFuture<Connection> c : opening) {
            try {
                long left = Math.max(1, deadlineNanos - System.nanoTime());
                Connection conn = c.get(left, TimeUnit.NANOSECONDS);
                synchronized (connections) {
                    connections.add(conn);
                }
                opened++;
            } catch (java.util.concurrent.ExecutionException e) {
                errors.record(e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                errors.record("CONNECT_TIMEOUT");
                c.thenAccept(Connection::close);
            }
        }
        return opened;
    }

    private CompletableFuture<Connection> openOne() {
        if (raw) {
            RawConnection conn = new RawConnection(maxInFlight);
            return rawTransport.connect(target, group, MAX_FRAME_LENGTH, ch -> ch.pipeline().addLast("raw", conn))
                    .thenApply(ch -> conn);
        }
        String token = tokens.issue(nextPlayer.getAndIncrement(), Duration.ofHours(1));
        return client.connect(target, token).thenApply(session -> {
            session.onPush(packet -> {
                pushes.increment();
                lastPushNanos.set(System.nanoTime());
            });
            return new JanusConnection(session, maxInFlight);
        });
    }

    /** The open connections. */
    List<Connection> connections() {
        synchronized (connections) {
            return List.copyOf(connections);
        }
    }

    /** Pushes received by all sessions so far. */
    long pushes() {
        return pushes.sum();
    }

    /** When the last push arrived, as {@link System#nanoTime()}. */
    long lastPushNanos() {
        return lastPushNanos.get();
    }

    /** Closes every connection and the client's event loops; blocks up to a few seconds. */
    @Override
    public void close() {
        for (Connection c : connections()) {
            c.close();
        }
        if (client != null) {
            client.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
