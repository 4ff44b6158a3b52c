package io.janus.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-time check that every Netty jar on the class path has one version. */
class NettyVersionCheckTest {

    @TempDir
    Path dir;

    @Test
    void theModulesOwnClassPathAgrees() {
        // jetcd brings gRPC and Vert.x; netty-bom must have brought every Netty artifact to one version.
        assertThatCode(NettyVersionCheck::verify).doesNotThrowAnyException();
    }

    @Test
    void jarsOfOneVersionPass() throws IOException {
        try (URLClassLoader loader = loader(
                jar("netty-common-4.2.18.Final", "netty-common", "4.2.18.Final"),
                jar("netty-codec-http2-4.2.18.Final", "netty-codec-http2", "4.2.18.Final"))) {
            assertThatCode(() -> NettyVersionCheck.verify(loader)).doesNotThrowAnyException();
        }
    }

    @Test
    void disagreeingJarsFailNamingEachJarAndVersion() throws IOException {
        try (URLClassLoader loader = loader(
                jar("netty-common-4.2.18.Final", "netty-common", "4.2.18.Final"),
                jar("netty-codec-http2-4.1.100.Final", "netty-codec-http2", "4.1.100.Final"))) {
            assertThatThrownBy(() -> NettyVersionCheck.verify(loader))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("disagree")
                    .hasMessageContaining("4.1.100.Final: netty-codec-http2 (netty-codec-http2-4.1.100.Final/)")
                    .hasMessageContaining("4.2.18.Final: netty-common (netty-common-4.2.18.Final/)")
                    .hasMessageContaining("netty-bom");
        }
    }

    @Test
    void aClassPathWithoutNettyPasses() throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[0], null)) {
            assertThatCode(() -> NettyVersionCheck.verify(loader)).doesNotThrowAnyException();
        }
    }

    /** A directory laid out as a Netty jar's metadata is: META-INF/io.netty.versions.properties. */
    private Path jar(String name, String artifact, String version) throws IOException {
        Path root = dir.resolve(name);
        Path metaInf = Files.createDirectories(root.resolve("META-INF"));
        Files.writeString(metaInf.resolve("io.netty.versions.properties"),
                artifact + ".version=" + version + "\n" + artifact + ".commitDate=2026-01-01\n");
        return root;
    }

    private static URLClassLoader loader(Path... roots) throws IOException {
        URL[] urls = new URL[roots.length];
        for (int i = 0; i < roots.length; i++) {
            urls[i] = roots[i].toUri().toURL();
        }
        // No parent: only the given roots are visible, not this JVM's own Netty.
        return new URLClassLoader(urls, null);
    }
}
