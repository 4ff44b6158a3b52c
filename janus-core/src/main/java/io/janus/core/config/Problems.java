package io.janus.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems found while loading, bounded: after {@value #MAX} the rest are counted, not kept, so a
 * hostile or broken file cannot grow the list (and the exception message) without limit.
 */
final class Problems {

    static final int MAX = 100;

    private final List<String> problems = new ArrayList<>();
    private int dropped;

    void add(String file, String path, String message) {
        add(file + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    void add(String problem) {
        if (problems.size() < MAX) {
            problems.add(problem);
        } else {
            dropped++;
        }
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    int size() {
        return problems.size() + dropped;
    }

    void throwIfAny() {
        if (problems.isEmpty()) {
            return;
        }
        List<String> all = new ArrayList<>(problems);
        if (dropped > 0) {
            all.add("... and " + dropped + " more problems");
        }
        throw new ConfigException(all);
    }
}
