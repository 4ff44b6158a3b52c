package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.core.Gateway;
import io.janus.core.auth.TokenIssuer;
import io.janus.core.auth.TokenKeys;
import io.janus.core.crypto.GatewayCertificate;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.game.GameHandlers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedding the README shows, statement for statement, with keys made the way a studio makes them:
 * so the README cannot drift from the API.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadmeEmbeddingTest {

    @Test
    void theReadmeGatewayServesTheReadmeClient() {
        // What the studio's tooling produces, in the base64 forms configuration holds.
        SigningKey root = SigningKey.generate();
        SigningKey gatewayKey = SigningKey.generate();
        String keySeed = Base64.getEncoder().encodeToString(gatewayKey.seed());
        String certificate = GatewayCertificate.issue(root, "gw-1", gatewayKey.publicKey(),
                Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30))).toBase64();
        byte[] tokenKey = TokenKeys.generateKey();
        String tokenKeys = "k1:" + Base64.getEncoder().encodeToString(tokenKey);
        byte[] rootPublicKey = root.publicKey();
        int port = 0;

        // The README's three statements (port 0 instead of 7000, loopback only).
        GameHandlers game = GameHandlers.builder().onNonBlocking(1, 1, request -> request.body()).build();
        Gateway gateway = Gateway.builder().identity(GatewayIdentity.fromBase64(keySeed, certificate))
                .listen("tcp", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Map.of())
                .authenticator("sealed", Map.of("keys", tokenKeys)).game(game).build();
        gateway.start().join();

        // The login service's side.
        String token = new TokenIssuer(TokenKeys.of("k1", tokenKey)).issue(7, Duration.ofMinutes(5));
        try (JanusClient client = JanusClient.builder().pinnedRootKey(rootPublicKey).build()) {
            ClientSession session = client.connect(gateway.address("tcp"), token).orTimeout(10, TimeUnit.SECONDS)
                    .join();
            ByteString answer = session.request(1, 1, ByteString.copyFromUtf8("hello")).join();

            assertThat(answer.toStringUtf8()).isEqualTo("hello");
            assertThat(session.playerId()).isEqualTo(7);
        } finally {
            gateway.close();
        }
    }
}
