package dev.roundhouse.host.registry;

import java.util.List;

/** No provider of the asked kind has the asked id; the message lists the ids that do exist. */
public class UnknownPluginException extends RuntimeException {
  private final Kind kind;
  private final String id;
  private final List<String> knownIds;

  public UnknownPluginException(Kind kind, String id, List<String> knownIds) {
    super("unknown " + kind.label() + " '" + id + "'; known " + kind.label() + " ids: "
        + (knownIds.isEmpty() ? "(none)" : String.join(", ", knownIds)));
    this.kind = kind;
    this.id = id;
    this.knownIds = List.copyOf(knownIds);
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
