package io.janus.examples.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.client.ClientSession;
import io.janus.client.JanusClient;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.config.ConfigException;
import io.janus.core.config.JanusConfig;
import io.janus.examples.config.TestSecrets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plugins, chosen by name in config.yaml through their META-INF/services registrations:
 * a gateway started from a configuration directory with the {@code hmac} authenticator and the
 * {@code zone} router, over real TCP on loopback, with the Java client.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PluginsFromConfigTest {

    private static final long WAIT_SECONDS = 5;

    private static final byte[] HMAC_KEY = "0123456789abcdef0123456789abcdef-login-service".getBytes();

    private static final String CONFIG = "transports:\n  - provider: tcp\n    host: 127.0.0.1\n    port: 0\n"
            + "authenticator:\n  provider: hmac\n  properties:\n    maxClockSkewSeconds: 5\n"
            + "router:\n  provider: zone\n"
            + "game:\n  handlers: io.janus.examples.plugins.ZoneGames$Lobby\n  services:\n"
            + "    zone-1: io.janus.examples.plugins.ZoneGames$ZoneOne\n"
            + "    zone-2: io.janus.examples.plugins.ZoneGames$ZoneTwo\n";

    private static final String REGISTRY = "discovery:\n  provider: static\ninstances:\n"
            + "  - service: game\n    id: zone-1\n    address: inproc:zone-1\n    metadata:\n      zone: 1\n"
            + "  - service: game\n    id: zone-2\n    address: inproc:zone-2\n    metadata:\n      zone: 2\n";

    @TempDir
    Path dir;

    private final TestSecrets secrets = new TestSecrets();
    private final HmacTokens loginService = new HmacTokens(HMAC_KEY);
    private final List<ClientSession> sessions = new ArrayList<>();
    private JanusClient client;
    private Gateway gateway;

    @BeforeEach
    void startClient() {
        client = JanusClient.builder().pinnedRootKey(secrets.rootPublicKey()).threads(1)
                .requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
    }

    @AfterEach
    void stop() {
        sessions.forEach(ClientSession::close);
        if (gateway != null) {
            gateway.close();
        }
        client.close();
    }

    private String secretYaml() {
        return secrets.secretYaml("authenticator:\n  properties:\n    key: "
                + Base64.getEncoder().encodeToString(HMAC_KEY) + "\n");
    }

    private void startGateway() {
        JanusConfig config = JanusConfig.load(TestSecrets.write(dir, CONFIG, secretYaml(), REGISTRY), Map.of());
        gateway = config.newGatewayBuilder(null).shutdownTimeout(Duration.ofSeconds(2)).build();
        gateway.start().orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    }

    private ClientSession login(String token) {
        ClientSession session = get(client.connect(gateway.address("tcp"), token));
        sessions.add(session);
        return session;
    }

    private static <T> T get(CompletableFuture<T> future) {
        return future.orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    }

    private static String where(ClientSession session) {
        return get(session.request(ZoneGames.MODULE, ZoneGames.WHERE, ByteString.EMPTY)).toStringUtf8();
    }

    private static Reason reasonOf(Throwable e) {
        JanusException known = JanusException.find(e);
        assertThat(known).as("a Janus failure in %s", e).isNotNull();
        return known.reason();
    }

    @Test
    void playersLogInWithLoginServiceTokensAndArePinnedToTheirZone() {
        startGateway();
        Instant expires = Instant.now().plusSeconds(300);

        ClientSession zoneOne = login(loginService.issue(11, 1, expires));
        ClientSession zoneTwo = login(loginService.issue(12, 2, expires));
        ClientSession alsoZoneOne = login(loginService.issue(13, 1, expires));

        assertThat(zoneOne.playerId()).isEqualTo(11);
        assertThat(where(zoneOne)).isEqualTo("zone-1 serves player 11");
        assertThat(where(zoneTwo)).isEqualTo("zone-2 serves player 12");
        assertThat(where(alsoZoneOne)).isEqualTo("zone-1 serves player 13");
        assertThat(where(zoneOne)).as("pinned: the same zone on every request").isEqualTo("zone-1 serves player 11");
    }

    @Test
    void aZoneWithoutAnInstanceIsUnavailableNotSentElsewhere() {
        startGateway();
        ClientSession zoneThree = login(loginService.issue(31, 3, Instant.now().plusSeconds(300)));

        assertThatThrownBy(() -> where(zoneThree))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SERVICE_UNAVAILABLE));
    }

    @Test
    void forgedAndExpiredTokensAreRefusedWithTheirReasons() {
        startGateway();
        HmacTokens forger = new HmacTokens("another-key-another-key-another-key!".getBytes());

        assertThatThrownBy(() -> login(forger.issue(11, 1, Instant.now().plusSeconds(300))))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.TOKEN_INVALID));
        assertThatThrownBy(() -> login(loginService.issue(11, 1, Instant.now().minusSeconds(60))))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.TOKEN_EXPIRED));
        String token = loginService.issue(11, 1, Instant.now().plusSeconds(300));
        String tampered = token.replace("v1.11.1.", "v1.12.1.");
        assertThatThrownBy(() -> login(tampered))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.TOKEN_INVALID));
        assertThat(gateway.stats().logins()).isZero();
    }

    @Test
    void aShortHmacKeyStopsTheStartWithoutQuotingIt() {
        String shortKey = Base64.getEncoder().encodeToString("too-short-secret".getBytes());
        TestSecrets.write(dir, CONFIG, secrets.secretYaml("authenticator:\n  properties:\n    key: " + shortKey + "\n"),
                REGISTRY);

        assertThatThrownBy(() -> JanusConfig.load(dir, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).containsExactly("config.yaml: authenticator.properties: refused by the "
                            + "'hmac' authenticator: key: 16 bytes (expected: at least 32)");
                    assertThat(e.getMessage()).doesNotContain(shortKey).doesNotContain("too-short-secret");
                });
    }

    @Test
    void unknownProvidersListThoseOnTheClassPath() {
        TestSecrets.write(dir, CONFIG.replace("provider: zone", "provider: zones"), secretYaml(), REGISTRY);

        assertThatThrownBy(() -> JanusConfig.load(dir, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "config.yaml: router.provider: no router provider named 'zones' on the class path "
                                + "(available: [memory, zone])"));
    }
}
