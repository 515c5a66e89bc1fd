package dev.roundhouse.host.config;

import java.util.List;

/** A run config that cannot be used; every problem names its JSON path. */
public class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(source + ": " + (problems.size() == 1 ? problems.get(0)
        : problems.size() + " problems:\n  " + String.join("\n  ", problems)));
    this.problems = List.copyOf(problems);
  }

  /** One problem whose text already starts with its JSON path (e.g. from the plugin registry). */
  public ConfigException(String problem, Throwable cause) {
    super(problem, cause);
    this.problems = List.of(problem);
  }

  public ConfigException(String problem) {
    this(problem, (Throwable) null);
  }

  public List<String> problems() {
    return problems;
  }
}
