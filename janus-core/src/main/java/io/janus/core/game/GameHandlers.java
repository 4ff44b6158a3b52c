package io.janus.core.game;

import static java.util.Objects.requireNonNull;

import io.janus.core.session.SessionInfo;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The handlers of one game service, by (module, seq). Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * GameHandlers game = GameHandlers.builder()
 *     .onNonBlocking(1, 1, req -> req.body())          // echo, cheap: on the event loop
 *     .on(2, 1, req -> profiles.load(req.playerId()))  // may block: on the executor
 *     .build();
 * }</pre>
 *
 * <p>The same table serves the in-process tunnel and a remote game service, so one game codebase runs
 * embedded or remote unchanged.
 */
public final class GameHandlers {

    /** How a handler runs. */
    public enum Mode {
        /** On the blocking executor, serialised per session. */
        BLOCKING,
        /** On the event loop, returning at once. */
        NON_BLOCKING,
        /** Started on the event loop, completed later. */
        ASYNC
    }

    /** A registered handler and how it runs. */
    public static final class Entry {
        private final Mode mode;
        private final GameHandler handler;
        private final AsyncGameHandler asyncHandler;

        private Entry(Mode mode, GameHandler handler, AsyncGameHandler asyncHandler) {
            this.mode = mode;
            this.handler = handler;
            this.asyncHandler = asyncHandler;
        }

        /** How the handler runs. */
        public Mode mode() {
            return mode;
        }

        /** The handler, for {@link Mode#BLOCKING} and {@link Mode#NON_BLOCKING}; {@code null} otherwise. */
        public GameHandler handler() {
            return handler;
        }

        /** The handler, for {@link Mode#ASYNC}; {@code null} otherwise. */
        public AsyncGameHandler asyncHandler() {
            return asyncHandler;
        }
    }

    /**
     * The entries by {@link #key}: a primitive-keyed map, so that a lookup on every request boxes no
     * {@code Long}; filled in the constructor and never changed after, so reads from any thread are safe.
     */
    private final LongObjectHashMap<Entry> entries;
    private final List<Consumer<SessionInfo>> sessionClosedListeners;

    private GameHandlers(Map<Long, Entry> entries, List<Consumer<SessionInfo>> sessionClosedListeners) {
        this.entries = new LongObjectHashMap<>(Math.max(8, entries.size() * 2));
        entries.forEach(this.entries::put);
        this.sessionClosedListeners = List.copyOf(sessionClosedListeners);
    }

    /**
     * Starts an empty table.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Looks up the handler of a command.
     *
     * @param module the module
     * @param seq the command within the module
     * @return the entry, or {@code null} when none is registered
     */
    public Entry find(int module, int seq) {
        return entries.get(key(module, seq));
    }

    /** The listeners told when a session that used this service closes. */
    public List<Consumer<SessionInfo>> sessionClosedListeners() {
        return sessionClosedListeners;
    }

    /** The number of registered commands. */
    public int size() {
        return entries.size();
    }

    private static long key(int module, int seq) {
        return ((long) module << 32) | (seq & 0xFFFFFFFFL);
    }

    /** Builds a {@link GameHandlers}. Not thread-safe. */
    public static final class Builder {
        private final Map<Long, Entry> entries = new HashMap<>();
        private final List<Consumer<SessionInfo>> sessionClosedListeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * Asks to be told when a session that sent this service a request closes, for cleanup such as
         * leaving chat rooms. The listener runs where blocking handlers run, after every request of the
         * session that the service accepted; it may block.
         *
         * @param listener receives the closed session
         * @return this builder
         */
        public Builder onSessionClosed(Consumer<SessionInfo> listener) {
            sessionClosedListeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Registers a handler that may block; it runs on the blocking executor.
         *
         * @param module the module, above 0
         * @param seq the command, at least 0
         * @param handler the handler
         * @return this builder
         */
        public Builder on(int module, int seq, GameHandler handler) {
            return put(module, seq, new Entry(Mode.BLOCKING, requireNonNull(handler, "handler"), null));
        }

        /**
         * Registers a handler that never blocks; it runs on the event loop.
         *
         * @param module the module, above 0
         * @param seq the command, at least 0
         * @param handler the handler
         * @return this builder
         */
        public Builder onNonBlocking(int module, int seq, GameHandler handler) {
            return put(module, seq, new Entry(Mode.NON_BLOCKING, requireNonNull(handler, "handler"), null));
        }

        /**
         * Registers an asynchronous handler; it starts on the event loop and completes later.
         *
         * @param module the module, above 0
         * @param seq the command, at least 0
         * @param handler the handler
         * @return this builder
         */
        public Builder onAsync(int module, int seq, AsyncGameHandler handler) {
            return put(module, seq, new Entry(Mode.ASYNC, null, requireNonNull(handler, "handler")));
        }

        private Builder put(int module, int seq, Entry entry) {
            if (module <= 0) {
                throw new IllegalArgumentException("module: " + module + " (expected: > 0; 0 is the system module)");
            }
            if (seq < 0) {
                throw new IllegalArgumentException("seq: " + seq + " (expected: >= 0)");
            }
            if (entries.putIfAbsent(key(module, seq), entry) != null) {
                throw new IllegalArgumentException("a handler for module " + module + " seq " + seq
                        + " is already registered");
            }
            return this;
        }

        /**
         * Builds the table.
         *
         * @return an immutable table
         */
        public GameHandlers build() {
            return new GameHandlers(entries, sessionClosedListeners);
        }
    }
}
