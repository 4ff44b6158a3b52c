package io.janus.discovery.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.janus.core.spi.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local snapshot of one service's instances, kept current by a range read of
 * {@code <prefix><service>/} and a watch from the read's revision + 1. All mutable state belongs to the
 * discovery's serial thread, except the published snapshot (volatile, immutable) and the inbox of watch
 * events that jetcd's threads fill (bounded by {@value #MAX_PENDING_EVENTS}; on overflow the service is
 * read again rather than events being lost silently).
 */
final class ServiceWatch {

    private static final Logger logger = LoggerFactory.getLogger(ServiceWatch.class);

    /** The most watch events waiting for the serial thread. */
    static final int MAX_PENDING_EVENTS = 4096;

    private final EtcdDiscovery owner;
    private final String service;
    private final String keyPrefix;
    private final Backoff backoff;
    private final AtomicInteger listenerCount = new AtomicInteger();
    private volatile List<ServiceInstance> snapshot = List.of();
    private volatile boolean stale = true;

    // Owned by the serial thread.
    private final Map<String, ServiceInstance> entries = new TreeMap<>();
    private final List<Consumer<List<ServiceInstance>>> listeners = new ArrayList<>();
    private Watch.Watcher watcher;
    private long generation;
    private ScheduledFuture<?> retry;
    private boolean failureLogged;
    private boolean closed;

    // Guarded by inbox.
    private final ArrayDeque<Object[]> inbox = new ArrayDeque<>();
    private boolean overflow;
    private boolean drainScheduled;

    ServiceWatch(EtcdDiscovery owner, String service) {
        this.owner = owner;
        this.service = service;
        this.keyPrefix = owner.prefixOf(service);
        this.backoff = owner.newBackoff();
    }

    List<ServiceInstance> snapshot() {
        return snapshot;
    }

    boolean isStale() {
        return stale;
    }

    /** Serial thread: the first read and watch. */
    void start() {
        restart(null);
    }

    /** Serial thread: reads the service again and watches from there; {@code why} is logged when given. */
    void restart(String why) {
        if (closed) {
            return;
        }
        long gen = ++generation;
        closeWatcher();
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        if (why != null) {
            logger.debug("Reading service '{}' again: {}", service, why);
        }
        ByteSequence key = EtcdDiscovery.bytes(keyPrefix);
        GetOption option = GetOption.builder().isPrefix(true).withLimit(owner.maxInstancesPerService() + 1L).build();
        owner.call(c -> c.getKVClient().get(key, option))
                .whenCompleteAsync((response, failure) -> onRead(gen, response, failure), owner.serial());
    }

    private void onRead(long gen, GetResponse response, Throwable failure) {
        if (gen != generation || closed) {
            return;
        }
        if (failure != null) {
            onFailure(gen, "reading", failure);
            return;
        }
        entries.clear();
        for (KeyValue kv : response.getKvs()) {
            apply(kv.getKey(), kv.getValue());
        }
        if (response.isMore()) {
            owner.countDropped(service, keyPrefix + "...");
        }
        long revision = response.getHeader().getRevision();
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
        try {
            watcher = owner.client().getWatchClient().watch(EtcdDiscovery.bytes(keyPrefix), option,
                    Watch.listener(r -> enqueue(gen, r.getEvents()),
                            t -> owner.serial().execute(() -> onFailure(gen, "watching", t)),
                            () -> owner.serial().execute(() -> onFailure(gen, "watching",
                                    new IllegalStateException("watch closed by etcd")))));
        } catch (RuntimeException e) {
            // A client replaced or closed under us: try again, with backoff, on the current client.
            onFailure(gen, "watching", e);
            return;
        }
        backoff.reset();
        if (failureLogged) {
            logger.info("Service '{}' read again from etcd at revision {}: {} instances", service, revision,
                    entries.size());
            failureLogged = false;
        }
        stale = false;
        publish();
    }

    /** Any thread (jetcd's): queues events for the serial thread. */
    private void enqueue(long gen, List<WatchEvent> events) {
        boolean schedule;
        synchronized (inbox) {
            if (inbox.size() + events.size() > MAX_PENDING_EVENTS) {
                inbox.clear();
                overflow = true;
            } else {
                for (WatchEvent event : events) {
                    inbox.add(new Object[] {gen, event});
                }
            }
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        if (schedule) {
            owner.serial().execute(this::drain);
        }
    }

    private void drain() {
        List<Object[]> batch;
        boolean overflowed;
        synchronized (inbox) {
            batch = new ArrayList<>(inbox);
            inbox.clear();
            overflowed = overflow;
            overflow = false;
            drainScheduled = false;
        }
        if (closed) {
            return;
        }
        if (overflowed) {
            logger.warn("Service '{}': more than {} watch events waiting; reading the service again", service,
                    MAX_PENDING_EVENTS);
            restart("event backlog overflow");
            return;
        }
        boolean changed = false;
        for (Object[] item : batch) {
            if ((Long) item[0] != generation) {
                continue;
            }
            WatchEvent event = (WatchEvent) item[1];
            KeyValue kv = event.getKeyValue();
            if (event.getEventType() == WatchEvent.EventType.PUT) {
                changed |= apply(kv.getKey(), kv.getValue());
            } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
                changed |= entries.remove(kv.getKey().toString(StandardCharsets.UTF_8)) != null;
            }
        }
        if (changed) {
            publish();
        }
    }

    /** Serial thread: puts one key's value into the entries; returns whether they changed. */
    private boolean apply(ByteSequence keyBytes, ByteSequence value) {
        String key = keyBytes.toString(StandardCharsets.UTF_8);
        ServiceInstance instance;
        try {
            instance = InstanceJson.decode(value.getBytes());
            if (!instance.service().equals(service)) {
                throw new IllegalArgumentException("value names service '" + instance.service() + "' (expected: '"
                        + service + "')");
            }
        } catch (IllegalArgumentException e) {
            owner.countMalformed(key, e.getMessage());
            // The key no longer holds the instance it held before, if any.
            return entries.remove(key) != null;
        }
        if (!entries.containsKey(key) && entries.size() >= owner.maxInstancesPerService()) {
            owner.countDropped(service, key);
            return false;
        }
        return !instance.equals(entries.put(key, instance));
    }

    private void publish() {
        List<ServiceInstance> current = List.copyOf(entries.values());
        snapshot = current;
        for (Consumer<List<ServiceInstance>> listener : List.copyOf(listeners)) {
            notify(listener, current);
        }
    }

    private void notify(Consumer<List<ServiceInstance>> listener, List<ServiceInstance> current) {
        try {
            listener.accept(current);
        } catch (RuntimeException e) {
            logger.warn("A discovery listener of service '{}' failed", service, e);
        }
    }

    private void onFailure(long gen, String what, Throwable failure) {
        if (gen != generation || closed || (retry != null && !retry.isDone())) {
            return;
        }
        closeWatcher();
        stale = true;
        if (!failureLogged) {
            failureLogged = true;
            logger.warn("etcd: {} service '{}' failed ({}); keeping its last snapshot of {} instances and retrying",
                    what, service, EtcdDiscovery.describe(failure), entries.size());
        }
        owner.schedule(() -> restart("retry"), backoff.nextDelayNanos(), f -> retry = f);
    }

    /** Serial thread: etcd does not answer; the snapshot stays but is marked stale. */
    void markStale() {
        stale = true;
    }

    /** Any thread: adds a listener, called with the snapshot first, on the serial thread. */
    AutoCloseable addListener(Consumer<List<ServiceInstance>> listener) {
        if (listenerCount.incrementAndGet() > EtcdDiscovery.MAX_LISTENERS_PER_SERVICE) {
            listenerCount.decrementAndGet();
            throw new IllegalStateException("service '" + service + "' has " + EtcdDiscovery.MAX_LISTENERS_PER_SERVICE
                    + " listeners already");
        }
        owner.serial().execute(() -> {
            if (!closed) {
                listeners.add(listener);
                notify(listener, snapshot);
            }
        });
        return () -> owner.serial().execute(() -> {
            if (listeners.remove(listener)) {
                listenerCount.decrementAndGet();
            }
        });
    }

    private void closeWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException e) {
                logger.debug("Closing the watch of '{}' failed", service, e);
            }
            watcher = null;
        }
    }

    /** Serial thread: stops watching. */
    void close() {
        closed = true;
        closeWatcher();
        if (retry != null) {
            retry.cancel(false);
        }
        listeners.clear();
    }
}
