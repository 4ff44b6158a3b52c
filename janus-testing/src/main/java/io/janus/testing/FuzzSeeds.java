package io.janus.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Regression seeds of the fuzz targets: inputs that once mattered, kept as {@code .hex} files under
 * {@code fuzz-seeds/<target>/} on the test class path and replayed in every run.
 */
public final class FuzzSeeds {

    /**
     * One seed.
     *
     * @param name the target and file name, for test reports
     * @param bytes the input
     */
    public record Seed(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private FuzzSeeds() {
    }

    /**
     * The seeds of a target: every {@code fuzz-seeds/<target>/*.hex} on the test class path, sorted by
     * name.
     *
     * @param target the directory name under {@code fuzz-seeds}
     * @return the seeds
     * @throws AssertionError when the directory is missing
     */
    public static List<Seed> of(String target) {
        URL dir = Thread.currentThread().getContextClassLoader().getResource("fuzz-seeds/" + target);
        if (dir == null) {
            throw new AssertionError("no directory fuzz-seeds/" + target + " on the test class path");
        }
        try (Stream<Path> files = Files.list(Paths.get(dir.toURI()))) {
            List<Seed> seeds = new ArrayList<>();
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".hex")).sorted()::iterator) {
                seeds.add(new Seed(target + "/" + file.getFileName(),
                        parse(Files.readString(file, StandardCharsets.UTF_8))));
            }
            return seeds;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a seed file: the input in hex; whitespace is ignored and {@code #} starts a comment.
     *
     * @param text the file's text
     * @return the input
     */
    public static byte[] parse(String text) {
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            int comment = line.indexOf('#');
            String data = comment >= 0 ? line.substring(0, comment) : line;
            for (int i = 0; i < data.length(); i++) {
                char c = data.charAt(i);
                if (!Character.isWhitespace(c)) {
                    hex.append(c);
                }
            }
        }
        return HexFormat.of().parseHex(hex.toString());
    }
}
