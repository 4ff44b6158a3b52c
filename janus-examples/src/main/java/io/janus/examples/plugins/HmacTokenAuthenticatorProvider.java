package io.janus.examples.plugins;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Authenticator;
import io.janus.core.spi.AuthenticatorProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Provides the {@link HmacTokenAuthenticator} under the name {@value #NAME}, listed in
 * {@code META-INF/services/io.janus.core.spi.AuthenticatorProvider}. Properties:
 * <ul>
 *   <li>{@value #KEY}: the HMAC key in standard base64, at least 32 bytes; a secret, so it belongs in
 *       secret.yaml under {@code authenticator.properties};</li>
 *   <li>{@value #MAX_CLOCK_SKEW_SECONDS}: seconds a token is accepted after its expiry (default 30).</li>
 * </ul>
 */
public final class HmacTokenAuthenticatorProvider extends AuthenticatorProvider {

    /** The provider name. */
    public static final String NAME = "hmac";
    /** The property holding the key. */
    public static final String KEY = "key";
    /** The property holding the clock skew allowance. */
    public static final String MAX_CLOCK_SKEW_SECONDS = "maxClockSkewSeconds";

    private static final List<String> PROPERTIES = List.of(KEY, MAX_CLOCK_SKEW_SECONDS);

    /** Called by {@link java.util.ServiceLoader}. */
    public HmacTokenAuthenticatorProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    /**
     * Builds the authenticator.
     *
     * @throws IllegalArgumentException naming the property that is unknown, missing or malformed, never
     *         quoting the key
     */
    @Override
    public Authenticator newAuthenticator(Map<String, String> properties) {
        requireNonNull(properties, "properties");
        for (String name : properties.keySet()) {
            if (!PROPERTIES.contains(name)) {
                throw new IllegalArgumentException("hmac authenticator property " + name + ": unknown (expected: one of "
                        + PROPERTIES + ")");
            }
        }
        String key = properties.get(KEY);
        if (key == null) {
            throw new IllegalArgumentException("hmac authenticator property " + KEY
                    + ": missing (expected: at least 32 bytes in standard base64, in secret.yaml)");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hmac authenticator property " + KEY + ": not standard base64");
        }
        long skew = 30;
        String skewText = properties.get(MAX_CLOCK_SKEW_SECONDS);
        if (skewText != null) {
            try {
                skew = Long.parseLong(skewText.trim());
            } catch (NumberFormatException e) {
                skew = -1;
            }
            if (skew < 0 || skew > 3600) {
                throw new IllegalArgumentException("hmac authenticator property " + MAX_CLOCK_SKEW_SECONDS + ": '"
                        + skewText + "' (expected: 0 to 3600)");
            }
        }
        return new HmacTokenAuthenticator(new HmacTokens(bytes), Clock.systemUTC(), Duration.ofSeconds(skew));
    }
}
