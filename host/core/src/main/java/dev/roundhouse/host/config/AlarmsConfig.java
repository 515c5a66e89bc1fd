package dev.roundhouse.host.config;

/**
 * Router-health alarm thresholds ({@code train.alarms}). Each is checked per MoE layer when an
 * {@code expert_load} event is published (every {@code train.logEvery} steps) over that event's
 * window; a threshold of 0 turns its alarm off. Units as in docs/metrics.md.
 *
 * @param entropyNormMin alarm "entropy_collapse" when entropy_norm (0..1, 1 = even load) is below
 *     this (default 0.5)
 * @param cvPctMax alarm "load_imbalance" when cv_pct (percent, 100 * std / mean of tokens per
 *     expert) is above this (default 100)
 * @param deadExpertSteps alarm "dead_experts" for experts that received no tokens in each of the
 *     last this-many optimizer steps (default 50)
 * @param maxLoadPinnedRatio alarm "max_load_pinned" when max_load_frac >= this * (1 / topK), i.e.
 *     the busiest expert is chosen by (almost) every token (default 0.95; a ratio in [0, 1])
 */
public record AlarmsConfig(Double entropyNormMin, Double cvPctMax, Integer deadExpertSteps, Double maxLoadPinnedRatio) {
  public AlarmsConfig {
    entropyNormMin = entropyNormMin == null ? 0.5 : entropyNormMin;
    cvPctMax = cvPctMax == null ? 100.0 : cvPctMax;
    deadExpertSteps = deadExpertSteps == null ? 50 : deadExpertSteps;
    maxLoadPinnedRatio = maxLoadPinnedRatio == null ? 0.95 : maxLoadPinnedRatio;
  }

  /** All defaults. */
  public static AlarmsConfig defaults() {
    return new AlarmsConfig(null, null, null, null);
  }

  void check(String path, Problems p) {
    p.range(path + ".entropyNormMin", entropyNormMin, 0, 1);
    p.range(path + ".cvPctMax", cvPctMax, 0, 1e6);
    p.nonNegative(path + ".deadExpertSteps", deadExpertSteps);
    p.range(path + ".maxLoadPinnedRatio", maxLoadPinnedRatio, 0, 1);
  }
}
