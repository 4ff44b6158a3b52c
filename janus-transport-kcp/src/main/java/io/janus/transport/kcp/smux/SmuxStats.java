package io.janus.transport.kcp.smux;

import io.janus.api.Reason;

/**
 * A snapshot of one {@link SmuxSession}'s counters. Every refusal the session makes shows up here:
 * frames dropped for closed streams, streams refused at the stream limit, writes refused while a
 * stream was unwritable, and the reason the session failed.
 *
 * @param framesReceived frames decoded from the peer
 * @param framesSent frames handed to the output
 * @param streamsOpened streams this side opened
 * @param streamsAccepted streams the peer opened and the session accepted
 * @param streamsRefused streams the peer opened beyond {@link SmuxConfig#maxStreams()}, answered with a FIN
 * @param framesForClosedStreams PSH, FIN or UPD frames for a stream that was open once and is closed
 *     now, dropped (as xtaci/smux drops them)
 * @param bytesForClosedStreams payload bytes of the PSH frames among those
 * @param writesRefused writes refused because the stream was unknown, closing, closed or unwritable
 * @param writeStalls writes that had to wait, in part, for the peer's version 2 window
 * @param keepalivesSent NOP frames sent
 * @param openStreams streams in the session now
 * @param unconsumedBytes bytes delivered to the listener and not yet consumed, over all streams
 * @param inputPaused whether the session asks its transport to stop feeding input
 * @param failure why the session failed, or {@code null} while it has not
 */
public record SmuxStats(
        long framesReceived,
        long framesSent,
        long streamsOpened,
        long streamsAccepted,
        long streamsRefused,
        long framesForClosedStreams,
        long bytesForClosedStreams,
        long writesRefused,
        long writeStalls,
        long keepalivesSent,
        int openStreams,
        long unconsumedBytes,
        boolean inputPaused,
        Reason failure) {}
