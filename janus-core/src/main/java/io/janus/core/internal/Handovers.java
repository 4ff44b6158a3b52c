package io.janus.core.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.Packet;
import io.janus.api.Reason;
import io.janus.api.SessionState;
import io.janus.api.TunnelTarget;
import io.janus.core.JanusException;
import io.janus.core.crypto.HandoverSeal;
import io.janus.core.crypto.ResumeTicket;
import io.janus.core.session.SessionInfo;
import io.janus.core.spi.Identity;
import io.janus.core.spi.ServiceInstance;
import io.janus.core.spi.SessionHandovers;
import io.janus.core.spi.SessionTakeover;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.LoggerFactory;

/**
 * Resume on another gateway (docs/protocol.md, section 14.6), both sides: as the holder, what the session
 * directory calls ({@link SessionHandovers}) when another gateway takes one of this gateway's sessions
 * over; as the taker, {@link #takeOver}, which a RESUME of a session held elsewhere starts.
 *
 * <p>The session's state travels sealed under the fleet's resume ticket key ({@link HandoverSeal}); the
 * directory entry of the session is the commit point: whichever gateway it names holds the session.
 */
final class Handovers implements SessionHandovers {

    private static final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(Handovers.class), 10);

    private final GatewayRuntime runtime;

    Handovers(GatewayRuntime runtime) {
        this.runtime = runtime;
    }

    // ---- holder side ---------------------------------------------------------------------------------

    @Override
    public CompletionStage<byte[]> export(long sessionId, long playerId, String toGateway) {
        DefaultSession session = runtime.resumableSession(sessionId);
        if (session == null || session.identity() == null || session.identity().playerId() != playerId) {
            return CompletableFuture.failedFuture(new JanusException(Reason.RESUME_SESSION_GONE,
                    "no resumable session " + sessionId + " of player " + playerId + " on gateway "
                            + runtime.gatewayId()));
        }
        return session.freeze().thenApply(state -> {
            for (ServiceInstance instance : runtime.tunnel().openStreams(session.info())) {
                state.addStreams(TunnelTarget.newBuilder().setService(instance.service())
                        .setInstanceId(instance.id()).setAddress(instance.address()));
            }
            runtime.logHandingOver(session, toGateway, state.getPacketsCount());
            return HandoverSeal.seal(runtime.resumeTicketKey(), state.build().toByteArray());
        });
    }

    @Override
    public List<byte[]> committed(long sessionId, String toGateway) {
        DefaultSession session = runtime.registry().get(sessionId);
        return session == null ? List.of() : session.handoverCommitted(toGateway);
    }

    @Override
    public void aborted(long sessionId) {
        DefaultSession session = runtime.registry().get(sessionId);
        if (session != null) {
            session.handoverAborted();
        }
    }

    @Override
    public void deliver(long sessionId, List<byte[]> packets) {
        DefaultSession session = runtime.registry().find(sessionId);
        if (session == null) {
            log.info("{} forwarded packets for session {} dropped: the session is not on this gateway",
                    packets.size(), sessionId);
            return;
        }
        for (byte[] bytes : packets) {
            try {
                session.write(Packet.parseFrom(bytes));
            } catch (InvalidProtocolBufferException e) {
                log.warn("Dropped a malformed forwarded packet for session {}: {}", sessionId, e.getMessage());
            }
        }
    }

    // ---- taker side ----------------------------------------------------------------------------------

    /**
     * Takes over the session a resume ticket names from the gateway that holds it: asks for its state
     * through the directory, checks it against the ticket, adopts it detached, and moves its directory
     * entry here. Called after the ticket and the proof were checked.
     *
     * @param ticket the opened resume ticket
     * @param ch the resuming connection
     * @param transport its transport
     * @return the adopted session, detached, in the registry, its directory entry this gateway's; or failed
     *     with a {@link JanusException} whose reason refuses the resume
     */
    CompletionStage<DefaultSession> takeOver(ResumeTicket ticket, Channel ch, String transport) {
        CompletionStage<SessionTakeover> asked;
        try {
            asked = runtime.directory().takeOver(ticket.sessionId(), ticket.playerId());
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        return asked.thenCompose(takeover -> {
            DefaultSession session;
            SessionInfo info;
            List<ServiceInstance> streams = new ArrayList<>();
            try {
                SessionState state = SessionState.parseFrom(
                        HandoverSeal.open(runtime.resumeTicketKey(), takeover.sealedState()));
                if (state.getSessionId() != ticket.sessionId() || state.getPlayerId() != ticket.playerId()) {
                    throw new JanusException(Reason.RESUME_SESSION_GONE, "gateway " + takeover.holder()
                            + " handed over session " + state.getSessionId() + " for ticket of session "
                            + ticket.sessionId());
                }
                if (!ticket.carries(state.getResumeSecret().toByteArray())
                        && !ticket.carries(state.getPreviousResumeSecret().toByteArray())) {
                    throw new JanusException(Reason.RESUME_TICKET_INVALID,
                            "the ticket was superseded by a newer ticket of the session");
                }
                DefaultSession earlier = runtime.registry().find(state.getSessionId());
                if (earlier != null && !earlier.letGoIfMoved()) {
                    throw new JanusException(Reason.RESUME_SESSION_GONE, "session " + state.getSessionId()
                            + " is already on this gateway");
                }
                for (TunnelTarget target : state.getStreamsList()) {
                    streams.add(ServiceInstance.of(target.getService(), target.getInstanceId(), target.getAddress(),
                            Map.of()));
                }
                info = new SessionInfo(state.getSessionId(), runtime.gatewayId(), transport,
                        String.valueOf(ch.remoteAddress()),
                        Identity.of(state.getPlayerId(), state.getZone(), state.getColor()));
                session = DefaultSession.adopt(state, info, ch, runtime);
            } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                takeover.abort();
                throw new JanusException(Reason.RESUME_SESSION_GONE, "gateway " + takeover.holder()
                        + " handed over a state this gateway cannot take (" + e.getMessage() + ")");
            } catch (RuntimeException e) {
                takeover.abort();
                throw e;
            }
            DefaultSession adopted = session;
            // Found by id and player from now on (a push that follows the directory entry waits in its
            // replay buffer), but not broadcast to until the entry is this gateway's.
            runtime.registry().addInTransit(adopted);
            return takeover.commit(info).handle((committed, failure) -> {
                if (failure != null || !Boolean.TRUE.equals(committed)) {
                    adopted.discard();
                    throw new JanusException(failure != null ? Reason.DIRECTORY_UNAVAILABLE : Reason.RESUME_SESSION_GONE,
                            failure != null ? "the session directory could not move session " + adopted.id()
                                    : "session " + adopted.id() + " changed hands during the handover");
                }
                adopted.directoryEntry(info);
                DefaultSession displaced = runtime.registry().promote(adopted);
                if (displaced != null) {
                    displaced.close(Reason.DUPLICATE_LOGIN, "the player's session " + adopted.id()
                            + " was resumed on this gateway");
                }
                runtime.tunnel().sessionAdopted(info, streams);
                runtime.logTakenOver(adopted, takeover.holder());
                return adopted;
            });
        });
    }
}
