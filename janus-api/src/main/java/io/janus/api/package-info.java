/**
 * Wire definitions shared by the gateway, the client SDKs and game services, generated from the
 * {@code .proto} files under {@code src/main/proto/janus/v1}: the client {@link io.janus.api.Packet}
 * envelope, the system module messages and the {@link io.janus.api.Reason} codes. No logic lives here.
 */
package io.janus.api;
