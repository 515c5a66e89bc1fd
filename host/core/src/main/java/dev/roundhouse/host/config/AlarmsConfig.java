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
 * @param graceSteps optimizer steps after the trainer starts (or resumes) in which no window alarm
 *     (entropy_collapse, load_imbalance, max_load_pinned, dead_experts) is raised: the router is still
 *     leaving its initialisation (default: the longer of {@value #GRACE_LOG_INTERVALS} x {@code train.logEvery}
 *     and {@code train.warmupSteps}, filled in by {@link TrainConfig}; 0 = none). Non-finite router output is
 *     alarmed regardless.
 */
public record AlarmsConfig(Double entropyNormMin, Double cvPctMax, Integer deadExpertSteps, Double maxLoadPinnedRatio,
    Integer graceSteps) {
  /** Default grace period, in log intervals ({@code train.logEvery}). */
  public static final int GRACE_LOG_INTERVALS = 3;

  public AlarmsConfig {
    entropyNormMin = entropyNormMin == null ? 0.5 : entropyNormMin;
    cvPctMax = cvPctMax == null ? 100.0 : cvPctMax;
    deadExpertSteps = deadExpertSteps == null ? 50 : deadExpertSteps;
    maxLoadPinnedRatio = maxLoadPinnedRatio == null ? 0.95 : maxLoadPinnedRatio;
  }

  /** Thresholds with the default grace period (left for {@link TrainConfig} to fill in). */
  public AlarmsConfig(Double entropyNormMin, Double cvPctMax, Integer deadExpertSteps, Double maxLoadPinnedRatio) {
    this(entropyNormMin, cvPctMax, deadExpertSteps, maxLoadPinnedRatio, null);
  }

  /** All defaults. */
  public static AlarmsConfig defaults() {
    return new AlarmsConfig(null, null, null, null, null);
  }

  /**
   * This config with {@code graceSteps}, when unset, the longer of {@value #GRACE_LOG_INTERVALS} log intervals and
   * the LR warmup (while the learning rate ramps up, a freshly initialised router has barely moved: its load is
   * the initialisation's, not a training problem).
   */
  public AlarmsConfig withDefaultGrace(int logEvery, int warmupSteps) {
    return graceSteps != null ? this : new AlarmsConfig(entropyNormMin, cvPctMax, deadExpertSteps,
        maxLoadPinnedRatio, Math.max(GRACE_LOG_INTERVALS * logEvery, warmupSteps));
  }

  /** The grace period in steps (0 while unset). */
  public int graceStepsOrZero() {
    return graceSteps == null ? 0 : graceSteps;
  }

  void check(String path, Problems p) {
    p.range(path + ".entropyNormMin", entropyNormMin, 0, 1);
    p.range(path + ".cvPctMax", cvPctMax, 0, 1e6);
    p.nonNegative(path + ".deadExpertSteps", deadExpertSteps);
    p.range(path + ".maxLoadPinnedRatio", maxLoadPinnedRatio, 0, 1);
    p.nonNegative(path + ".graceSteps", graceSteps);
  }
}
