package dev.roundhouse.host.train;

/** Default router-health alarm thresholds (documented in docs/metrics.md). */
final class Alarms {
  /** Alarm when the normalised entropy of a layer's expert load (0..1) falls below this. */
  static final double ENTROPY_NORM_MIN = 0.5;

  private Alarms() {}
}
