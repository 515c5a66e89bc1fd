package dev.roundhouse.host.model;

/**
 * A plugin component returned output that breaks its contract (wrong shape, index out of range). Carries the
 * component's kind label ({@code "attention"}, {@code "router"}) and id so the trainer can name the plugin jar.
 */
public final class ComponentOutputException extends IllegalStateException {
  private final String kind;
  private final String componentId;

  public ComponentOutputException(String kind, String componentId, String message) {
    super(kind + " '" + componentId + "' " + message);
    this.kind = kind;
    this.componentId = componentId;
  }

  /** Kind label as the registry spells it: "attention", "router", ... */
  public String kind() {
    return kind;
  }

  public String componentId() {
    return componentId;
  }
}
