package dev.roundhouse.app.sweep;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One trial of a sweep as the Sweep screen shows it: a row of {@code report.json} (docs/sweeps.md), with the
 * trial's run directory resolved against the sweep folder. Null numbers are unknown (never evaluated, target not
 * reached, no expert load yet) and show as "-".
 *
 * @param parameters the trial's axis values, "name=value, ..." (last path segment, plugin sections by type)
 */
public record SweepRow(String trial, int index, Path dir, String status, String parameters, Long steps,
    Double finalValLoss, Double bestValLoss, Double timeToTargetS, Long tokensToTarget, Double tokensPerS,
    Double worstCvPct, Double minEntropy, Integer deadExperts, String error) {

  public String finalText() {
    return f(finalValLoss, "%.4f");
  }

  public String bestText() {
    return f(bestValLoss, "%.4f");
  }

  public String timeToTargetText() {
    return f(timeToTargetS, "%.1f");
  }

  public String tokensToTargetText() {
    return tokensToTarget == null ? "-" : String.valueOf(tokensToTarget);
  }

  public String tokensPerSText() {
    return f(tokensPerS, "%.0f");
  }

  public String worstCvText() {
    return f(worstCvPct, "%.1f");
  }

  public String minEntropyText() {
    return f(minEntropy, "%.3f");
  }

  public String deadText() {
    return deadExperts == null ? "-" : String.valueOf(deadExperts);
  }

  private static String f(Double v, String fmt) {
    return v == null ? "-" : String.format(Locale.ROOT, fmt, v);
  }
}
