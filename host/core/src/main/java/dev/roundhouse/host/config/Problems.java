package dev.roundhouse.host.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects validation problems, each prefixed with the JSON path of the field at fault. Every numeric check also
 * rejects NaN and infinities (NaN compares false with everything, so a plain {@code v <= 0} would let it through).
 */
public final class Problems {
  /** Longest value echoed back in a message; longer ones are cut (see {@link #cut}). */
  public static final int MAX_ECHO = 80;

  private final List<String> items = new ArrayList<>();

  /** Adds a problem (once: the same text twice is kept once). */
  public void add(String path, String message) {
    String item = path + ": " + message;
    if (!items.contains(item)) {
      items.add(item);
    }
  }

  /** Adds a problem whose text already starts with its path (once). */
  void addLine(String problem) {
    if (!items.contains(problem)) {
      items.add(problem);
    }
  }

  /** False (and a problem) when {@code v} is NaN or infinite; true for null and finite values. */
  public boolean finite(String path, Number v) {
    if (v != null && !Double.isFinite(v.doubleValue())) {
      add(path, "must be a finite number, got " + v);
      return false;
    }
    return true;
  }

  public void positive(String path, Number v) {
    if (finite(path, v) && v != null && v.doubleValue() <= 0) {
      add(path, "must be > 0, got " + v);
    }
  }

  /** {@code 0 < v <= max}. */
  public void positiveAtMost(String path, Number v, double max) {
    if (finite(path, v) && v != null && (v.doubleValue() <= 0 || v.doubleValue() > max)) {
      add(path, "must be > 0 and <= " + num(max) + ", got " + v);
    }
  }

  public void nonNegative(String path, Number v) {
    if (finite(path, v) && v != null && v.doubleValue() < 0) {
      add(path, "must be >= 0, got " + v);
    }
  }

  public void range(String path, Number v, double lo, double hi) {
    if (finite(path, v) && v != null && (v.doubleValue() < lo || v.doubleValue() > hi)) {
      add(path, "must be in [" + num(lo) + ", " + num(hi) + "], got " + v);
    }
  }

  /** 2 rather than 2.0, 1e+06 rather than 1000000.0. */
  static String num(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e5) {
      return Long.toString((long) d);
    }
    return Math.abs(d) >= 1e5 ? String.format(java.util.Locale.ROOT, "%.0e", d).replace("e+0", "e").replace("e+", "e")
        : Double.toString(d);
  }

  /**
   * A user value as it may appear in a message: cut to {@link #MAX_ECHO} characters with the total length named, so
   * a 10 MB value never floods the terminal.
   */
  public static String cut(String value) {
    if (value == null) {
      return "null";
    }
    if (value.length() <= MAX_ECHO) {
      return value;
    }
    return value.substring(0, MAX_ECHO) + "... (" + value.length() + " characters)";
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
