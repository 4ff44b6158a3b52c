/**
 * The embedded demo: {@link io.janus.examples.demo.DemoGame} (echo, player profile and chat room
 * modules) served by a gateway in the same JVM, {@link io.janus.examples.demo.DemoSecrets} (the demo
 * studio's root key, gateway identity and token key, fresh for each run), the scripted {@link io.janus.examples.demo.DemoClient}, and
 * {@link io.janus.examples.demo.DemoMain}, the main class of {@code janus-demo.jar}.
 *
 * <p>Read {@code DemoMain.run} for the shortest embedding of a gateway and {@code DemoGame} for the
 * three ways to write a game handler (non-blocking, blocking, asynchronous).
 */
package io.janus.examples.demo;
