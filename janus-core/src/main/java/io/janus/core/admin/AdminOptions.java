package io.janus.core.admin;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Configuration of the operator's admin endpoint ({@link AdminServer}): where it listens and the bearer
 * token its mutating endpoints require. Immutable; build with {@link #builder()}, change with
 * {@link #toBuilder()}.
 *
 * <pre>{@code
 * Gateway.builder()
 *     ...
 *     .admin(AdminOptions.builder().port(9090).bearerToken(System.getenv("JANUS_ADMIN_TOKEN")).build())
 *     .build();
 * }</pre>
 *
 * <p>By default the endpoint binds 127.0.0.1 on a free port and has no token, so {@code POST /drain}
 * and {@code POST /sessions/{playerId}/kick} answer 403 until one is configured. The endpoint speaks
 * plain HTTP: keep it on loopback or a private network.
 */
public final class AdminOptions {

    private static final AdminOptions DEFAULTS = new Builder().build();

    private final InetAddress bindAddress;
    private final int port;
    private final String bearerToken;

    private AdminOptions(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.bearerToken = b.bearerToken;
    }

    /** The defaults: 127.0.0.1, a free port, no token. */
    public static AdminOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The address the endpoint binds (default 127.0.0.1). */
    public InetAddress bindAddress() {
        return bindAddress;
    }

    /** The port; 0 picks a free one (default 0; see {@link io.janus.core.Gateway#adminAddress()}). */
    public int port() {
        return port;
    }

    /** The address and port to bind. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(bindAddress, port);
    }

    /** The bearer token of the mutating endpoints, if configured. */
    public Optional<String> bearerToken() {
        return Optional.ofNullable(bearerToken);
    }

    @Override
    public String toString() {
        // The token is a secret: never printed.
        return "AdminOptions{bind=" + bindAddress.getHostAddress() + ":" + port + ", bearerToken="
                + (bearerToken == null ? "none" : "set") + "}";
    }

    /** Builds {@link AdminOptions}. Not thread-safe. */
    public static final class Builder {
        private InetAddress bindAddress = loopback();
        private int port;
        private String bearerToken;

        private Builder() {
        }

        private Builder(AdminOptions o) {
            this.bindAddress = o.bindAddress;
            this.port = o.port;
            this.bearerToken = o.bearerToken;
        }

        private static InetAddress loopback() {
            try {
                return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // four bytes are always a valid IPv4 address
            }
        }

        /**
         * Sets the address to bind. Anything but loopback exposes the endpoint to a network: put it
         * behind a firewall and configure a token.
         *
         * @param address the local address, e.g. 127.0.0.1 (default) or 0.0.0.0
         * @return this builder
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = requireNonNull(address, "address");
            return this;
        }

        /**
         * Sets the address to bind, as a literal IP address or a host name resolved now.
         *
         * @param host the local address
         * @return this builder
         * @throws IllegalArgumentException when the host cannot be resolved
         */
        public Builder bindAddress(String host) {
            requireNonNull(host, "host");
            try {
                return bindAddress(InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bindAddress: " + host + " (expected: an IP address or a "
                        + "resolvable host name)", e);
            }
        }

        /**
         * Sets the port.
         *
         * @param port 0 to 65535; 0 picks a free one (default)
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
            }
            this.port = port;
            return this;
        }

        /**
         * Sets the bearer token that {@code POST /drain} and {@code POST /sessions/{playerId}/kick}
         * require in an {@code Authorization: Bearer <token>} header. Use a long random value and keep
         * it out of logs; Janus never logs it.
         *
         * @param token visible ASCII without spaces, 1 to 1024 characters
         * @return this builder
         */
        public Builder bearerToken(String token) {
            requireNonNull(token, "token");
            if (token.isEmpty() || token.length() > 1024) {
                throw new IllegalArgumentException("bearerToken: " + token.length()
                        + " characters (expected: 1 to 1024)");
            }
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                if (c <= 0x20 || c >= 0x7F) {
                    // The value itself is a secret: say where, not what.
                    throw new IllegalArgumentException("bearerToken: character " + i
                            + " is not visible ASCII (expected: characters 0x21 to 0x7E)");
                }
            }
            this.bearerToken = token;
            return this;
        }

        /**
         * Removes the bearer token: the mutating endpoints answer 403.
         *
         * @return this builder
         */
        public Builder noBearerToken() {
            this.bearerToken = null;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return immutable options
         */
        public AdminOptions build() {
            return new AdminOptions(this);
        }
    }
}
