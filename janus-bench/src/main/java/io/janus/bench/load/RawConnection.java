package io.janus.bench.load;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to the {@link CeilingServer}: plain frames, no handshake, no envelope. The server echoes
 * in order, so the answers complete the oldest request first. The queue of requests in flight is bounded
 * by {@code maxInFlight}; a request over it fails at once with {@link InFlightLimitException}. All state is
 * touched on the channel's event loop only.
 */
final class RawConnection extends ChannelInboundHandlerAdapter implements Connection {

    private final int maxInFlight;
    private final ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
    private Channel channel;

    RawConnection(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public CompletableFuture<?> request(ByteString body) {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        if (channel.eventLoop().inEventLoop()) {
            send(body, answer);
        } else {
            channel.eventLoop().execute(() -> send(body, answer));
        }
        return answer;
    }

    private void send(ByteString body, CompletableFuture<Void> answer) {
        if (!channel.isActive()) {
            answer.completeExceptionally(new ClosedChannelException());
            return;
        }
        if (inFlight.size() >= maxInFlight) {
            answer.completeExceptionally(InFlightLimitException.INSTANCE);
            return;
        }
        inFlight.add(answer);
        ByteBuf frame = channel.alloc().buffer(body.size());
        // The write releases the frame.
        frame.writeBytes(body.asReadOnlyByteBuffer());
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ((ByteBuf) msg).release();
        CompletableFuture<Void> answer = inFlight.poll();
        if (answer != null) {
            answer.complete(null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        CompletableFuture<Void> answer;
        while ((answer = inFlight.poll()) != null) {
            answer.completeExceptionally(new ClosedChannelException());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public boolean isActive() {
        return channel != null && channel.isActive();
    }

    @Override
    public void close() {
        channel.close();
    }
}
