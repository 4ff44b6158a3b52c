package io.janus.core;

/**
 * Observes a gateway's lifecycle. Every method has an empty default; override those of interest. Called
 * on the thread that drives the lifecycle change; must not block for long.
 */
public interface GatewayListener {

    /**
     * The gateway is about to bind its transports.
     *
     * @param gateway the gateway
     */
    default void starting(Gateway gateway) {
    }

    /**
     * Every transport is bound and accepting clients.
     *
     * @param gateway the gateway
     */
    default void started(Gateway gateway) {
    }

    /**
     * The gateway stopped accepting clients and is closing its sessions.
     *
     * @param gateway the gateway
     */
    default void stopping(Gateway gateway) {
    }

    /**
     * Every session is closed and every resource the gateway created is released.
     *
     * @param gateway the gateway
     */
    default void stopped(Gateway gateway) {
    }
}
