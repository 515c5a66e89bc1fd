package dev.roundhouse.app.runs;

import java.nio.file.Path;

/**
 * One run directory as the Runs screen lists it.
 *
 * @param name directory name
 * @param dir the run directory
 * @param status "running", "finished", "stopped", "failed" or "unknown"
 * @param step last step recorded
 * @param totalSteps configured steps (0 when unknown)
 * @param bestValLoss lowest validation loss, or null
 * @param modified last change of its metrics file, ISO-8601 (for sorting; newest first)
 */
public record RunSummary(String name, Path dir, String status, long step, long totalSteps, Double bestValLoss,
    String modified) {

  /** "12 / 30" or "12". */
  public String steps() {
    return totalSteps > 0 ? step + " / " + totalSteps : String.valueOf(step);
  }

  /** "1.2345" or "-". */
  public String bestValText() {
    return bestValLoss == null ? "-" : String.format("%.4f", bestValLoss);
  }
}
