package io.janus.discovery.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.PutOption;
import io.janus.core.spi.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrations of one discovery and the one lease they share. Every method runs on the discovery's
 * serial thread, except {@link #register} and {@link #deregister}, which hand their work to it.
 *
 * <p>States: {@code IDLE} (no registration, no lease), {@code GRANTING} (asking for a lease),
 * {@code ACTIVE} (lease renewed every TTL/3), {@code UNREACHABLE} (renewals fail to reach etcd; the
 * lease may still be alive, so renewals go on, with backoff), {@code LOST} (etcd says the lease is gone:
 * a new one is granted and every key written again). Each transition is logged once; retries in a state
 * are logged at debug level only.
 */
final class LeaseKeeper {

    private static final Logger logger = LoggerFactory.getLogger(LeaseKeeper.class);

    private enum State { IDLE, GRANTING, ACTIVE, UNREACHABLE, LOST }

    /** One registered instance and who waits for it to be written. */
    private static final class Registration {
        final ServiceInstance instance;
        final ByteSequence key;
        final ByteSequence value;
        final List<CompletableFuture<Void>> waiting = new ArrayList<>();
        boolean written;

        Registration(ServiceInstance instance, String key) {
            this.instance = instance;
            this.key = EtcdDiscovery.bytes(key);
            this.value = ByteSequence.from(InstanceJson.encode(instance));
        }

        void complete() {
            written = true;
            waiting.forEach(f -> f.complete(null));
            waiting.clear();
        }
    }

    private final EtcdDiscovery owner;
    private final Backoff backoff;
    private final long keepAliveNanos;
    // Bounded by MAX_REGISTRATIONS.
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    // Keys whose delete failed while the lease lives on for others; bounded by MAX_REGISTRATIONS.
    private final Set<String> pendingDeletes = new LinkedHashSet<>();
    private State state = State.IDLE;
    private long leaseId;
    private long epoch;
    private ScheduledFuture<?> timer;
    private boolean repairScheduled;

    LeaseKeeper(EtcdDiscovery owner) {
        this.owner = owner;
        this.backoff = owner.newBackoff();
        this.keepAliveNanos = owner.ttl().toNanos() / 3;
    }

    CompletionStage<Void> register(ServiceInstance instance) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        owner.serial().execute(() -> doRegister(instance, result));
        long timeout = owner.requestTimeout().toMillis() * 2;
        // The registration stays and is retried after the timeout; only the caller stops waiting.
        return result.orTimeout(timeout, TimeUnit.MILLISECONDS).exceptionally(t -> {
            if (t instanceof TimeoutException) {
                throw new CompletionException(new IllegalStateException("etcd did not store " + instance + " within "
                        + timeout + " ms; it stays registered and is retried until deregistered", t));
            }
            throw t instanceof CompletionException ? (CompletionException) t : new CompletionException(t);
        });
    }

    private void doRegister(ServiceInstance instance, CompletableFuture<Void> result) {
        if (owner.isClosed()) {
            result.completeExceptionally(new IllegalStateException("etcd discovery is closed"));
            return;
        }
        String key = owner.keyOf(instance);
        Registration previous = registrations.get(key);
        if (previous == null && registrations.size() >= EtcdDiscovery.MAX_REGISTRATIONS) {
            result.completeExceptionally(new IllegalStateException("cannot register " + instance + ": "
                    + EtcdDiscovery.MAX_REGISTRATIONS + " instances are registered already"));
            return;
        }
        Registration registration = new Registration(instance, key);
        if (previous != null) {
            registration.waiting.addAll(previous.waiting);
        }
        registration.waiting.add(result);
        registrations.put(key, registration);
        pendingDeletes.remove(key);
        switch (state) {
            case IDLE:
                grant();
                break;
            case ACTIVE:
            case UNREACHABLE:
                put(registration);
                break;
            default:
                // GRANTING or LOST: written with all the others once the lease is granted.
        }
    }

    CompletionStage<Void> deregister(ServiceInstance instance) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        owner.serial().execute(() -> doDeregister(instance, result));
        return result;
    }

    private void doDeregister(ServiceInstance instance, CompletableFuture<Void> result) {
        String key = owner.keyOf(instance);
        Registration registration = registrations.remove(key);
        if (registration == null) {
            result.complete(null);
            return;
        }
        // Those who waited for it to be stored have nothing to wait for any more.
        registration.waiting.forEach(f -> f.complete(null));
        if (registrations.isEmpty()) {
            // Revoking the lease deletes the key with it.
            delete(key).whenComplete((v, t) -> result.complete(null));
            stopLease();
            return;
        }
        delete(key).whenComplete((v, t) -> {
            if (t != null) {
                result.completeExceptionally(t);
            } else {
                result.complete(null);
            }
        });
    }

    private CompletableFuture<Void> delete(String key) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        owner.call(c -> c.getKVClient().delete(EtcdDiscovery.bytes(key)))
                .whenCompleteAsync((response, failure) -> {
                    if (failure == null) {
                        pendingDeletes.remove(key);
                        done.complete(null);
                        return;
                    }
                    if (!registrations.containsKey(key) && state != State.IDLE && !owner.isClosed()) {
                        // The key still hangs on the live lease: retry until it is gone.
                        pendingDeletes.add(key);
                        scheduleRepair();
                    }
                    done.completeExceptionally(failure);
                }, owner.serial());
        return done;
    }

    private void grant() {
        long e = ++epoch;
        if (state != State.LOST) {
            state = State.GRANTING;
        }
        long seconds = owner.ttl().getSeconds();
        owner.call(c -> c.getLeaseClient().grant(seconds)).whenCompleteAsync((response, failure) -> {
            if (e != epoch || owner.isClosed()) {
                if (failure == null) {
                    owner.call(c -> c.getLeaseClient().revoke(response.getID()));
                }
                return;
            }
            if (failure != null) {
                logger.debug("Granting an etcd lease failed: {}", EtcdDiscovery.describe(failure));
                if (backoffLogOnce()) {
                    logger.warn("Cannot get an etcd lease ({}); {} instances wait to be registered, retrying",
                            EtcdDiscovery.describe(failure), registrations.size());
                }
                owner.schedule(this::grant, backoff.nextDelayNanos(), f -> timer = f);
                return;
            }
            if (registrations.isEmpty()) {
                owner.call(c -> c.getLeaseClient().revoke(response.getID()));
                state = State.IDLE;
                return;
            }
            boolean again = state == State.LOST || warnedGrant;
            leaseId = response.getID();
            state = State.ACTIVE;
            warnedGrant = false;
            backoff.reset();
            if (again) {
                logger.info("etcd lease {} granted; registering {} instances again", hex(leaseId), registrations.size());
            } else {
                logger.debug("etcd lease {} granted for {} s", hex(leaseId), response.getTTL());
            }
            registrations.values().forEach(this::put);
            scheduleKeepAlive(keepAliveNanos);
        }, owner.serial());
    }

    private boolean warnedGrant;

    private boolean backoffLogOnce() {
        if (warnedGrant) {
            return false;
        }
        warnedGrant = true;
        return true;
    }

    private void put(Registration registration) {
        long e = epoch;
        long lease = leaseId;
        registration.written = false;
        owner.call(c -> c.getKVClient().put(registration.key, registration.value,
                PutOption.builder().withLeaseId(lease).build())).whenCompleteAsync((response, failure) -> {
                    if (owner.isClosed()) {
                        return;
                    }
                    String key = registration.key.toString(StandardCharsets.UTF_8);
                    if (registrations.get(key) != registration) {
                        // Deregistered (or replaced) while the put was in flight: do not leave it behind.
                        if (failure == null && !registrations.containsKey(key)) {
                            delete(key);
                        }
                        return;
                    }
                    if (e != epoch) {
                        return;
                    }
                    if (failure == null) {
                        registration.complete();
                        return;
                    }
                    if (isLeaseGone(failure)) {
                        leaseLost("writing " + registration.instance + " was refused: " + EtcdDiscovery.describe(failure));
                    } else {
                        logger.debug("Writing {} failed: {}", registration.instance, EtcdDiscovery.describe(failure));
                        scheduleRepair();
                    }
                }, owner.serial());
    }

    /** Retries the unwritten keys and the failed deletes, once per backoff delay. */
    private void scheduleRepair() {
        if (repairScheduled) {
            return;
        }
        repairScheduled = true;
        owner.schedule(() -> {
            repairScheduled = false;
            if (state != State.ACTIVE && state != State.UNREACHABLE) {
                return;
            }
            registrations.values().stream().filter(r -> !r.written).forEach(this::put);
            List.copyOf(pendingDeletes).forEach(this::delete);
        }, backoff.nextDelayNanos(), f -> { });
    }

    private void scheduleKeepAlive(long delayNanos) {
        if (timer != null) {
            timer.cancel(false);
        }
        owner.schedule(this::keepAlive, delayNanos, f -> timer = f);
    }

    /** Renews the lease now instead of at the next tick (etcd just came back). */
    void checkNow() {
        if (state == State.ACTIVE || state == State.UNREACHABLE) {
            scheduleKeepAlive(0);
        }
    }

    private void keepAlive() {
        if (owner.isClosed() || (state != State.ACTIVE && state != State.UNREACHABLE)) {
            return;
        }
        long e = epoch;
        long lease = leaseId;
        owner.call(c -> c.getLeaseClient().keepAliveOnce(lease)).whenCompleteAsync((response, failure) -> {
            if (e != epoch || owner.isClosed()) {
                return;
            }
            if (failure == null && response.getTTL() > 0) {
                if (state == State.UNREACHABLE) {
                    logger.info("etcd lease {} renewed again; {} instances stay registered", hex(lease),
                            registrations.size());
                    if (registrations.values().stream().anyMatch(r -> !r.written)) {
                        scheduleRepair();
                    }
                }
                state = State.ACTIVE;
                backoff.reset();
                scheduleKeepAlive(keepAliveNanos);
                return;
            }
            if (failure == null || isLeaseGone(failure)) {
                leaseLost("etcd no longer knows it (expired, revoked, or etcd lost its data)");
                return;
            }
            if (state == State.ACTIVE) {
                state = State.UNREACHABLE;
                logger.warn("Cannot renew etcd lease {} ({}); it expires {} s after the last renewal unless etcd "
                        + "comes back; retrying", hex(lease), EtcdDiscovery.describe(failure), owner.ttl().getSeconds());
            }
            scheduleKeepAlive(Math.min(backoff.nextDelayNanos(), keepAliveNanos));
        }, owner.serial());
    }

    private void leaseLost(String why) {
        logger.warn("etcd lease {} lost: {}; registering {} instances again under a new lease", hex(leaseId), why,
                registrations.size());
        state = State.LOST;
        leaseId = 0;
        pendingDeletes.clear();
        registrations.values().forEach(r -> r.written = false);
        if (timer != null) {
            timer.cancel(false);
        }
        grant();
    }

    private void stopLease() {
        epoch++;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (leaseId != 0) {
            long revoked = leaseId;
            owner.call(c -> c.getLeaseClient().revoke(revoked));
        }
        leaseId = 0;
        state = State.IDLE;
        pendingDeletes.clear();
    }

    /** Deletes every key and revokes the lease; the stage completes when etcd answered or gave up. */
    CompletableFuture<Void> close() {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (String key : registrations.keySet()) {
            calls.add(owner.call(c -> c.getKVClient().delete(EtcdDiscovery.bytes(key))));
        }
        registrations.values().forEach(r -> r.waiting.forEach(f -> f.completeExceptionally(
                new IllegalStateException("etcd discovery closed before " + r.instance + " was stored"))));
        registrations.clear();
        epoch++;
        if (timer != null) {
            timer.cancel(false);
        }
        if (leaseId != 0) {
            long revoked = leaseId;
            calls.add(owner.call(c -> c.getLeaseClient().revoke(revoked)));
        }
        leaseId = 0;
        state = State.IDLE;
        return CompletableFuture.allOf(calls.stream().map(c -> c.handle((v, t) -> null))
                .toArray(CompletableFuture<?>[]::new));
    }

    private static boolean isLeaseGone(Throwable failure) {
        Throwable t = failure;
        while (t != null) {
            if (t instanceof EtcdException && ((EtcdException) t).getErrorCode() == ErrorCode.NOT_FOUND) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains("lease not found")) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    private static String hex(long id) {
        return Long.toHexString(id);
    }
}
