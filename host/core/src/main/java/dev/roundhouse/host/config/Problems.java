package dev.roundhouse.host.config;

import java.util.ArrayList;
import java.util.List;

/** Collects validation problems, each prefixed with the JSON path of the field at fault. */
public final class Problems {
  private final List<String> items = new ArrayList<>();

  public void add(String path, String message) {
    items.add(path + ": " + message);
  }

  public void positive(String path, Number v) {
    if (v != null && v.doubleValue() <= 0) {
      add(path, "must be > 0, got " + v);
    }
  }

  public void nonNegative(String path, Number v) {
    if (v != null && v.doubleValue() < 0) {
      add(path, "must be >= 0, got " + v);
    }
  }

  public void range(String path, Number v, double lo, double hi) {
    if (v != null && (v.doubleValue() < lo || v.doubleValue() > hi)) {
      add(path, "must be in [" + lo + ", " + hi + "], got " + v);
    }
  }

  public List<String> list() {
    return List.copyOf(items);
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** Throws a {@link ConfigException} listing every problem, if there are any. */
  public void throwIfAny(String source) {
    if (!items.isEmpty()) {
      throw new ConfigException(source, list());
    }
  }
}
