/**
 * Routing of packets to game-service instances: the module table ({@link io.janus.core.routing.ModuleRoutes})
 * and the default in-memory router with consistent hashing ({@link io.janus.core.routing.InMemoryRouter}).
 */
package io.janus.core.routing;
