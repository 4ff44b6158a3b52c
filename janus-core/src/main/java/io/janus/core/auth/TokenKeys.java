package io.janus.core.auth;

import static java.util.Objects.requireNonNull;

import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that seal login tokens, by key id, and the id new tokens are issued with. Immutable
 * and thread-safe. The game's login service and the gateways hold the same keys (docs/protocol.md,
 * section 10).
 *
 * <p>Several keys may be held at once so that keys rotate without refusing logins: add the new key id to
 * every gateway, then issue with it, then retire the old id after the longest token lifetime.
 *
 * <pre>{@code
 * TokenKeys keys = TokenKeys.builder()
 *         .add("2025-01", oldKey)
 *         .add("2025-02", newKey)
 *         .issueWith("2025-02")
 *         .build();
 * }</pre>
 *
 * <p>A key id is 1 to {@value #MAX_KEY_ID_LENGTH} visible ASCII characters ({@code '!'} to {@code '~'}).
 * {@link #toString()} names the key ids, never the keys.
 */
public final class TokenKeys {

    /** The length of a key in bytes (AES-256). */
    public static final int KEY_LENGTH = SealedTokenFormat.KEY_LENGTH;

    /** The longest key id, in characters. */
    public static final int MAX_KEY_ID_LENGTH = SealedTokenFormat.MAX_KEY_ID_LENGTH;

    private final Map<String, SecretKeySpec> keys;
    private final String issueWith;

    private TokenKeys(Map<String, SecretKeySpec> keys, String issueWith) {
        this.keys = keys;
        this.issueWith = issueWith;
    }

    /**
     * Returns a builder with no keys.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a key ring of one key, which new tokens are issued with.
     *
     * @param keyId the key id, 1 to 32 visible ASCII characters
     * @param key the 32-byte AES-256 key; copied
     * @return the key ring
     * @throws IllegalArgumentException if the key id or the key is malformed
     */
    public static TokenKeys of(String keyId, byte[] key) {
        return builder().add(keyId, key).build();
    }

    /**
     * Generates a new random AES-256 key with a {@link java.security.SecureRandom}.
     *
     * @return 32 random bytes
     */
    public static byte[] generateKey() {
        byte[] key = new byte[KEY_LENGTH];
        SealedTokenFormat.RANDOM.nextBytes(key);
        return key;
    }

    /**
     * Parses a key ring from configuration: comma-separated {@code id:BASE64KEY} entries, each key being
     * 32 bytes in standard base64 (RFC 4648, section 4), for example
     * {@code 2025-01:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=,2025-02:...}. The id ends at the first
     * {@code ':'}. Errors name the entry by its position and key id, never by its key.
     *
     * @param spec the entries
     * @param issueWith the key id to issue new tokens with, or {@code null} for the first entry
     * @return the key ring
     * @throws IllegalArgumentException if an entry is malformed, a key id repeats, or {@code issueWith}
     *         names no entry
     */
    public static TokenKeys parse(String spec, String issueWith) {
        requireNonNull(spec, "spec");
        Builder builder = builder();
        String[] entries = spec.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            int position = i + 1;
            int colon = entry.indexOf(':');
            if (colon < 0) {
                // Without a ':' the entry may be a bare key: do not print it.
                throw new IllegalArgumentException("keys entry " + position + " of " + entries.length
                        + ": no ':' (expected: id:BASE64KEY, entries separated by ',')");
            }
            String keyId = entry.substring(0, colon).trim();
            if (!isKeyId(keyId)) {
                // Not quoted: a malformed entry may have its key where the id belongs.
                throw new IllegalArgumentException("keys entry " + position + ": the key id is not 1 to "
                        + MAX_KEY_ID_LENGTH + " visible ASCII characters (expected: id:BASE64KEY)");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                // The decoder's message quotes the offending character: drop it along with the cause.
                throw new IllegalArgumentException("keys entry " + position + " ('" + keyId
                        + "'): the key is not standard base64 (expected: " + KEY_LENGTH + " bytes in base64)");
            }
            if (key.length != KEY_LENGTH) {
                throw new IllegalArgumentException("keys entry " + position + " ('" + keyId + "'): a key of "
                        + key.length + " bytes (expected: " + KEY_LENGTH + " bytes for AES-256)");
            }
            if (builder.keys.containsKey(keyId)) {
                throw new IllegalArgumentException("keys entry " + position + " ('" + keyId
                        + "'): the key id repeats (expected: unique key ids)");
            }
            builder.add(keyId, key);
        }
        if (issueWith != null) {
            if (!builder.keys.containsKey(issueWith)) {
                throw new IllegalArgumentException("issueWith: '" + SealedTokenFormat.printable(issueWith)
                        + "' (expected: one of the key ids " + builder.keys.keySet() + ")");
            }
            builder.issueWith(issueWith);
        }
        return builder.build();
    }

    /**
     * The key ids held, in the order they were added.
     *
     * @return an unmodifiable set of key ids
     */
    public Set<String> keyIds() {
        return keys.keySet();
    }

    /**
     * The key id new tokens are issued with.
     *
     * @return the key id
     */
    public String issueWith() {
        return issueWith;
    }

    /**
     * Whether a key id is held.
     *
     * @param keyId a key id
     * @return whether this ring holds a key under that id
     */
    public boolean contains(String keyId) {
        return keys.containsKey(keyId);
    }

    /**
     * Returns a builder holding the same keys and {@code issueWith}, to derive a rotated ring.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        keys.forEach((id, spec) -> builder.keys.put(id, spec.getEncoded()));
        builder.issueWith = issueWith;
        return builder;
    }

    /** The key under {@code keyId}, or {@code null}. */
    SecretKeySpec key(String keyId) {
        return keys.get(keyId);
    }

    @Override
    public String toString() {
        // Never the keys.
        return "TokenKeys{keyIds=" + keys.keySet() + ", issueWith=" + issueWith + "}";
    }

    private static boolean isKeyId(String keyId) {
        if (keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < keyId.length(); i++) {
            if (!SealedTokenFormat.isKeyIdChar(keyId.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static void checkKeyId(String keyId, String name) {
        requireNonNull(keyId, name);
        if (!isKeyId(keyId)) {
            throw new IllegalArgumentException(name + ": '" + SealedTokenFormat.printable(keyId)
                    + "' (expected: 1 to " + MAX_KEY_ID_LENGTH + " visible ASCII characters)");
        }
    }

    /** Builds {@link TokenKeys}. Not thread-safe. */
    public static final class Builder {

        private final Map<String, byte[]> keys = new LinkedHashMap<>();
        private String issueWith;

        private Builder() {
        }

        /**
         * Adds a key.
         *
         * @param keyId the key id, 1 to 32 visible ASCII characters, not added before
         * @param key the 32-byte AES-256 key; copied
         * @return this builder
         * @throws IllegalArgumentException if the key id is malformed or already added, or the key is not
         *         32 bytes
         */
        public Builder add(String keyId, byte[] key) {
            checkKeyId(keyId, "keyId");
            requireNonNull(key, "key");
            if (key.length != KEY_LENGTH) {
                throw new IllegalArgumentException("key for '" + keyId + "': " + key.length
                        + " bytes (expected: " + KEY_LENGTH + " bytes for AES-256)");
            }
            if (keys.containsKey(keyId)) {
                throw new IllegalArgumentException("keyId: '" + keyId + "' (expected: a key id not added before)");
            }
            keys.put(keyId, key.clone());
            return this;
        }

        /**
         * Removes a key, to retire it after a rotation.
         *
         * @param keyId the key id
         * @return this builder
         */
        public Builder remove(String keyId) {
            requireNonNull(keyId, "keyId");
            keys.remove(keyId);
            if (keyId.equals(issueWith)) {
                issueWith = null;
            }
            return this;
        }

        /**
         * Sets the key id new tokens are issued with; the first key added when not set.
         *
         * @param keyId a key id added to this builder, before or after this call
         * @return this builder
         */
        public Builder issueWith(String keyId) {
            this.issueWith = requireNonNull(keyId, "keyId");
            return this;
        }

        /**
         * Builds the key ring, creating one {@link SecretKeySpec} per key.
         *
         * @return the key ring
         * @throws IllegalStateException if no key was added, or {@code issueWith} names no added key
         */
        public TokenKeys build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException("keys: none (expected: at least one key)");
            }
            String issue = issueWith != null ? issueWith : keys.keySet().iterator().next();
            if (!keys.containsKey(issue)) {
                throw new IllegalStateException("issueWith: '" + SealedTokenFormat.printable(issue)
                        + "' (expected: one of the key ids " + keys.keySet() + ")");
            }
            Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
            keys.forEach((id, key) -> specs.put(id, new SecretKeySpec(key, "AES")));
            return new TokenKeys(Collections.unmodifiableMap(specs), issue);
        }
    }
}
