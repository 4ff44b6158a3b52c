package io.janus.transport.ws;

import io.janus.api.Reason;
import io.janus.core.internal.RateLimitedLog;
import io.janus.core.spi.TransportContext;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.net.SocketAddress;
import org.slf4j.LoggerFactory;

/**
 * What every connection of one started {@link WsTransport} shares: its options resolved against the
 * gateway's maximum frame length. Immutable apart from the thread-safe log.
 */
final class WsServerSettings {

    /** The logger of this transport's refusals. */
    static final String LOGGER = "io.janus.transport.ws";

    private static final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(LOGGER), 50);

    private final String path;
    private final int maxFrameLength;
    private final long pingIntervalMillis;
    private final long idleTimeoutMillis;
    private final long upgradeTimeoutMillis;
    private final OriginPolicy origins;
    private final StaticResources staticResources;
    private final WebSocketDecoderConfig decoderConfig;

    WsServerSettings(String path, int maxFrameLength, long pingIntervalMillis, long idleTimeoutMillis,
            long upgradeTimeoutMillis, OriginPolicy origins, StaticResources staticResources, boolean compression) {
        this.path = path;
        this.maxFrameLength = maxFrameLength;
        this.pingIntervalMillis = pingIntervalMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.upgradeTimeoutMillis = upgradeTimeoutMillis;
        this.origins = origins;
        this.staticResources = staticResources;
        // RFC 6455 section 5.1: client frames are masked; a frame over maxFrameLength is refused from
        // the length in its header. Violations are raised, not answered by the decoder itself, so
        // the session pipeline counts them and WsFrameCodec sends the close frame.
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameLength)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(compression)
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false)
                .build();
    }

    String path() {
        return path;
    }

    int maxFrameLength() {
        return maxFrameLength;
    }

    long pingIntervalMillis() {
        return pingIntervalMillis;
    }

    long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    long upgradeTimeoutMillis() {
        return upgradeTimeoutMillis;
    }

    OriginPolicy origins() {
        return origins;
    }

    /** The static files, or {@code null} when the transport serves none. */
    StaticResources staticResources() {
        return staticResources;
    }

    WebSocketDecoderConfig decoderConfig() {
        return decoderConfig;
    }

    RateLimitedLog log() {
        return log;
    }

    /** Counts a refusal before any session exists and logs it with its reason. */
    void recordFailure(TransportContext context, Reason reason, SocketAddress remote, String message) {
        context.recordFailure(reason);
        log.info("WebSocket connection from {} refused: {} ({})", remote, reason, message);
    }
}
