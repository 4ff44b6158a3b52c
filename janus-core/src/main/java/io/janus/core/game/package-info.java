/**
 * The game handler API: game code registers {@link io.janus.core.game.GameHandlers} by (module, seq),
 * answers each {@link io.janus.core.game.GameRequest} exactly once, and pushes with a
 * {@link io.janus.core.game.Pusher}. The same API serves games embedded in the gateway and remote game
 * services.
 */
package io.janus.core.game;
