package io.janus.transport.ws;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static files served from the class path under a prefix (for example {@code janus-demo/web}), for
 * plain GET and HEAD requests to paths other than the WebSocket path: a browser demo page next to its
 * gateway.
 *
 * <p>Only names with an extension in a fixed content-type map are served ({@code .html}, {@code .js},
 * {@code .mjs}, {@code .css}, {@code .json}, {@code .map}, {@code .txt}, {@code .svg}, {@code .png},
 * {@code .ico}, {@code .wasm}); a path ending in {@code /} means its {@code index.html}. A path with an
 * empty, {@code .} or {@code ..} segment, a segment starting with a dot, a backslash or a NUL is refused
 * before the class path is asked, so nothing outside the prefix is reachable. Files over
 * {@code maxBytes} are not served.
 *
 * <p>Class path reads may block (a jar on a slow disk), so they run on one daemon thread owned by this
 * object with a queue of {@value #MAX_QUEUED} lookups, never on an event loop; a full queue is an
 * overload answer. Found files and misses are cached, at most {@value #MAX_CACHED_ENTRIES} entries and
 * {@value #MAX_CACHED_BYTES} bytes in all, least recently used first out. Thread-safe.
 */
final class StaticResources implements AutoCloseable {

    /** Lookups waiting for the loader thread before new ones are refused. */
    static final int MAX_QUEUED = 64;
    /** Entries (found or missing) in the cache. */
    static final int MAX_CACHED_ENTRIES = 256;
    /** Bytes of file content in the cache. */
    static final long MAX_CACHED_BYTES = 16L * 1024 * 1024;

    private static final Logger logger = LoggerFactory.getLogger(StaticResources.class);

    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("wasm", "application/wasm"));

    /** A file to send. */
    record Resource(String contentType, byte[] body) {
    }

    private final String prefix;
    private final ClassLoader loader;
    private final int maxBytes;
    private final ThreadPoolExecutor executor;
    private final LinkedHashMap<String, Optional<Resource>> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cachedBytes;

    /**
     * Creates a file server; its thread starts with the first lookup.
     *
     * @param prefix the class path prefix, without leading or trailing slashes
     * @param loader where to look
     * @param maxBytes the largest file served
     */
    StaticResources(String prefix, ClassLoader loader, int maxBytes) {
        String p = requireNonNull(prefix, "prefix").trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        this.prefix = p;
        this.loader = requireNonNull(loader, "loader");
        this.maxBytes = maxBytes;
        this.executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
                r -> {
                    Thread t = new Thread(r, "janus-ws-static");
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Looks a request path up.
     *
     * @param path the request's decoded path, starting with {@code /}
     * @return a future with the file, or empty when there is none to serve; failed with
     *         {@link RejectedExecutionException} when too many lookups are waiting
     */
    CompletableFuture<Optional<Resource>> find(String path) {
        String name = resourceName(path);
        if (name == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        synchronized (cache) {
            Optional<Resource> cached = cache.get(name);
            if (cached != null) {
                return CompletableFuture.completedFuture(cached);
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> load(name), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Maps a request path to a class path resource name.
     *
     * @param path the decoded request path
     * @return the name, or {@code null} when the path may not be served
     */
    String resourceName(String path) {
        if (path == null || !path.startsWith("/") || path.length() > 1024 || path.indexOf('\\') >= 0
                || path.indexOf('\0') >= 0) {
            return null;
        }
        String relative = path.endsWith("/") ? path.substring(1) + "index.html" : path.substring(1);
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                return null;
            }
        }
        if (contentType(relative) == null) {
            return null;
        }
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    private static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        int slash = name.lastIndexOf('/');
        if (dot < 0 || dot < slash) {
            return null;
        }
        return CONTENT_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private Optional<Resource> load(String name) {
        Optional<Resource> found = Optional.empty();
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in != null) {
                byte[] body = in.readNBytes(maxBytes + 1);
                if (body.length > maxBytes) {
                    logger.warn("static resource {} is over {} bytes; not served", name, maxBytes);
                } else {
                    found = Optional.of(new Resource(contentType(name), body));
                }
            }
        } catch (IOException e) {
            logger.warn("static resource {} could not be read", name, e);
        }
        cache(name, found);
        return found;
    }

    private void cache(String name, Optional<Resource> entry) {
        long size = entry.map(r -> (long) r.body().length).orElse(0L);
        if (size > MAX_CACHED_BYTES) {
            return;
        }
        synchronized (cache) {
            Optional<Resource> old = cache.put(name, entry);
            if (old != null) {
                cachedBytes -= old.map(r -> (long) r.body().length).orElse(0L);
            }
            cachedBytes += size;
            var it = cache.entrySet().iterator();
            while ((cache.size() > MAX_CACHED_ENTRIES || cachedBytes > MAX_CACHED_BYTES) && it.hasNext()) {
                var eldest = it.next();
                cachedBytes -= eldest.getValue().map(r -> (long) r.body().length).orElse(0L);
                it.remove();
            }
        }
    }

    /** Stops the loader thread; lookups waiting are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
