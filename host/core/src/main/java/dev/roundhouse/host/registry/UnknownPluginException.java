package dev.roundhouse.host.registry;

import java.util.List;

/**
 * No provider of the asked kind has the asked id. The message lists the ids that do exist and, when
 * loading had problems (a duplicate skipped, a jar that did not load, a missing folder), those lines
 * too, since one of them is usually why the id is missing.
 */
public class UnknownPluginException extends RuntimeException {
  /** At most this many load problems are quoted in the message. */
  static final int MAX_QUOTED_PROBLEMS = 3;

  private final Kind kind;
  private final String id;
  private final List<String> knownIds;

  public UnknownPluginException(Kind kind, String id, List<String> knownIds) {
    this(kind, id, knownIds, List.of());
  }

  /** {@code loadProblems}: the registry's {@link PluginRegistry#problems()}, quoted after the known ids. */
  public UnknownPluginException(Kind kind, String id, List<String> knownIds, List<String> loadProblems) {
    super("unknown " + kind.label() + " '" + id + "'; known " + kind.label() + " ids: "
        + (knownIds.isEmpty() ? "(none)" : String.join(", ", knownIds)) + quoted(loadProblems));
    this.kind = kind;
    this.id = id;
    this.knownIds = List.copyOf(knownIds);
  }

  private static String quoted(List<String> problems) {
    if (problems.isEmpty()) {
      return "";
    }
    List<String> shown = problems.stream().limit(MAX_QUOTED_PROBLEMS).toList();
    int more = problems.size() - shown.size();
    return "; plugin load problems: " + String.join("; ", shown)
        + (more > 0 ? "; and " + more + " more (see roundhouse plugins)" : "");
  }

  public Kind kind() {
    return kind;
  }

  public String id() {
    return id;
  }

  public List<String> knownIds() {
    return knownIds;
  }
}
