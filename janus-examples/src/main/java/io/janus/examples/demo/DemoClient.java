package io.janus.examples.demo;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import io.janus.client.ClientSession;
import io.janus.client.CloseReason;
import io.janus.client.JanusClient;
import io.janus.core.JanusException;
import io.janus.core.RequestException;
import io.janus.core.auth.TokenIssuer;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The scripted demo: two players, alice and bob, log in to a gateway running {@link DemoGame}, use each
 * module and log out, printing each step. Every wait is bounded by {@link #STEP_TIMEOUT}, so a broken
 * gateway makes the script fail with the name of the step, never hang.
 *
 * <p>Not thread-safe: run one script at a time per instance.
 */
public final class DemoClient {

    /** The longest any step may take. */
    public static final Duration STEP_TIMEOUT = Duration.ofSeconds(5);
    /** The chat room the players meet in. */
    public static final long ROOM = 7;

    private final InetSocketAddress gateway;
    private final byte[] rootPublicKey;
    private final TokenIssuer logins;
    private final PrintStream out;
    private int steps;

    /** A step of the script failed; the message names the step and why. */
    public static final class DemoFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DemoFailedException(String step, String why, Throwable cause) {
            super("step '" + step + "' failed: " + why, cause);
        }
    }

    /** A logged-in player and the chat pushes it received, bounded (the script expects a few). */
    private static final class Player {
        final String name;
        final ClientSession session;
        final String token;
        final BlockingQueue<String> chat = new ArrayBlockingQueue<>(16);

        Player(String name, ClientSession session, String token) {
            this.name = name;
            this.session = session;
            this.token = token;
            session.onPush(push -> {
                if (push.getModule() == DemoGame.CHAT_MODULE && push.getSeq() == DemoGame.CHAT_MESSAGE) {
                    chat.offer(push.getBody().toStringUtf8()); // a full queue drops: the script reads one
                }
            });
        }
    }

    /**
     * Creates a script run.
     *
     * @param gateway the address of a gateway's {@code tcp} transport, running {@link DemoGame}
     * @param rootPublicKey the root key the client pins
     * @param logins the login service's token issuer
     * @param out where the steps are printed
     */
    public DemoClient(InetSocketAddress gateway, byte[] rootPublicKey, TokenIssuer logins, PrintStream out) {
        this.gateway = requireNonNull(gateway, "gateway");
        this.rootPublicKey = requireNonNull(rootPublicKey, "rootPublicKey").clone();
        this.logins = requireNonNull(logins, "logins");
        this.out = requireNonNull(out, "out");
    }

    /**
     * Runs the script.
     *
     * @throws DemoFailedException when a step fails or takes longer than {@link #STEP_TIMEOUT}
     */
    public void run() {
        long started = System.nanoTime();
        steps = 0;
        try (JanusClient client = JanusClient.builder().pinnedRootKey(rootPublicKey).requestTimeout(STEP_TIMEOUT)
                .build()) {
            Player alice = login(client, "alice", 1);
            Player bob = login(client, "bob", 2);
            try {
                play(client, alice, bob);
            } finally {
                alice.session.close(); // no effect after a logout; ends the session when a step failed
                bob.session.close();
            }
        }
        out.printf("demo completed: %d steps in %d ms%n", steps,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void play(JanusClient client, Player alice, Player bob) {
        JanusException refused = expectFailure("mallory logs in with a bad token",
                JanusException.class, client.connect(gateway, "let-me-in"));
        print("mallory", "login refused: " + refused.reason() + " (" + refused.getMessage() + ")");
        refused = expectFailure("eve logs in with alice's token again", JanusException.class,
                client.connect(gateway, alice.token));
        print("eve", "login with a used token refused: " + refused.reason() + " (" + refused.getMessage() + ")");

        print(alice, "echo -> " + call(alice, "echo", DemoGame.ECHO_MODULE, DemoGame.ECHO, 0, "hello"));

        print(alice, "nickname -> " + call(alice, "set nickname", DemoGame.PROFILE_MODULE,
                DemoGame.SET_NICKNAME, 0, "Alice"));
        print(bob, "nickname -> " + call(bob, "set nickname", DemoGame.PROFILE_MODULE,
                DemoGame.SET_NICKNAME, 0, "Bob"));
        print(bob, "profile -> " + call(bob, "get profile", DemoGame.PROFILE_MODULE, DemoGame.GET_PROFILE, 0, ""));
        String tooLong = "Alice the Magnificent";
        RequestException error = expectFailure("alice sets a nickname too long", RequestException.class,
                alice.session.request(DemoGame.PROFILE_MODULE, DemoGame.SET_NICKNAME, utf8(tooLong)));
        print(alice, "nickname '" + tooLong + "' refused: status " + error.status() + " (" + error.getMessage()
                + ")");

        print(alice, call(alice, "join room", DemoGame.CHAT_MODULE, DemoGame.JOIN, ROOM, ""));
        print(bob, call(bob, "join room", DemoGame.CHAT_MODULE, DemoGame.JOIN, ROOM, ""));
        String delivered = call(bob, "say", DemoGame.CHAT_MODULE, DemoGame.SAY, ROOM, "hi");
        print(bob, "said hi (" + delivered + ")");
        print(alice, "got push: " + nextChat(alice));
        print(alice, call(alice, "leave room", DemoGame.CHAT_MODULE, DemoGame.LEAVE, ROOM, ""));
        error = expectFailure("alice says after leaving", RequestException.class,
                alice.session.request(DemoGame.CHAT_MODULE, DemoGame.SAY, ROOM, utf8("anyone?")));
        print(alice, "say refused: status " + error.status() + " (" + error.getMessage() + ")");

        logout(alice);
        logout(bob);
    }

    private Player login(JanusClient client, String name, long playerId) {
        // The game's login service issues a sealed token; it travels only inside the encrypted session.
        String token = logins.issue(playerId, Duration.ofMinutes(5));
        ClientSession session = await(name + " logs in", client.connect(gateway, token));
        Player player = new Player(name, session, token);
        print(player, "connected: session=" + session.sessionId() + ", player=" + session.playerId());
        return player;
    }

    private String call(Player player, String step, int module, int seq, long obj, String body) {
        return await(player.name + ": " + step, player.session.request(module, seq, obj, utf8(body)))
                .toStringUtf8();
    }

    private String nextChat(Player player) {
        String step = player.name + " receives the chat push";
        try {
            String message = player.chat.poll(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new DemoFailedException(step, "no push within " + STEP_TIMEOUT.toMillis() + " ms", null);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoFailedException(step, "interrupted", e);
        }
    }

    private void logout(Player player) {
        CloseReason reason = await(player.name + " logs out", player.session.logout());
        print(player, "logged out: " + reason.reason());
    }

    private <T> T await(String step, CompletableFuture<T> future) {
        try {
            return future.orTimeout(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DemoFailedException(step, String.valueOf(cause), cause);
        }
    }

    /** Waits for a step that must fail with a {@code type} error, and returns the error. */
    private <T extends JanusException> T expectFailure(String step, Class<T> type, CompletableFuture<?> future) {
        Object result;
        try {
            result = future.orTimeout(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (CompletionException e) {
            JanusException known = JanusException.find(e);
            if (!type.isInstance(known)) {
                throw new DemoFailedException(step, "expected a " + type.getSimpleName() + ", got " + e.getCause(),
                        e.getCause());
            }
            return type.cast(known);
        }
        if (result instanceof ClientSession) {
            ((ClientSession) result).close();
        }
        throw new DemoFailedException(step, "expected a " + type.getSimpleName() + ", got " + result, null);
    }

    private void print(Player player, String line) {
        print(player.name, line);
    }

    private void print(String who, String line) {
        steps++;
        out.println("[" + who + "] " + line);
    }

    private static ByteString utf8(String text) {
        return ByteString.copyFromUtf8(text);
    }
}
