package dev.roundhouse.plugins.optimizers;

/** Field checks for optimizer config records; messages start with the field name. */
final class Checks {
  private Checks() {}

  static void positive(String field, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": must be > 0 and finite, got " + v);
    }
  }

  static void nonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": must be >= 0 and finite, got " + v);
    }
  }

  /** v in [0, 1). */
  static void unitInterval(String field, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(field + ": must be in [0, 1), got " + v);
    }
  }
}
