package io.janus.examples.plugins;

import com.google.protobuf.ByteString;
import io.janus.core.game.GameHandlers;
import java.util.function.Supplier;

/** Embedded game services for the zone tests, named by class in config.yaml's {@code game.services}. */
public final class ZoneGames {

    /** The module and seq of the "where am I" request. */
    public static final int MODULE = 1;
    /** The seq of the request. */
    public static final int WHERE = 1;

    private ZoneGames() {
    }

    private static GameHandlers answering(String name) {
        return GameHandlers.builder()
                .onNonBlocking(MODULE, WHERE, request -> ByteString.copyFromUtf8(name + " serves player "
                        + request.session().playerId()))
                .build();
    }

    /** The zone-1 server. */
    public static final class ZoneOne implements Supplier<GameHandlers> {
        /** Called by the configuration loader. */
        public ZoneOne() {
        }

        @Override
        public GameHandlers get() {
            return answering("zone-1");
        }
    }

    /** The zone-2 server. */
    public static final class ZoneTwo implements Supplier<GameHandlers> {
        /** Called by the configuration loader. */
        public ZoneTwo() {
        }

        @Override
        public GameHandlers get() {
            return answering("zone-2");
        }
    }

    /** The default "game" service: must never be reached by the zone router. */
    public static final class Lobby implements Supplier<GameHandlers> {
        /** Called by the configuration loader. */
        public Lobby() {
        }

        @Override
        public GameHandlers get() {
            return answering("lobby");
        }
    }
}
