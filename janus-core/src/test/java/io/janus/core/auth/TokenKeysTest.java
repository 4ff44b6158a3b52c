package io.janus.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** {@link TokenKeys}: validation, parsing of configuration, rotation, and that keys are never printed. */
class TokenKeysTest {

    private static final byte[] KEY_A = filled(0x11);
    private static final byte[] KEY_B = filled(0x22);

    private static byte[] filled(int b) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) b);
        return key;
    }

    private static String b64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void builderHoldsKeysInOrderAndIssuesWithTheChosenOne() {
        TokenKeys keys = TokenKeys.builder().add("a", KEY_A).add("b", KEY_B).issueWith("b").build();

        assertThat(keys.keyIds()).containsExactly("a", "b");
        assertThat(keys.issueWith()).isEqualTo("b");
        assertThat(keys.contains("a")).isTrue();
        assertThat(keys.contains("c")).isFalse();
        assertThat(keys.key("a").getEncoded()).isEqualTo(KEY_A);
        assertThat(keys.key("a").getAlgorithm()).isEqualTo("AES");
    }

    @Test
    void issuesWithTheFirstKeyWhenNotTold() {
        assertThat(TokenKeys.builder().add("a", KEY_A).add("b", KEY_B).build().issueWith()).isEqualTo("a");
        assertThat(TokenKeys.of("only", KEY_A).issueWith()).isEqualTo("only");
    }

    @Test
    void copiesTheKeyBytesItIsGiven() {
        byte[] key = KEY_A.clone();
        TokenKeys keys = TokenKeys.of("a", key);
        Arrays.fill(key, (byte) 0);

        assertThat(keys.key("a").getEncoded()).isEqualTo(KEY_A);
    }

    @Test
    void refusesMalformedKeyIds() {
        assertThatThrownBy(() -> TokenKeys.of("", KEY_A)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyId: '' (expected: 1 to 32 visible ASCII characters)");
        assertThatThrownBy(() -> TokenKeys.of("x".repeat(33), KEY_A)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 32");
        assertThatThrownBy(() -> TokenKeys.of("a b", KEY_A)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyId: 'a?b' (expected: 1 to 32 visible ASCII characters)");
        assertThatThrownBy(() -> TokenKeys.of("clé", KEY_A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenKeys.of(null, KEY_A)).isInstanceOf(NullPointerException.class)
                .hasMessage("keyId");
        assertThat(TokenKeys.of("x".repeat(32), KEY_A).issueWith()).hasSize(32);
    }

    @Test
    void refusesKeysThatAreNot32Bytes() {
        assertThatThrownBy(() -> TokenKeys.of("a", new byte[16])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key for 'a': 16 bytes (expected: 32 bytes for AES-256)");
        assertThatThrownBy(() -> TokenKeys.of("a", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void refusesRepeatedIdsEmptyRingsAndAnUnknownIssueWith() {
        assertThatThrownBy(() -> TokenKeys.builder().add("a", KEY_A).add("a", KEY_B))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> TokenKeys.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("keys: none (expected: at least one key)");
        assertThatThrownBy(() -> TokenKeys.builder().add("a", KEY_A).issueWith("b").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("issueWith: 'b' (expected: one of the key ids [a])");
    }

    @Test
    void toBuilderDerivesARotatedRing() {
        TokenKeys old = TokenKeys.of("old", KEY_A);
        TokenKeys both = old.toBuilder().add("new", KEY_B).issueWith("new").build();
        TokenKeys retired = both.toBuilder().remove("old").build();

        assertThat(old.keyIds()).containsExactly("old");
        assertThat(both.keyIds()).containsExactly("old", "new");
        assertThat(both.issueWith()).isEqualTo("new");
        assertThat(retired.keyIds()).containsExactly("new");
        assertThat(retired.key("new").getEncoded()).isEqualTo(KEY_B);
    }

    @Test
    void generatesDistinctRandomKeys() {
        byte[] a = TokenKeys.generateKey();
        byte[] b = TokenKeys.generateKey();

        assertThat(a).hasSize(32);
        assertThat(b).hasSize(32).isNotEqualTo(a);
    }

    @Test
    void parsesConfiguration() {
        TokenKeys keys = TokenKeys.parse(" k1:" + b64(KEY_A) + " , k2 : " + b64(KEY_B), "k2");

        assertThat(keys.keyIds()).containsExactly("k1", "k2");
        assertThat(keys.issueWith()).isEqualTo("k2");
        assertThat(keys.key("k1").getEncoded()).isEqualTo(KEY_A);
        assertThat(keys.key("k2").getEncoded()).isEqualTo(KEY_B);
        assertThat(TokenKeys.parse("k1:" + b64(KEY_A) + ",k2:" + b64(KEY_B), null).issueWith()).isEqualTo("k1");
    }

    @Test
    void parseErrorsNameTheEntryButNeverTheKey() {
        String a = b64(KEY_A);
        String shortKey = b64(new byte[16]);

        assertParseFails("k1:" + a + "," + a, a, "keys entry 2 of 2: no ':'");
        assertParseFails(a + ":k1", a, "keys entry 1: the key id is not 1 to 32 visible ASCII characters");
        assertParseFails(":" + a, a, "keys entry 1: the key id");
        assertParseFails("k1:" + a + "!", a, "keys entry 1 ('k1'): the key is not standard base64");
        assertParseFails("k1:" + shortKey, shortKey, "keys entry 1 ('k1'): a key of 16 bytes (expected: 32");
        assertParseFails("k1:" + a + ",k1:" + a, a, "keys entry 2 ('k1'): the key id repeats");
        assertParseFails("k1:" + a + ",", a, "keys entry 2 of 2: no ':'");
        assertParseFails("", a, "keys entry 1 of 1: no ':'");
        assertThatThrownBy(() -> TokenKeys.parse("k1:" + a, "k9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("issueWith: 'k9' (expected: one of the key ids [k1])");
    }

    private static void assertParseFails(String spec, String secret, String message) {
        Throwable t = catchThrowable(() -> TokenKeys.parse(spec, null));

        assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message)
                .hasNoCause();
        assertThat(t.getMessage()).doesNotContain(secret);
    }

    @Test
    void toStringNamesKeyIdsNotKeys() {
        TokenKeys keys = TokenKeys.builder().add("a", KEY_A).add("b", KEY_B).issueWith("b").build();

        assertThat(keys.toString()).isEqualTo("TokenKeys{keyIds=[a, b], issueWith=b}")
                .doesNotContain(b64(KEY_A)).doesNotContain(b64(KEY_B));
    }
}
