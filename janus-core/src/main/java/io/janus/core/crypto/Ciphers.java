package io.janus.core.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.crypto.Cipher;

/**
 * JDK {@link Cipher}s made through the provider the JVM chose for the transformation the first time.
 *
 * <p>{@code Cipher.getInstance(transformation)} walks the installed providers on every call, and the
 * cipher then picks its provider again at its first {@code init}: every session makes two or three
 * ciphers, and that search was about 5% of the gateway's CPU per handshake (async-profiler,
 * docs/benchmarks.md, scenario 5). The provider is looked up once per transformation, through the JVM's
 * own preference order, so a provider installed ahead of the JDK's before the first session is honoured.
 */
final class Ciphers {

    /** One entry per transformation this package uses (two). */
    private static final ConcurrentMap<String, Provider> PROVIDERS = new ConcurrentHashMap<>();

    private Ciphers() {
    }

    /**
     * A new cipher for a transformation.
     *
     * @param transformation for example {@code AES/GCM/NoPadding}
     * @return the cipher, not initialised
     * @throws GeneralSecurityException when no provider offers it
     */
    static Cipher get(String transformation) throws GeneralSecurityException {
        Provider provider = PROVIDERS.get(transformation);
        if (provider == null) {
            Cipher first = Cipher.getInstance(transformation);
            // getProvider() settles the provider choice; the first cipher itself is what the caller gets.
            PROVIDERS.putIfAbsent(transformation, first.getProvider());
            return first;
        }
        try {
            return Cipher.getInstance(transformation, provider);
        } catch (NoSuchAlgorithmException e) {
            PROVIDERS.remove(transformation, provider); // the provider was removed since
            return Cipher.getInstance(transformation);
        }
    }
}
