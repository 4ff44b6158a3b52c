/**
 * Sessions: every client connection is a {@link io.janus.core.session.Session}, indexed by id and by
 * player in the gateway's {@link io.janus.core.session.SessionRegistry}.
 */
package io.janus.core.session;
