package io.janus.bench.load;

import static java.util.Objects.requireNonNull;

import io.janus.core.transport.EventLoops;
import io.janus.core.transport.StreamFraming;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling every gateway figure is divided by: a raw Netty TCP echo server with the gateway's own
 * stream framing ({@link StreamFraming}: 4-byte length prefix, flush consolidation; docs/protocol.md,
 * "Framing over TCP") and nothing else: no handshake, no AES-GCM, no packet envelope, no routing. Each
 * frame is written back unchanged on the event loop that read it. Whatever the gateway does beyond this
 * is what the ratio to this server measures.
 *
 * <p>Run alone: {@code java -cp janus-bench.jar io.janus.bench.load.CeilingServer [port [threads]]}; it
 * prints {@code READY {"port":...,"pid":...}} and serves until its standard input closes. Embedded:
 * {@link #start(InetSocketAddress, int)}.
 */
public final class CeilingServer implements AutoCloseable {

    /** The largest frame body echoed, as the gateway's default {@code maxFrameLength}. */
    public static final int MAX_FRAME_LENGTH = 64 * 1024;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel server;

    private CeilingServer(EventLoopGroup boss, EventLoopGroup workers, Channel server) {
        this.boss = boss;
        this.workers = workers;
        this.server = server;
    }

    /**
     * Starts a ceiling server; blocks until it is bound.
     *
     * @param address where to listen, normally a loopback address with port 0
     * @param threads event loop threads, as the gateway's worker threads in the same comparison
     * @return the running server
     * @throws InterruptedException when interrupted while binding
     */
    public static CeilingServer start(InetSocketAddress address, int threads) throws InterruptedException {
        requireNonNull(address, "address");
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        EventLoopGroup boss = EventLoops.newGroup(1, "ceiling-boss");
        EventLoopGroup workers = EventLoops.newGroup(threads, "ceiling-worker");
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(EventLoops.serverSocketChannel(boss))
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            StreamFraming.install(ch.pipeline(), MAX_FRAME_LENGTH);
                            ch.pipeline().addLast("ceiling-echo", Echo.INSTANCE);
                        }
                    })
                    .bind(address).sync().channel();
            return new CeilingServer(boss, workers, server);
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Closes the listener and every connection; blocks until the event loops ended. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Serves until standard input ends (the parent process closed it or died).
     *
     * @param args {@code [port [threads]]}: port default 0 (a free one), threads default 1
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        LeakDetection.productionDefault();
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        try (CeilingServer server = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), threads)) {
            Map<String, Object> ready = new LinkedHashMap<>();
            ready.put("port", server.address().getPort());
            ready.put("pid", ProcessHandle.current().pid());
            System.out.println("READY " + FlatJson.write(ready));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // Any line is ignored; end of input stops the server.
            }
        }
    }

    /** Writes each frame back; the frame is released by the write. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // Flush consolidation (installed by StreamFraming) turns these into one syscall per read burst.
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
