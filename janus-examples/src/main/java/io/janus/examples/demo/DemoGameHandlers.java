package io.janus.examples.demo;

import io.janus.core.game.GameHandlers;
import java.util.function.Supplier;

/**
 * The demo game's handlers as config.yaml names them: {@code game: {handlers:
 * io.janus.examples.demo.DemoGameHandlers}}. A game plugs into the launcher the same way: a public class
 * with a public no-argument constructor implementing {@code Supplier<GameHandlers>}, in a jar on the
 * launcher's class path.
 */
public final class DemoGameHandlers implements Supplier<GameHandlers> {

    /** Called by the configuration loader. */
    public DemoGameHandlers() {
    }

    /** A fresh demo game with the default limits. */
    @Override
    public GameHandlers get() {
        return new DemoGame().handlers();
    }
}
