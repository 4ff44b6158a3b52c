package io.janus.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.janus.api.LoginRequest;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.JanusClient;
import io.janus.client.conformance.RawConnection;
import io.janus.client.conformance.TestGame;
import io.janus.client.conformance.TestKeys;
import io.janus.core.Gateway;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.auth.SealedTokenAuthenticator;
import io.janus.core.auth.TokenIssuer;
import io.janus.core.auth.TokenKeys;
import io.janus.core.protocol.SystemPackets;
import io.janus.core.spi.Identity;
import io.janus.core.transport.EventLoops;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sealed login tokens (docs/protocol.md, section 10) checked by the default authenticator over real
 * loopback TCP: each kind of bad token fails the client's login with its own reason, is counted once
 * under that reason and never yields a logged-in session; a good token logs in as the player, zone and
 * color the issuer sealed, once; and the token never crosses the wire in clear.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SealedTokenLoginTest {

    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();
    /** version (1) + K (1); the key id, then the 12-byte nonce, follow. */
    private static final int HEADER = 2;
    private static final int NONCE = 12;
    private static final int TAG = 16;

    private MutableClock clock;
    private TokenKeys keys;
    private TokenIssuer issuer;
    private Gateway gateway;
    private JanusClient client;
    private EventLoopGroup rawGroup;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        keys = TokenKeys.of("k1", TokenKeys.generateKey());
        issuer = new TokenIssuer(keys, clock);
        gateway = Gateway.builder()
                .identity(TestKeys.GATEWAY)
                .transport(TcpTransport.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build())
                .authenticator(SealedTokenAuthenticator.builder().keys(keys).clock(clock).build())
                .game(TestGame.handlers())
                .workerThreads(2)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
        client = TestKeys.client().transport(new TcpClientTransport(5000)).build();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (client != null) {
            client.close();
        }
        if (rawGroup != null) {
            rawGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private InetSocketAddress address() {
        return gateway.address("tcp");
    }

    private ClientSession login(String token) {
        return client.connect(address(), token).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Logs in with {@code token}, expecting a refusal; returns the reason the client received. */
    private Reason refusal(String token) {
        Throwable failure = catchThrowable(() -> login(token));
        JanusException found = JanusException.find(failure);
        assertThat(found).as("a refused login fails with a RequestException, got %s", failure)
                .isInstanceOf(RequestException.class);
        return found.reason();
    }

    /**
     * Asserts a refusal was counted once under its reason and left no session behind, and that no login
     * ever succeeded (so no refused session was ever registered as a player's).
     */
    private void assertRefusedOnce(Reason reason, long playerId) {
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.stats().sessionsClosed(reason) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        assertThat(gateway.stats().logins()).isZero();
        assertThat(gateway.sessions().playerCount()).isZero();
        assertThat(gateway.sessions().sessionOfPlayer(playerId)).isNull();
        assertThat(gateway.stats().sessionsClosed()).containsOnlyKeys(reason);
    }

    @Test
    void validTokenLogsInAsTheIssuedIdentity() {
        String token = issuer.issue(77, 3, "canary", TTL);

        ClientSession session = login(token);

        assertThat(session.playerId()).isEqualTo(77);
        assertThat(gateway.sessions().sessionOfPlayer(77)).isNotNull();
        assertThat(gateway.sessions().sessionOfPlayer(77).id()).isEqualTo(session.sessionId());
        assertThat(gateway.sessions().sessionOfPlayer(77).identity()).isEqualTo(Identity.of(77, 3, "canary"));
        assertThat(gateway.stats().logins()).isEqualTo(1);
    }

    @Test
    void expiredTokenIsRefusedWithTokenExpired() {
        String token = issuer.issue(1, 0, Identity.DEFAULT_COLOR, Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1).plusMillis(1));

        assertThat(refusal(token)).isEqualTo(Reason.TOKEN_EXPIRED);
        assertRefusedOnce(Reason.TOKEN_EXPIRED, 1);
    }

    @Test
    void randomTextIsRefusedWithTokenInvalid() {
        assertThat(refusal("this is no token, just some text")).isEqualTo(Reason.TOKEN_INVALID);
        assertRefusedOnce(Reason.TOKEN_INVALID, 1);
    }

    @Test
    void tokenOfAnotherVersionIsRefusedWithTokenInvalid() {
        byte[] raw = BASE64URL_DECODER.decode(issuer.issue(1, TTL));
        assertThat(raw[0]).isEqualTo((byte) 1);
        raw[0] = 2;

        assertThat(refusal(BASE64URL.encodeToString(raw))).isEqualTo(Reason.TOKEN_INVALID);
        assertRefusedOnce(Reason.TOKEN_INVALID, 1);
    }

    @Test
    void tokenWithOneCiphertextCharacterChangedIsRefusedWithTokenTampered() {
        String token = issuer.issue(1, TTL);
        byte[] raw = BASE64URL_DECODER.decode(token);
        int ciphertextStart = HEADER + raw[1] + NONCE;
        int ciphertextEnd = raw.length - TAG;
        assertThat(ciphertextEnd - ciphertextStart).as("claims ciphertext length").isGreaterThan(8);
        // Base64 character c carries bits 6c to 6c+5, within bytes 6c/8 to (6c+5)/8: pick one wholly inside
        // the ciphertext, so that neither the header, the nonce nor the tag change.
        int c = (ciphertextStart + ciphertextEnd) / 2 * 8 / 6 + 1;
        assertThat(6 * c / 8).isGreaterThanOrEqualTo(ciphertextStart);
        assertThat((6 * c + 5) / 8).isLessThan(ciphertextEnd);
        char[] chars = token.toCharArray();
        chars[c] = chars[c] == 'A' ? 'B' : 'A';
        String tampered = new String(chars);

        // Still well-formed: it decodes to as many bytes, differing only inside the ciphertext.
        byte[] altered = BASE64URL_DECODER.decode(tampered);
        assertThat(altered).hasSameSizeAs(raw);
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != altered[i]) {
                changed.add(i);
            }
        }
        assertThat(changed).isNotEmpty().allSatisfy(i -> assertThat(i).isBetween(ciphertextStart, ciphertextEnd - 1));

        assertThat(refusal(tampered)).isEqualTo(Reason.TOKEN_TAMPERED);
        assertRefusedOnce(Reason.TOKEN_TAMPERED, 1);
    }

    @Test
    void tokenSealedWithAKeyTheGatewayLacksIsRefusedWithTokenUnknownKey() {
        TokenIssuer stranger = new TokenIssuer(TokenKeys.of("k2", TokenKeys.generateKey()), clock);

        assertThat(refusal(stranger.issue(1, TTL))).isEqualTo(Reason.TOKEN_UNKNOWN_KEY);
        assertRefusedOnce(Reason.TOKEN_UNKNOWN_KEY, 1);
    }

    @Test
    void tokenIssuedBeyondTheClockSkewIsRefusedWithTokenNotYetValid() {
        // A login service whose clock runs two minutes ahead: beyond the default 60 s skew.
        TokenIssuer ahead = new TokenIssuer(keys, Clock.offset(clock, Duration.ofMinutes(2)));

        assertThat(refusal(ahead.issue(1, TTL))).isEqualTo(Reason.TOKEN_NOT_YET_VALID);
        assertRefusedOnce(Reason.TOKEN_NOT_YET_VALID, 1);
    }

    @Test
    void tokenIssuedWithinTheClockSkewIsAccepted() {
        TokenIssuer ahead = new TokenIssuer(keys, Clock.offset(clock, Duration.ofSeconds(30)));

        assertThat(login(ahead.issue(5, TTL)).playerId()).isEqualTo(5);
    }

    @Test
    void tokenIsAcceptedOnceEvenAfterItsSessionLoggedOut() {
        String token = issuer.issue(9, TTL);
        ClientSession first = login(token);
        CloseReason loggedOut = first.logout().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(loggedOut.reason()).isEqualTo(Reason.LOGGED_OUT);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);

        assertThat(refusal(token)).isEqualTo(Reason.TOKEN_REPLAYED);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> gateway.stats().sessionsClosed(Reason.TOKEN_REPLAYED) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.sessions().size() == 0);
        assertThat(gateway.stats().logins()).isEqualTo(1);
        assertThat(gateway.sessions().sessionOfPlayer(9)).isNull();
        assertThat(gateway.stats().sessionsClosed())
                .containsOnlyKeys(Reason.LOGGED_OUT, Reason.TOKEN_REPLAYED)
                .containsEntry(Reason.LOGGED_OUT, 1L);
    }

    @Test
    void tokenNeverTravelsInClear() throws Exception {
        rawGroup = EventLoops.newGroup(1, "sealed-token-raw");
        String token = issuer.issue(21, 2, "blue", TTL);
        byte[] clear = token.getBytes(StandardCharsets.UTF_8);
        // The check below can fail: unsealed, the LOGIN packet does carry the token's bytes.
        Packet loginPacket =
                SystemPackets.packet(SystemSeq.LOGIN, 1, LoginRequest.newBuilder().setToken(token).build());
        assertThat(indexOf(loginPacket.toByteArray(), clear)).isNotNegative();

        try (RawConnection conn = RawConnection.connectSecure(new TcpClientTransport(5000), address(), rawGroup)) {
            conn.login(token);

            Packet answer = conn.poll(Duration.ofSeconds(5));
            assertThat(answer).isNotNull();
            assertThat(answer.getStatus()).isZero();
            assertThat(LoginResponse.parseFrom(answer.getBody()).getPlayerId()).isEqualTo(21);
            assertThat(gateway.sessions().sessionOfPlayer(21).identity()).isEqualTo(Identity.of(21, 2, "blue"));
            assertThat(conn.sentFrames()).isNotEmpty()
                    .allSatisfy(frame -> assertThat(indexOf(frame, clear)).as("token bytes in a sent frame")
                            .isNegative());
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A clock the test moves by hand; shared by the issuer, the authenticator and its replay cache. */
    private static final class MutableClock extends Clock {
        private final AtomicLong millis;

        MutableClock(Instant start) {
            this.millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration by) {
            millis.addAndGet(by.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            if (zone.equals(ZoneOffset.UTC)) {
                return this;
            }
            throw new UnsupportedOperationException("a test clock in UTC only");
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }
}
