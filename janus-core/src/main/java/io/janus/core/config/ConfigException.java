package io.janus.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The configuration cannot start a gateway. Carries every problem found, not just the first, each
 * naming its file and key path, for example
 * {@code config.yaml: session.idleTimeout: expected a duration like 30s, got "abc"}. No problem quotes
 * the value of a secret.
 *
 * <p>Not a {@link io.janus.core.JanusException}: nothing here reaches a client, so there is no wire
 * {@code Reason} to carry; the operator reads the problems at start.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * Creates an exception.
     *
     * @param problems what is wrong, at least one, each naming its file and key path
     */
    public ConfigException(List<String> problems) {
        super(message(requireNonNull(problems, "problems")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: empty (expected: at least one)");
        }
        this.problems = List.copyOf(problems);
    }

    /**
     * The problems, in the order they were found.
     *
     * @return an immutable list, never empty
     */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        StringBuilder sb = new StringBuilder();
        sb.append(problems.size()).append(problems.size() == 1 ? " configuration problem:" : " configuration problems:");
        for (String problem : problems) {
            sb.append("\n  - ").append(problem);
        }
        return sb.toString();
    }
}
