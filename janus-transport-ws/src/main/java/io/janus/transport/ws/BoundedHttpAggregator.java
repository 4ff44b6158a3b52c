package io.janus.transport.ws;

import io.janus.api.Reason;
import io.janus.core.spi.TransportContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Netty's {@link HttpObjectAggregator} with a small limit, counting the requests it refuses: a body
 * over the limit is answered 413 by Netty and recorded here as {@link Reason#WS_BAD_REQUEST}.
 * A WebSocket upgrade and a static GET carry no body, so the limit only stops abuse.
 */
final class BoundedHttpAggregator extends HttpObjectAggregator {

    private final WsServerSettings settings;
    private final TransportContext context;

    BoundedHttpAggregator(int maxContentLength, WsServerSettings settings, TransportContext context) {
        super(maxContentLength);
        this.settings = settings;
        this.context = context;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        settings.recordFailure(context, Reason.WS_BAD_REQUEST, ctx.channel().remoteAddress(),
                "HTTP request body over " + maxContentLength() + " bytes");
        super.handleOversizedMessage(ctx, oversized);
    }
}
