package io.janus.transport.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open a WebSocket: an allowlist of exact origins
 * ({@code https://game.example.com}) and of wildcards for the subdomains of one domain
 * ({@code https://*.example.com}, which matches {@code https://a.example.com} and
 * {@code https://a.b.example.com} but neither {@code https://example.com} nor
 * {@code http://a.example.com}). An empty list allows every origin.
 *
 * <p>Origins are compared as RFC 6454 section 6.1 serializes them: scheme, {@code ://}, host, and the
 * port only when it is not the scheme's default, case-insensitively. The value is compared, never the
 * literal {@code *}: a browser always sends its page's origin, so comparing it with {@code *} would
 * refuse every browser.
 *
 * <p>A request without an {@code Origin} header comes from a program that is not a browser, which
 * could send any origin it liked (RFC 6455 section 10.2); it is accepted unless
 * {@code requireOrigin} is set. Immutable and thread-safe.
 */
final class OriginPolicy {

    private final List<String> exact;
    /** For each wildcard, the scheme with {@code ://} and the suffix starting with the dot. */
    private final List<String[]> wildcards;
    private final boolean requireOrigin;

    private OriginPolicy(List<String> exact, List<String[]> wildcards, boolean requireOrigin) {
        this.exact = List.copyOf(exact);
        this.wildcards = List.copyOf(wildcards);
        this.requireOrigin = requireOrigin;
    }

    /**
     * Parses a comma-separated allowlist.
     *
     * @param allowlist entries separated by commas; {@code null} or blank allows every origin
     * @param requireOrigin whether a request without an Origin header is refused when the list is not empty
     * @return the policy
     * @throws IllegalArgumentException naming an entry that is not an origin or a wildcard origin
     */
    static OriginPolicy parse(String allowlist, boolean requireOrigin) {
        List<String> exact = new ArrayList<>();
        List<String[]> wildcards = new ArrayList<>();
        if (allowlist != null) {
            for (String raw : allowlist.split(",")) {
                String entry = raw.trim().toLowerCase(Locale.ROOT);
                if (entry.isEmpty()) {
                    continue;
                }
                int schemeEnd = entry.indexOf("://");
                if (schemeEnd <= 0 || entry.endsWith("/") || entry.indexOf('/', schemeEnd + 3) >= 0) {
                    throw new IllegalArgumentException("allowedOrigins: '" + raw.trim()
                            + "' (expected: an origin such as https://game.example.com or https://*.example.com)");
                }
                String scheme = entry.substring(0, schemeEnd + 3);
                String host = entry.substring(schemeEnd + 3);
                if (host.startsWith("*.") && host.length() > 2 && host.indexOf('*', 1) < 0) {
                    wildcards.add(new String[] {scheme, host.substring(1)});
                } else if (host.isEmpty() || host.indexOf('*') >= 0) {
                    throw new IllegalArgumentException("allowedOrigins: '" + raw.trim()
                            + "' (expected: '*' only as the first label, as in https://*.example.com)");
                } else {
                    exact.add(entry);
                }
            }
        }
        return new OriginPolicy(exact, wildcards, requireOrigin);
    }

    /** Whether this policy allows every origin. */
    boolean allowsAll() {
        return exact.isEmpty() && wildcards.isEmpty();
    }

    /**
     * Decides on a request's Origin header.
     *
     * @param origin the header's value, or {@code null} when the request had none
     * @return whether the upgrade may proceed
     */
    boolean allows(String origin) {
        if (allowsAll()) {
            return true;
        }
        if (origin == null) {
            return !requireOrigin;
        }
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (exact.contains(o)) {
            return true;
        }
        for (String[] w : wildcards) {
            String scheme = w[0];
            String suffix = w[1];
            if (o.startsWith(scheme) && o.endsWith(suffix)
                    && o.length() > scheme.length() + suffix.length()) {
                String label = o.substring(scheme.length(), o.length() - suffix.length());
                if (isHostLabels(label)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code s} is one or more DNS labels separated by dots (no port, path or user info). */
    private static boolean isHostLabels(String s) {
        if (s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        if (allowsAll()) {
            return "any origin";
        }
        StringBuilder sb = new StringBuilder(String.join(",", exact));
        for (String[] w : wildcards) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(w[0]).append('*').append(w[1]);
        }
        return sb.toString();
    }
}
