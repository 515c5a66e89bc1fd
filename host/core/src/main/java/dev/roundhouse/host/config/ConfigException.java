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

  public List<String> problems() {
    return problems;
  }
}
