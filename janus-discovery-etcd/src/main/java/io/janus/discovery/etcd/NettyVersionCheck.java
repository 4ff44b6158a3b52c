package io.janus.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks at start time that every Netty artifact on the class path has the same version. jetcd brings
 * gRPC and Vert.x, each of which asks for its own Netty; a mix of 4.1 and 4.2 jars (or two 4.2 releases)
 * links but fails later with {@code NoSuchMethodError} deep inside a channel. Failing fast with the names
 * of the disagreeing jars turns that into a build fix (import {@code io.netty:netty-bom} first).
 *
 * <p>Each Netty jar carries {@code META-INF/io.netty.versions.properties} listing
 * {@code <artifactId>.version}; {@link Version#identify()} merges them. This check reads every copy of
 * that file separately, so that it can name the jar each version came from, and adds what
 * {@code Version.identify()} reports.
 */
public final class NettyVersionCheck {

    private static final String RESOURCE = "META-INF/io.netty.versions.properties";
    private static final String VERSION_SUFFIX = ".version";

    private NettyVersionCheck() {
    }

    /**
     * Checks the Netty jars visible to the class loader that loaded Netty.
     *
     * @throws IllegalStateException naming the artifacts, versions and jars when they disagree
     */
    public static void verify() {
        ClassLoader loader = Version.class.getClassLoader();
        List<String> found = scan(loader != null ? loader : ClassLoader.getSystemClassLoader());
        for (Map.Entry<String, Version> e : Version.identify(loader).entrySet()) {
            found.add(e.getKey() + "=" + e.getValue().artifactVersion() + "@Version.identify()");
        }
        requireOneVersion(found);
    }

    /**
     * Checks the Netty jars visible to {@code loader} alone (for tests and for containers that load
     * plug-ins in their own class loaders).
     *
     * @param loader where to look for {@code META-INF/io.netty.versions.properties}
     * @throws IllegalStateException naming the artifacts, versions and jars when they disagree
     */
    public static void verify(ClassLoader loader) {
        requireOneVersion(scan(requireNonNull(loader, "loader")));
    }

    /** Entries {@code artifact=version@source}, one per artifact listed in each properties file. */
    private static List<String> scan(ClassLoader loader) {
        List<String> found = new ArrayList<>();
        try {
            Enumeration<URL> urls = loader.getResources(RESOURCE);
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                Properties props = new Properties();
                try (InputStream in = url.openStream()) {
                    props.load(in);
                }
                String source = jarOf(url);
                for (String name : props.stringPropertyNames()) {
                    if (name.endsWith(VERSION_SUFFIX)) {
                        String artifact = name.substring(0, name.length() - VERSION_SUFFIX.length());
                        found.add(artifact + "=" + props.getProperty(name).trim() + "@" + source);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the class path", e);
        }
        return found;
    }

    private static String jarOf(URL url) {
        String s = url.toString();
        int bang = s.indexOf("!/");
        if (s.startsWith("jar:") && bang > 0) {
            s = s.substring("jar:".length(), bang);
        } else if (s.endsWith(RESOURCE)) {
            s = s.substring(0, s.length() - RESOURCE.length());
        }
        int slash = s.lastIndexOf('/', s.length() - 2);
        return slash >= 0 ? s.substring(slash + 1) : s;
    }

    private static void requireOneVersion(List<String> entries) {
        // version -> "artifact (jar)" descriptions, sorted so that the message is stable.
        Map<String, TreeSet<String>> byVersion = new TreeMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            int at = entry.lastIndexOf('@');
            String artifact = entry.substring(0, eq);
            String version = entry.substring(eq + 1, at);
            String source = entry.substring(at + 1);
            byVersion.computeIfAbsent(version, v -> new TreeSet<>()).add(artifact + " (" + source + ")");
        }
        if (byVersion.size() <= 1) {
            return;
        }
        StringBuilder message = new StringBuilder("Netty jars on the class path disagree on the version (expected: "
                + "one version for every netty artifact; import io.netty:netty-bom first in dependencyManagement):");
        byVersion.forEach((version, artifacts) -> message.append("\n  ").append(version).append(": ")
                .append(String.join(", ", artifacts)));
        throw new IllegalStateException(message.toString());
    }
}
