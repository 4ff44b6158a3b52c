package io.janus.core.auth;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Authenticator;
import io.janus.core.spi.AuthenticatorProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;

/**
 * Provides the {@link SealedTokenAuthenticator} under the name {@code sealed}. Properties:
 * <ul>
 *   <li>{@code keys} (required): the key ring, as {@link TokenKeys#parse}, for example
 *       {@code 2025-01:BASE64KEY,2025-02:BASE64KEY};</li>
 *   <li>{@code issueWith}: the key id the login service issues with, the first in {@code keys} by
 *       default (the gateway opens tokens of every key id it holds);</li>
 *   <li>{@code replayCache}: the {@link TokenReplayCacheProvider} that remembers used tokens,
 *       {@code memory} (this gateway) by default, {@code redis} (janus-route-redis) for a fleet, so that
 *       a token cannot be replayed on another gateway; properties starting with {@code replayCache.} go
 *       to it without the prefix (for example {@code replayCache.redis.addresses});</li>
 *   <li>{@code replayCacheSize}: the most token ids the in-memory replay cache remembers,
 *       {@value InMemoryTokenReplayCache#DEFAULT_MAX_ENTRIES} by default (the same as
 *       {@code replayCache.size} with the {@code memory} cache);</li>
 *   <li>{@code maxClockSkewSeconds}: how far in the future a token's issue time may be, 0 to 3600,
 *       60 by default.</li>
 * </ul>
 * Any other property is refused, so that a misspelt one is not silently ignored.
 */
public final class SealedTokenAuthenticatorProvider extends AuthenticatorProvider {

    /** The provider name. */
    public static final String NAME = "sealed";

    /** The property holding the key ring. */
    public static final String KEYS = "keys";
    /** The property naming the key id to issue with. */
    public static final String ISSUE_WITH = "issueWith";
    /** The property bounding the in-memory replay cache. */
    public static final String REPLAY_CACHE_SIZE = "replayCacheSize";
    /** The property naming the replay cache provider; {@code replayCache.*} properties configure it. */
    public static final String REPLAY_CACHE = "replayCache";
    /** The property setting the allowed clock skew, in seconds. */
    public static final String MAX_CLOCK_SKEW_SECONDS = "maxClockSkewSeconds";

    private static final List<String> PROPERTIES =
            List.of(KEYS, ISSUE_WITH, REPLAY_CACHE, REPLAY_CACHE_SIZE, MAX_CLOCK_SKEW_SECONDS);
    private static final String REPLAY_CACHE_PREFIX = REPLAY_CACHE + ".";

    /** Called by {@link java.util.ServiceLoader}. */
    public SealedTokenAuthenticatorProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return DEFAULT_PRIORITY;
    }

    @Override
    public boolean isAvailable() {
        try {
            Cipher.getInstance(SealedTokenFormat.TRANSFORMATION);
            return Cipher.getMaxAllowedKeyLength("AES") >= TokenKeys.KEY_LENGTH * 8;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /**
     * Builds a sealed-token authenticator from the properties above.
     *
     * @param properties the properties
     * @return the authenticator
     * @throws IllegalArgumentException naming the property that is missing, malformed or unknown
     */
    @Override
    public Authenticator newAuthenticator(Map<String, String> properties) {
        requireNonNull(properties, "properties");
        for (String name : properties.keySet()) {
            if (!PROPERTIES.contains(name) && !name.startsWith(REPLAY_CACHE_PREFIX)) {
                throw new IllegalArgumentException("sealed authenticator property " + name
                        + ": unknown (expected: one of " + PROPERTIES + ", or " + REPLAY_CACHE_PREFIX + "*)");
            }
        }
        String spec = properties.get(KEYS);
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("sealed authenticator property " + KEYS
                    + ": missing (expected: id:BASE64KEY entries separated by ',')");
        }
        String issueWith = properties.get(ISSUE_WITH);
        SealedTokenAuthenticator.Builder builder = SealedTokenAuthenticator.builder()
                .keys(TokenKeys.parse(spec, issueWith == null ? null : issueWith.trim()));
        Map<String, String> cacheProperties = new LinkedHashMap<>();
        properties.forEach((name, value) -> {
            if (name.startsWith(REPLAY_CACHE_PREFIX)) {
                cacheProperties.put(name.substring(REPLAY_CACHE_PREFIX.length()), value);
            }
        });
        String cacheSize = properties.get(REPLAY_CACHE_SIZE);
        if (cacheSize != null) {
            cacheProperties.put(InMemoryTokenReplayCacheProvider.SIZE,
                    String.valueOf(longProperty(REPLAY_CACHE_SIZE, cacheSize, 1, Integer.MAX_VALUE)));
        }
        String cacheName = properties.get(REPLAY_CACHE);
        if (cacheName != null || !cacheProperties.isEmpty()) {
            TokenReplayCacheProvider provider = TokenReplayCacheRegistry.getDefaultRegistry()
                    .select(cacheName == null ? null : cacheName.trim());
            builder.ownedReplayCache(provider.newCache(cacheProperties));
        }
        String skew = properties.get(MAX_CLOCK_SKEW_SECONDS);
        if (skew != null) {
            long max = SealedTokenAuthenticator.MAX_MAX_CLOCK_SKEW.toSeconds();
            builder.maxClockSkew(Duration.ofSeconds(longProperty(MAX_CLOCK_SKEW_SECONDS, skew, 0, max)));
        }
        return builder.build();
    }

    private static long longProperty(String name, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            n = min - 1;
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("sealed authenticator property " + name + ": '" + value
                    + "' (expected: an integer from " + min + " to " + max + ")");
        }
        return n;
    }
}
