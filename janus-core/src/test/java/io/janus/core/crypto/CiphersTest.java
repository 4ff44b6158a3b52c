package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.NoSuchAlgorithmException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** {@link Ciphers}: a new, working cipher per call, from the provider the JVM chose the first time. */
class CiphersTest {

    @Test
    void eachCallMakesANewCipherFromTheJvmsChoiceOfProvider() throws Exception {
        Cipher a = Ciphers.get("AES/ECB/NoPadding");
        Cipher b = Ciphers.get("AES/ECB/NoPadding");

        assertThat(a).isNotSameAs(b);
        assertThat(b.getProvider()).isSameAs(a.getProvider());
        assertThat(b.getProvider()).isSameAs(Cipher.getInstance("AES/ECB/NoPadding").getProvider());
        // Both work, independently: the same key gives the same block.
        byte[] key = new byte[32];
        a.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        b.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        assertThat(b.doFinal(new byte[16])).isEqualTo(a.doFinal(new byte[16])).hasSize(16);
    }

    @Test
    void anUnknownTransformationIsRefusedAsByTheJdk() {
        assertThatThrownBy(() -> Ciphers.get("AES/NOPE/NoPadding")).isInstanceOf(NoSuchAlgorithmException.class);
    }
}
