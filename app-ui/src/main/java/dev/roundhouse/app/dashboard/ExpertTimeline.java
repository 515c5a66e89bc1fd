package dev.roundhouse.app.dashboard;

import java.util.List;

/**
 * Expert x time load of one MoE layer, plain data for the timeline heat map: one row per load window
 * (its step), one value per expert: tokens / mean tokens per expert in that window, so 1 is the
 * uniform share 1/E, 0 an expert without tokens and E the whole layer on one expert.
 *
 * @param steps the step of each window
 * @param relLoad [windows][experts] load / mean
 * @param domain the domain shown, or null for all tokens
 */
public record ExpertTimeline(int layer, List<Long> steps, List<double[]> relLoad, String domain) {

  public int windows() {
    return steps.size();
  }

  public int experts() {
    return relLoad.isEmpty() ? 0 : relLoad.get(0).length;
  }

  /** Experts without tokens in window {@code w}. */
  public int deadIn(int w) {
    int n = 0;
    for (double v : relLoad.get(w)) {
      n += v == 0 ? 1 : 0;
    }
    return n;
  }
}
