package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.dashboard.HealthThresholds.Level;

/**
 * Router health of one MoE layer as the table shows it, with the alarm level of each column.
 *
 * @param run the run's name (compare screen) or "" (dashboard)
 * @param biasRange "min .. max" of the expert bias, or "-" without one
 */
public record HealthRow(String run, int layer, double cvPct, double entropyNorm, double maxVio, double maxLoadFrac,
    int deadExperts, String biasRange, long droppedTokens) {

  public Level cvLevel() {
    return HealthThresholds.cv(cvPct);
  }

  public Level entropyLevel() {
    return HealthThresholds.entropy(entropyNorm);
  }

  public Level maxVioLevel() {
    return HealthThresholds.maxVio(maxVio);
  }

  public Level deadLevel() {
    return HealthThresholds.dead(deadExperts);
  }

  /** The worst level of the row. */
  public Level worst() {
    Level w = Level.OK;
    for (Level l : new Level[] {cvLevel(), entropyLevel(), maxVioLevel(), deadLevel()}) {
      w = l.ordinal() > w.ordinal() ? l : w;
    }
    return w;
  }
}
