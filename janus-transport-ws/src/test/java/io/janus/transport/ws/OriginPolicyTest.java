package io.janus.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Parsing and matching of the Origin allowlist, without a network. */
class OriginPolicyTest {

    @Test
    void absentOrBlankAllowsEverything() {
        assertThat(OriginPolicy.parse(null, true).allows("https://x.example")).isTrue();
        assertThat(OriginPolicy.parse("", true).allows(null)).isTrue();
        assertThat(OriginPolicy.parse(" ,, ", false).allowsAll()).isTrue();
    }

    @Test
    void theLiteralStarIsNotAnOrigin() {
        // A browser sends its page's origin, never "*"; an entry "*" would be a misunderstanding.
        assertThatThrownBy(() -> OriginPolicy.parse("*", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'*'");
    }

    @Test
    void malformedEntriesAreRefusedWithTheirText() {
        assertThatThrownBy(() -> OriginPolicy.parse("game.example.com", false))
                .hasMessageContaining("'game.example.com'");
        assertThatThrownBy(() -> OriginPolicy.parse("https://game.example.com/", false))
                .hasMessageContaining("expected: an origin");
        assertThatThrownBy(() -> OriginPolicy.parse("https://a.*.example.com", false))
                .hasMessageContaining("first label");
        assertThatThrownBy(() -> OriginPolicy.parse("https://*", false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exactEntriesCompareSchemeHostAndPortCaseInsensitively() {
        OriginPolicy p = OriginPolicy.parse("https://game.example.com,http://localhost:8080", false);
        assertThat(p.allows("https://GAME.example.com")).isTrue();
        assertThat(p.allows("http://localhost:8080")).isTrue();
        assertThat(p.allows("http://localhost")).isFalse();
        assertThat(p.allows("https://game.example.com.evil.org")).isFalse();
    }

    @Test
    void wildcardMatchesOneOrMoreLabelsButNotTheBareDomainOrOtherCharacters() {
        OriginPolicy p = OriginPolicy.parse("https://*.example.com", false);
        assertThat(p.allows("https://a.example.com")).isTrue();
        assertThat(p.allows("https://a-1.b.example.com")).isTrue();
        assertThat(p.allows("https://example.com")).isFalse();
        assertThat(p.allows("https://.example.com")).isFalse();
        assertThat(p.allows("https://user@a.example.com")).isFalse();
        assertThat(p.allows("https://a/b.example.com")).isFalse();
        assertThat(p.allows("wss://a.example.com")).isFalse();
    }

    @Test
    void missingOriginFollowsRequireOrigin() {
        assertThat(OriginPolicy.parse("https://a.example", false).allows(null)).isTrue();
        assertThat(OriginPolicy.parse("https://a.example", true).allows(null)).isFalse();
    }
}
