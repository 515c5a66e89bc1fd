package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.dashboard.HealthThresholds.Level;

/**
 * Router health of one MoE layer as the table shows it, with the alarm level of each column under the
 * run's own thresholds.
 *
 * @param run the run's name (compare screen) or "" (dashboard)
 * @param biasRange "min .. max" of the expert bias, or "-" without one
 * @param limits the run's alarm thresholds
 */
public record HealthRow(String run, int layer, double cvPct, double entropyNorm, double maxVio, double maxLoadFrac,
    int deadExperts, String biasRange, long droppedTokens, HealthThresholds limits) {

  public Level cvLevel() {
    return limits.cv(cvPct);
  }

  public Level entropyLevel() {
    return limits.entropy(entropyNorm);
  }

  public Level maxLoadLevel() {
    return limits.maxLoadFrac(maxLoadFrac);
  }

  public Level deadLevel() {
    return limits.dead(deadExperts);
  }

  /** The worst level of the row. */
  public Level worst() {
    Level w = Level.OK;
    for (Level l : new Level[] {cvLevel(), entropyLevel(), maxLoadLevel(), deadLevel()}) {
      w = l.ordinal() > w.ordinal() ? l : w;
    }
    return w;
  }
}
