package io.janus.examples.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.config.JanusConfig;
import io.janus.examples.config.TestSecrets;
import io.janus.examples.demo.DemoGame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token endpoint over real HTTP on loopback, and a gateway started from configuration that shares
 * its token keys: a fetched token logs in once, its replay is refused.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TokenEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([A-Za-z0-9_-]+)\"");

    @TempDir
    Path dir;

    private final TestSecrets secrets = new TestSecrets();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();
    private TokenEndpoint endpoint;

    @BeforeEach
    void start() throws Exception {
        endpoint = TokenEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                secrets.tokenIssuer(), Map.of("alice", new TokenEndpoint.Account("wonderland", 7, 0)),
                Duration.ofMinutes(5));
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path)).timeout(WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body) throws Exception {
        return send("POST", TokenEndpoint.PATH, "application/json", body);
    }

    @Test
    void aFetchedTokenLogsInOnceAndItsReplayIsRefused() throws Exception {
        HttpResponse<String> response = post("{\"username\": \"alice\", \"password\": \"wonderland\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).contains("\"playerId\":7", "\"zone\":0", "\"expiresInSeconds\":300");
        Matcher m = TOKEN.matcher(response.body());
        assertThat(m.find()).as("a token in %s", response.body()).isTrue();
        String token = m.group(1);

        String config = "transports:\n  - provider: tcp\n    host: 127.0.0.1\n    port: 0\n";
        Gateway gateway = JanusConfig.load(TestSecrets.write(dir, config, secrets.secretYaml(""), null), Map.of())
                .newGatewayBuilder(() -> new DemoGame().handlers()).shutdownTimeout(Duration.ofSeconds(2)).build();
        try (gateway; JanusClient client = JanusClient.builder().pinnedRootKey(secrets.rootPublicKey()).threads(1)
                .requestTimeout(WAIT).build()) {
            gateway.start().orTimeout(5, TimeUnit.SECONDS).join();

            ClientSession session = client.connect(gateway.address("tcp"), token).orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(session.playerId()).isEqualTo(7);
            assertThat(session.request(DemoGame.ECHO_MODULE, DemoGame.ECHO, ByteString.copyFromUtf8("hi"))
                    .orTimeout(5, TimeUnit.SECONDS).join().toStringUtf8()).isEqualTo("hi");
            session.close();

            assertThatThrownBy(() -> client.connect(gateway.address("tcp"), token).orTimeout(5, TimeUnit.SECONDS).join())
                    .satisfies(e -> {
                        JanusException known = JanusException.find(e);
                        assertThat(known).isNotNull();
                        assertThat(known.reason()).isEqualTo(Reason.TOKEN_REPLAYED);
                    });
        }
    }

    @Test
    void wrongCredentialsGet401AndTheSameAnswerForAnUnknownUser() throws Exception {
        HttpResponse<String> wrongPassword = post("{\"username\":\"alice\",\"password\":\"guess\"}");
        HttpResponse<String> unknownUser = post("{\"username\":\"mallory\",\"password\":\"wonderland\"}");

        assertThat(wrongPassword.statusCode()).isEqualTo(401);
        assertThat(unknownUser.statusCode()).isEqualTo(401);
        assertThat(unknownUser.body()).isEqualTo(wrongPassword.body()).doesNotContain("token\":");
    }

    @Test
    void badRequestsGetTheirStatusCodes() throws Exception {
        assertThat(post("{\"username\":\"alice\"").statusCode()).as("truncated JSON").isEqualTo(400);
        assertThat(post("{\"username\":\"alice\"}").statusCode()).as("no password").isEqualTo(400);
        assertThat(post("{\"username\":\"alice\",\"password\":7}").statusCode()).as("not a string").isEqualTo(400);
        assertThat(post("[]").statusCode()).as("not an object").isEqualTo(400);
        assertThat(send("GET", TokenEndpoint.PATH, null, null).statusCode()).isEqualTo(405);
        assertThat(send("GET", TokenEndpoint.PATH, null, null).headers().firstValue("Allow")).hasValue("POST");
        assertThat(send("POST", "/other", "application/json", "{}").statusCode()).isEqualTo(404);
        assertThat(send("POST", TokenEndpoint.PATH, "text/plain", "username=alice").statusCode()).isEqualTo(415);
        String big = "{\"username\":\"alice\",\"password\":\"" + "x".repeat(TokenEndpoint.MAX_BODY_BYTES) + "\"}";
        assertThat(post(big).statusCode()).as("a body over the bound").isEqualTo(413);
        assertThat(post("{\"username\":\"alice\",\"password\":\"wonderland\"}").statusCode())
                .as("still serving after bad requests").isEqualTo(200);
    }
}
