package io.janus.core.auth;

import static io.janus.core.auth.Tokens.edit;
import static io.janus.core.auth.Tokens.refusal;
import static io.janus.core.auth.Tokens.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.janus.api.Reason;
import io.janus.api.TokenClaims;
import io.janus.core.AuthenticationException;
import io.janus.core.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SealedTokenAuthenticator} against {@link TokenIssuer}: accepted tokens, each refusal of the table
 * in docs/protocol.md section 10 with its own reason, key rotation, replays and concurrent logins.
 */
class SealedTokenAuthenticatorTest {

    private static final byte[] KEY = TokenKeys.generateKey();
    private static final byte[] OTHER_KEY = TokenKeys.generateKey();
    private static final String KEY_ID = "k1";
    private static final int NONCE_AT = 2 + KEY_ID.length();
    private static final int SEALED_AT = NONCE_AT + 12;
    private static final Duration TTL = Duration.ofMinutes(5);

    private final MutableClock clock = MutableClock.at("2025-03-01T12:00:00Z");
    private final TokenKeys keys = TokenKeys.of(KEY_ID, KEY);
    private final TokenIssuer issuer = new TokenIssuer(keys, clock);
    private final SealedTokenAuthenticator authenticator = SealedTokenAuthenticator.builder()
            .keys(keys)
            .clock(clock)
            .build();

    private ExecutorService executor;

    @AfterEach
    void shutdown() throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private CompletionStage<Identity> authenticate(String token) {
        return authenticator.authenticate(request(token));
    }

    private Identity accepted(CompletionStage<Identity> stage) {
        assertThat(stage.toCompletableFuture()).isDone();
        return stage.toCompletableFuture().join();
    }

    /** Authenticates a token expected to be refused, and checks the message keeps the token and keys secret. */
    private AuthenticationException refused(String token) {
        return refused(authenticator, token);
    }

    private static AuthenticationException refused(SealedTokenAuthenticator authenticator, String token) {
        AuthenticationException e = refusal(authenticator.authenticate(request(token)));
        assertThat(e.getMessage()).isNotBlank();
        if (token.length() >= 8) {
            assertThat(e.getMessage()).doesNotContain(token);
        }
        assertThat(e.getMessage()).doesNotContain(Base64.getEncoder().encodeToString(KEY))
                .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(KEY));
        return e;
    }

    /** Seals arbitrary plaintext under the given header by hand, with the JDK alone. */
    private static String seal(int version, String keyId, byte[] key, byte[] plaintext) throws Exception {
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        byte[] header = new byte[2 + id.length];
        header[0] = (byte) version;
        header[1] = (byte) id.length;
        System.arraycopy(id, 0, header, 2, id.length);
        byte[] nonce = new byte[12];
        new Random(7).nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(header);
        byte[] sealed = cipher.doFinal(plaintext);
        byte[] token = new byte[header.length + nonce.length + sealed.length];
        System.arraycopy(header, 0, token, 0, header.length);
        System.arraycopy(nonce, 0, token, header.length, nonce.length);
        System.arraycopy(sealed, 0, token, header.length + nonce.length, sealed.length);
        return Tokens.encode(token);
    }

    private TokenClaims.Builder claims() {
        return TokenClaims.newBuilder()
                .setPlayerId(42)
                .setIssuedAtMs(clock.millis())
                .setExpiresAtMs(clock.millis() + TTL.toMillis())
                .setTokenId(ByteString.copyFrom(new byte[16]));
    }

    // ---- accepted

    @Test
    void acceptsATokenItsIssuerSealedAndReturnsTheIdentity() {
        String token = issuer.issue(123_456_789_012L, 7, "canary", TTL);

        assertThat(accepted(authenticate(token))).isEqualTo(Identity.of(123_456_789_012L, 7, "canary"));
        assertThat(accepted(authenticate(issuer.issue(5, TTL)))).isEqualTo(Identity.of(5));
    }

    @Test
    void acceptsATokenSealedByHandToTheSpecification() throws Exception {
        String token = seal(1, KEY_ID, KEY, claims().setZone(3).setColor("blue").build().toByteArray());

        assertThat(accepted(authenticate(token))).isEqualTo(Identity.of(42, 3, "blue"));
    }

    // ---- TOKEN_INVALID

    @Test
    void refusesGarbageAsInvalid() {
        byte[] random = new byte[80];
        new Random(1).nextBytes(random);
        random[0] = 0x7f;

        assertThat(refused(Tokens.encode(random)).reason()).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused("").reason()).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused("AAAA").reason()).isEqualTo(Reason.TOKEN_INVALID);
    }

    @Test
    void refusesWhatIsNotBase64UrlWithoutPaddingAsInvalid() {
        String token = issuer.issue(1, TTL);

        assertThat(refused("not a token!").reason()).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused("not a token!")).hasMessage("token is not base64url without padding");
        assertThat(refused(token + "==").reason()).as("padding").isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused(token.substring(0, token.length() - 1) + "+").reason()).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused(token.substring(0, token.length() - 1) + "/").reason()).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused(" " + token).reason()).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused("A".repeat(5)).reason()).as("5 characters: no whole byte in the last").isEqualTo(
                Reason.TOKEN_INVALID);
    }

    @Test
    void refusesTokensLongerThan1024CharactersBeforeDecodingThem() {
        assertThat(refused("A".repeat(1025)))
                .hasMessage("token of 1025 characters (expected: at most 1024)")
                .extracting(AuthenticationException::reason).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused("!".repeat(100_000)).getMessage()).contains("100000 characters");
    }

    @Test
    void refusesAWrongVersionAsInvalid() {
        String token = issuer.issue(1, TTL);

        assertThat(refused(edit(token, b -> b[0] = 2))).hasMessage("token version 2 (expected: 1)")
                .extracting(AuthenticationException::reason).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused(edit(token, b -> b[0] = 0)).reason()).isEqualTo(Reason.TOKEN_INVALID);
    }

    @Test
    void refusesKeyIdLengthsOutOfRangeAsInvalid() {
        String token = issuer.issue(1, TTL);

        assertThat(refused(edit(token, b -> b[1] = 0)).reason()).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused(edit(token, b -> b[1] = 33))).hasMessage("token key id length 33 (expected: 1 to 32)");
        assertThat(refused(edit(token, b -> b[1] = (byte) 0xff)).reason()).isEqualTo(Reason.TOKEN_INVALID);
    }

    @Test
    void refusesTruncatedTokensAsInvalidWhenTheLengthsNoLongerAddUp() {
        byte[] bytes = Tokens.decode(issuer.issue(1, TTL));

        for (int length : new int[] {0, 1, 2, NONCE_AT, SEALED_AT, SEALED_AT + 15}) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThat(refused(Tokens.encode(cut)).reason()).as("cut to %d bytes", length)
                    .isEqualTo(Reason.TOKEN_INVALID);
        }
        // A key id length pointing past the end.
        byte[] shortOne = Arrays.copyOf(bytes, 40);
        shortOne[1] = 32;
        assertThat(refused(Tokens.encode(shortOne)).reason()).isEqualTo(Reason.TOKEN_INVALID);
    }

    @Test
    void refusesANonAsciiKeyIdAsInvalid() {
        String token = issuer.issue(1, TTL);

        assertThat(refused(edit(token, b -> b[2] |= (byte) 0x80)))
                .hasMessage("token key id is not ASCII")
                .extracting(AuthenticationException::reason).isEqualTo(Reason.TOKEN_INVALID);
    }

    @Test
    void refusesAuthenticClaimsThatDoNotParseOrLackA16ByteTokenIdAsInvalid() throws Exception {
        assertThat(refused(seal(1, KEY_ID, KEY, new byte[] {(byte) 0xff, (byte) 0xff})))
                .hasMessage("token claims do not parse")
                .extracting(AuthenticationException::reason).isEqualTo(Reason.TOKEN_INVALID);
        assertThat(refused(seal(1, KEY_ID, KEY, claims().setTokenId(ByteString.copyFrom(new byte[8]))
                .build().toByteArray()))).hasMessage("token id of 8 bytes (expected: 16)");
        assertThat(refused(seal(1, KEY_ID, KEY, new byte[0])).reason()).as("no claims, no token id")
                .isEqualTo(Reason.TOKEN_INVALID);
    }

    // ---- TOKEN_UNKNOWN_KEY and TOKEN_TAMPERED

    @Test
    void refusesATokenSealedWithAKeyIdTheGatewayLacksAsUnknownKey() {
        String token = new TokenIssuer(TokenKeys.of("other", OTHER_KEY), clock).issue(1, TTL);

        assertThat(refused(token)).hasMessage("token key id 'other' is not held by this gateway")
                .extracting(AuthenticationException::reason).isEqualTo(Reason.TOKEN_UNKNOWN_KEY);
    }

    @Test
    void refusesATokenSealedUnderTheSameKeyIdWithOtherKeyBytesAsTampered() {
        String token = new TokenIssuer(TokenKeys.of(KEY_ID, OTHER_KEY), clock).issue(1, TTL);

        assertThat(refused(token)).hasMessage("token tag does not verify")
                .extracting(AuthenticationException::reason).isEqualTo(Reason.TOKEN_TAMPERED);
    }

    @Test
    void refusesATokenWithAnAlteredCiphertextTagOrNonceAsTampered() {
        String token = issuer.issue(1, TTL);
        int length = Tokens.decode(token).length;

        for (int at : new int[] {NONCE_AT, SEALED_AT, SEALED_AT + 5, length - 17, length - 16, length - 1}) {
            assertThat(refused(edit(token, b -> b[at] ^= 0x01)).reason()).as("byte %d flipped", at)
                    .isEqualTo(Reason.TOKEN_TAMPERED);
        }
        assertThat(refused(Tokens.encode(Arrays.copyOf(Tokens.decode(token), length - 1))).reason())
                .as("one tag byte cut: the lengths still add up, the tag fails").isEqualTo(Reason.TOKEN_TAMPERED);
    }

    @Test
    void refusesAnAlteredKeyIdAsUnknownKeyOrTamperedDependingOnWhetherTheGatewayHoldsIt() {
        // The gateway holds k1 and k3 under the same key bytes: only the AAD tells them apart.
        SealedTokenAuthenticator both = SealedTokenAuthenticator.builder()
                .keys(TokenKeys.builder().add("k1", KEY).add("k3", KEY).build())
                .clock(clock)
                .build();
        String token = issuer.issue(1, TTL);

        AuthenticationException unknown = refused(both, edit(token, b -> b[3] ^= 0x01)); // "k1" -> "k0"
        AuthenticationException tampered = refused(both, edit(token, b -> b[3] ^= 0x02)); // "k1" -> "k3"

        assertThat(unknown.reason()).isEqualTo(Reason.TOKEN_UNKNOWN_KEY);
        assertThat(unknown).hasMessage("token key id 'k0' is not held by this gateway");
        assertThat(tampered.reason()).isEqualTo(Reason.TOKEN_TAMPERED);
        assertThat(accepted(both.authenticate(request(token)))).isEqualTo(Identity.of(1));
    }

    @Test
    void refusesRandomBytesShapedLikeATokenAsTampered() {
        byte[] forged = new byte[SEALED_AT + 40 + 16];
        new Random(3).nextBytes(forged);
        forged[0] = 1;
        forged[1] = 2;
        forged[2] = 'k';
        forged[3] = '1';

        assertThat(refused(Tokens.encode(forged)).reason()).isEqualTo(Reason.TOKEN_TAMPERED);
    }

    // ---- TOKEN_EXPIRED and TOKEN_NOT_YET_VALID

    @Test
    void refusesAnExpiredTokenFromTheMillisecondItExpires() {
        String early = issuer.issue(1, TTL);
        String late = issuer.issue(2, TTL);

        clock.advance(TTL.minusMillis(1));
        assertThat(accepted(authenticate(early))).isEqualTo(Identity.of(1));

        clock.advance(Duration.ofMillis(1));
        AuthenticationException e = refused(late);
        assertThat(e.reason()).isEqualTo(Reason.TOKEN_EXPIRED);
        assertThat(e).hasMessage("token expired at 2025-03-01T12:05:00Z (now 2025-03-01T12:05:00Z)");
    }

    @Test
    void refusesATokenIssuedFurtherInTheFutureThanTheAllowedSkew() {
        MutableClock ahead = MutableClock.at("2025-03-01T12:00:00Z");
        TokenIssuer aheadIssuer = new TokenIssuer(keys, ahead);

        ahead.advance(Duration.ofSeconds(60));
        assertThat(accepted(authenticate(aheadIssuer.issue(1, TTL)))).as("60 s ahead").isEqualTo(Identity.of(1));

        ahead.advance(Duration.ofMillis(1));
        AuthenticationException e = refused(aheadIssuer.issue(1, TTL));
        assertThat(e.reason()).isEqualTo(Reason.TOKEN_NOT_YET_VALID);
        assertThat(e).hasMessage("token issued at 2025-03-01T12:01:00.001Z (expected: at most PT1M after now "
                + "2025-03-01T12:00:00Z)");
    }

    @Test
    void appliesTheConfiguredSkew() {
        SealedTokenAuthenticator strict = SealedTokenAuthenticator.builder().keys(keys).clock(clock)
                .maxClockSkew(Duration.ZERO).build();
        TokenIssuer aheadIssuer = new TokenIssuer(keys, Clock.offset(clock, Duration.ofMillis(1)));

        assertThat(refused(strict, aheadIssuer.issue(1, TTL)).reason()).isEqualTo(Reason.TOKEN_NOT_YET_VALID);
        assertThat(accepted(strict.authenticate(request(issuer.issue(1, TTL))))).isEqualTo(Identity.of(1));
    }

    @Test
    void checksExpiryBeforeTheReplayCache() {
        String token = issuer.issue(1, TTL);
        accepted(authenticate(token));

        clock.advance(TTL);

        assertThat(refused(token).reason()).isEqualTo(Reason.TOKEN_EXPIRED);
    }

    // ---- TOKEN_REPLAYED

    @Test
    void refusesTheSecondUseOfATokenAsReplayed() {
        String token = issuer.issue(1, TTL);

        assertThat(accepted(authenticate(token))).isEqualTo(Identity.of(1));
        assertThat(refused(token)).hasMessage("token already used")
                .extracting(AuthenticationException::reason).isEqualTo(Reason.TOKEN_REPLAYED);
        assertThat(refused(token).reason()).isEqualTo(Reason.TOKEN_REPLAYED);
        assertThat(accepted(authenticate(issuer.issue(1, TTL)))).as("a new token for the same player")
                .isEqualTo(Identity.of(1));
    }

    @Test
    void forgetsTokenIdsOnceTheirTokensExpired() {
        InMemoryTokenReplayCache cache = new InMemoryTokenReplayCache(10, clock);
        SealedTokenAuthenticator withCache = SealedTokenAuthenticator.builder().keys(keys).clock(clock)
                .replayCache(cache).build();
        accepted(withCache.authenticate(request(issuer.issue(1, TTL))));
        accepted(withCache.authenticate(request(issuer.issue(2, TTL))));
        assertThat(cache.size()).isEqualTo(2);

        clock.advance(TTL.plusSeconds(1));
        accepted(withCache.authenticate(request(issuer.issue(3, TTL))));

        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void refusesLoginsWithAuthUnavailableWhenTheReplayCacheIsFullOfLiveIds() {
        SealedTokenAuthenticator small = SealedTokenAuthenticator.builder().keys(keys).clock(clock)
                .replayCache(new InMemoryTokenReplayCache(2, clock)).build();
        accepted(small.authenticate(request(issuer.issue(1, TTL))));
        accepted(small.authenticate(request(issuer.issue(2, TTL))));

        assertThat(refused(small, issuer.issue(3, TTL)).reason()).isEqualTo(Reason.AUTH_UNAVAILABLE);

        clock.advance(TTL.plusSeconds(1));
        assertThat(accepted(small.authenticate(request(issuer.issue(3, TTL))))).as("expired ids evicted")
                .isEqualTo(Identity.of(3));
    }

    // ---- key rotation

    @Test
    void acceptsTokensOfEveryHeldKeyDuringARotation() {
        TokenIssuer oldIssuer = new TokenIssuer(TokenKeys.of("old", KEY), clock);
        String fromOld = oldIssuer.issue(1, TTL);
        TokenKeys rotated = TokenKeys.builder().add("old", KEY).add("new", OTHER_KEY).issueWith("new").build();
        SealedTokenAuthenticator gateway = SealedTokenAuthenticator.builder().keys(rotated).clock(clock).build();
        TokenIssuer newIssuer = new TokenIssuer(rotated, clock);
        String fromNew = newIssuer.issue(2, TTL);

        assertThat(Tokens.decode(fromNew)[2]).as("issued with the new key id").isEqualTo((byte) 'n');
        assertThat(accepted(gateway.authenticate(request(fromOld)))).isEqualTo(Identity.of(1));
        assertThat(accepted(gateway.authenticate(request(fromNew)))).isEqualTo(Identity.of(2));

        // The old id retired: its tokens are refused, the new ones still accepted.
        SealedTokenAuthenticator retired = SealedTokenAuthenticator.builder()
                .keys(rotated.toBuilder().remove("old").build()).clock(clock).build();
        assertThat(refused(retired, oldIssuer.issue(3, TTL)).reason()).isEqualTo(Reason.TOKEN_UNKNOWN_KEY);
        assertThat(accepted(retired.authenticate(request(newIssuer.issue(4, TTL))))).isEqualTo(Identity.of(4));
    }

    // ---- concurrency

    @Test
    void authenticatesDistinctTokensFromManyThreadsAtOnce() throws Exception {
        int threads = 8;
        int perThread = 200;
        executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Identity>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(executor.submit(() -> {
                start.await();
                List<Identity> identities = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    // Issue and open on the same threads: both use per-thread ciphers.
                    long player = thread * 1_000L + i;
                    String token = issuer.issue(player, thread, "c" + i, TTL);
                    identities.add(authenticator.authenticate(request(token)).toCompletableFuture().join());
                }
                return identities;
            }));
        }
        start.countDown();

        for (int t = 0; t < threads; t++) {
            List<Identity> identities = results.get(t).get(30, TimeUnit.SECONDS);
            assertThat(identities).hasSize(perThread);
            for (int i = 0; i < perThread; i++) {
                assertThat(identities.get(i)).isEqualTo(Identity.of(t * 1_000L + i, t, "c" + i));
            }
        }
    }

    @Test
    void acceptsTheSameTokenRacedFromEightThreadsExactlyOnce() throws Exception {
        int threads = 8;
        executor = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 50; round++) {
            String token = issuer.issue(round, TTL);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Throwable>> outcomes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                outcomes.add(executor.submit(() -> {
                    start.await();
                    CompletionStage<Identity> stage = authenticator.authenticate(request(token));
                    Throwable failure = catchThrowable(() -> stage.toCompletableFuture().join());
                    return failure == null ? null : failure.getCause();
                }));
            }
            start.countDown();

            int accepted = 0;
            for (Future<Throwable> outcome : outcomes) {
                Throwable failure = outcome.get(30, TimeUnit.SECONDS);
                if (failure == null) {
                    accepted++;
                } else {
                    assertThat(failure).isInstanceOf(AuthenticationException.class);
                    assertThat(((AuthenticationException) failure).reason()).isEqualTo(Reason.TOKEN_REPLAYED);
                }
            }
            assertThat(accepted).as("round %d", round).isEqualTo(1);
        }
    }

    // ---- contract

    @Test
    void neverThrowsButFailsTheStage() {
        CompletionStage<Identity> nullRequest = authenticator.authenticate(null);
        assertThat(nullRequest.toCompletableFuture()).isCompletedExceptionally();

        SealedTokenAuthenticator throwing = SealedTokenAuthenticator.builder().keys(keys).clock(clock)
                .replayCache((id, expiresAt) -> {
                    throw new IllegalStateException("broken cache");
                })
                .build();
        CompletionStage<Identity> stage = throwing.authenticate(request(issuer.issue(1, TTL)));
        assertThat(catchThrowable(() -> stage.toCompletableFuture().join())).hasRootCauseMessage("broken cache");
    }

    @Test
    void passesOnTheReplayCacheFailureUnwrapped() {
        AuthenticationException down = new AuthenticationException(Reason.AUTH_UNAVAILABLE, "redis down");
        CompletableFuture<Boolean> later = new CompletableFuture<>();
        SealedTokenAuthenticator remote = SealedTokenAuthenticator.builder().keys(keys).clock(clock)
                .replayCache((id, expiresAt) -> later.thenApply(b -> b))
                .build();

        CompletionStage<Identity> stage = remote.authenticate(request(issuer.issue(1, TTL)));
        assertThat(stage.toCompletableFuture()).as("waits for the cache").isNotDone();
        later.completeExceptionally(down);

        assertThat(refusal(stage)).isSameAs(down);
    }

    @Test
    void builderValidatesItsArguments() {
        assertThatThrownBy(() -> SealedTokenAuthenticator.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("keys: not set");
        assertThatThrownBy(() -> SealedTokenAuthenticator.builder().maxClockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxClockSkew: PT-1S (expected: 0 to PT1H)");
        assertThatThrownBy(() -> SealedTokenAuthenticator.builder().maxClockSkew(Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SealedTokenAuthenticator.builder().keys(keys).build().maxClockSkew())
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(authenticator.replayCache()).isInstanceOf(InMemoryTokenReplayCache.class);
        assertThat(authenticator.toString()).doesNotContain(Base64.getEncoder().encodeToString(KEY));
    }
}
