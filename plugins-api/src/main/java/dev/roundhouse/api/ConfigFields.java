package dev.roundhouse.api;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Defaults and checks for the fields of a plugin's config record, for its compact constructor: each method returns
 * the value, or {@code fallback} when the field is absent (null), and throws an {@link IllegalArgumentException}
 * whose message starts with the field name ({@code "lr: must be a finite number > 0, got -1.0"}). The host joins
 * that name to the section's JSON path ({@code optimizer.lr: ...}), drops the field and reads the section again,
 * so {@code roundhouse validate} reports every wrong field of a section, each at its own path.
 *
 * <pre>{@code
 * public record MyRouterConfig(Double temperature, Integer groups) {
 *   public MyRouterConfig {
 *     temperature = ConfigFields.positive("temperature", temperature, 1.0);
 *     groups = ConfigFields.atLeast("groups", groups, 1, 1);
 *   }
 * }
 * }</pre>
 *
 * <p>Stateless; safe from any thread.
 */
public final class ConfigFields {
  private ConfigFields() {}

  /** A finite number > 0. */
  public static double positive(String field, Double value, double fallback) {
    double v = value == null ? fallback : value;
    if (!Double.isFinite(v) || v <= 0) {
      throw invalid(field, "must be a finite number > 0, got " + v);
    }
    return v;
  }

  /** A finite number >= 0. */
  public static double nonNegative(String field, Double value, double fallback) {
    double v = value == null ? fallback : value;
    if (!Double.isFinite(v) || v < 0) {
      throw invalid(field, "must be a finite number >= 0, got " + v);
    }
    return v;
  }

  /** A number in [0, 1). */
  public static double fraction(String field, Double value, double fallback) {
    double v = value == null ? fallback : value;
    if (!(v >= 0 && v < 1)) {
      throw invalid(field, "must be in [0, 1), got " + v);
    }
    return v;
  }

  /** A number in [lo, hi]. */
  public static double inRange(String field, Double value, double lo, double hi, double fallback) {
    double v = value == null ? fallback : value;
    if (!(v >= lo && v <= hi)) {
      throw invalid(field, "must be in [" + lo + ", " + hi + "], got " + v);
    }
    return v;
  }

  /** An integer >= {@code min}. */
  public static int atLeast(String field, Integer value, int min, int fallback) {
    int v = value == null ? fallback : value;
    if (v < min) {
      throw invalid(field, "must be >= " + min + ", got " + v);
    }
    return v;
  }

  /** One of {@code allowed} (case-sensitive). */
  public static String oneOf(String field, String value, String fallback, String... allowed) {
    String v = value == null ? fallback : value;
    if (Arrays.asList(allowed).contains(v)) {
      return v;
    }
    throw invalid(field, "must be " + Arrays.stream(allowed).map(a -> "\"" + a + "\"")
        .collect(Collectors.joining(" or ")) + ", got \"" + v + "\"");
  }

  /**
   * The exception for a field that fails a check of its own (e.g. a cross-field rule), in the same form: {@code
   * throw ConfigFields.invalid("nesterov", "needs momentum > 0")}.
   */
  public static IllegalArgumentException invalid(String field, String message) {
    return new IllegalArgumentException(field + ": " + message);
  }
}
