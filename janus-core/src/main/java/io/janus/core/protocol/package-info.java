/**
 * The session protocol above the frames, shared by the gateway and janus-client: the packet codec and
 * the system module messages. docs/protocol.md is the normative description.
 */
package io.janus.core.protocol;
