package dev.roundhouse.plugins.routers;

/**
 * Defaults and validation for router config fields. Messages start with the field name so the host
 * can join it to the JSON path (e.g. {@code model.moe.router.auxLossCoef: must be ...}).
 */
final class Fields {
  private Fields() {}

  static double nonNegative(String router, String field, Double value, double fallback) {
    if (value == null) {
      return fallback;
    }
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException(field + ": must be a finite number >= 0, got " + value + " (" + router + ")");
    }
    return value;
  }

  static double positive(String router, String field, Double value, double fallback) {
    if (value == null) {
      return fallback;
    }
    if (!Double.isFinite(value) || value <= 0) {
      throw new IllegalArgumentException(field + ": must be a finite number > 0, got " + value + " (" + router + ")");
    }
    return value;
  }

  /** value in [0, max) with max exclusive. */
  static double fraction(String router, String field, Double value, double fallback) {
    double v = nonNegative(router, field, value, fallback);
    if (v >= 1) {
      throw new IllegalArgumentException(field + ": must be in [0, 1), got " + v + " (" + router + ")");
    }
    return v;
  }

  static int atLeastOne(String router, String field, Integer value, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value < 1) {
      throw new IllegalArgumentException(field + ": must be >= 1, got " + value + " (" + router + ")");
    }
    return value;
  }

  /** The aux-loss scope name, checked: "batch", "sequence" or "global". */
  static String scope(String router, String value) {
    if (value == null) {
      return BalanceLosses.Scope.BATCH.configName();
    }
    BalanceLosses.Scope.of(router, value);
    return value;
  }
}
