package io.janus.core.session;

/** What the gateway does when a player logs in while a session of theirs is open. */
public enum DuplicateLoginPolicy {
    /**
     * The new login wins: the older session receives a kick with reason
     * {@link io.janus.api.Reason#DUPLICATE_LOGIN} and is closed. The default: a player who reconnects from
     * a new network must not wait for the old connection to time out.
     */
    KICK_OLD,
    /** The older session stays; the new login is refused with {@link io.janus.api.Reason#DUPLICATE_LOGIN}. */
    REJECT_NEW
}
