package dev.roundhouse.app.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.config.AlarmsConfig;

/**
 * The router health alarm thresholds of one run, read from its own config ({@code train.alarms},
 * defaults as in {@link AlarmsConfig}) so the table colours and chart lines match the alarms that run
 * raises. Red (ALARM): the trainer's alarm condition; amber (WARN): within {@value #WARN_MARGIN} of it
 * (entropy_norm within 1 - {@value #WARN_MARGIN} of the way from the threshold to 1, cv and max_load_frac
 * above {@value #WARN_MARGIN} x threshold), or any expert without tokens in a window. A threshold of 0 (alarm off) colours nothing.
 *
 * @param entropyNormMin entropy_collapse below this
 * @param cvPctMax load_imbalance above this
 * @param deadExpertSteps dead_experts after this many steps without tokens
 * @param maxLoadPinned max_load_pinned at or above this max_load_frac (maxLoadPinnedRatio / topK)
 * @param graceSteps no window alarm in this many steps after a start or resume
 */
public record HealthThresholds(double entropyNormMin, double cvPctMax, int deadExpertSteps, double maxLoadPinned,
    int graceSteps) {
  /** Amber starts this close (as a factor) to the alarm threshold. */
  public static final double WARN_MARGIN = 0.8;

  /** Severity of one cell. */
  public enum Level { OK, WARN, ALARM }

  /** The defaults of {@link AlarmsConfig} for top-{@code topK} routing. */
  public static HealthThresholds defaults(int topK) {
    return of(null, topK, 10, 50);
  }

  /** From a resolved run config ({@code train.alarms}, {@code model.moe.topK}, {@code train.logEvery}); null: defaults. */
  public static HealthThresholds of(JsonNode config) {
    JsonNode c = config == null ? null : config;
    int topK = c == null ? 2 : c.path("model").path("moe").path("topK").asInt(2);
    int logEvery = c == null ? 10 : c.path("train").path("logEvery").asInt(10);
    int warmup = c == null ? 50 : c.path("train").path("warmupSteps").asInt(50);
    return of(c == null ? null : c.path("train").path("alarms"), topK, logEvery, warmup);
  }

  private static HealthThresholds of(JsonNode alarms, int topK, int logEvery, int warmupSteps) {
    AlarmsConfig d = AlarmsConfig.defaults().withDefaultGrace(logEvery, warmupSteps);
    JsonNode a = alarms == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : alarms;
    double ratio = a.path("maxLoadPinnedRatio").asDouble(d.maxLoadPinnedRatio());
    return new HealthThresholds(a.path("entropyNormMin").asDouble(d.entropyNormMin()),
        a.path("cvPctMax").asDouble(d.cvPctMax()), a.path("deadExpertSteps").asInt(d.deadExpertSteps()),
        ratio / Math.max(1, topK), a.path("graceSteps").asInt(d.graceSteps()));
  }

  public Level entropy(double entropyNorm) {
    if (entropyNormMin <= 0) {
      return Level.OK;
    }
    double warn = entropyNormMin + (1 - entropyNormMin) * (1 - WARN_MARGIN);
    return entropyNorm < entropyNormMin ? Level.ALARM : entropyNorm < warn ? Level.WARN : Level.OK;
  }

  public Level cv(double cvPct) {
    return above(cvPct, cvPctMax);
  }

  public Level maxLoadFrac(double frac) {
    if (maxLoadPinned <= 0) {
      return Level.OK;
    }
    return frac >= maxLoadPinned ? Level.ALARM : frac >= WARN_MARGIN * maxLoadPinned ? Level.WARN : Level.OK;
  }

  /** Experts without tokens in one window: amber (the alarm needs {@link #deadExpertSteps} steps). */
  public Level dead(int deadExperts) {
    return deadExpertSteps > 0 && deadExperts > 0 ? Level.WARN : Level.OK;
  }

  private static Level above(double v, double max) {
    if (max <= 0) {
      return Level.OK;
    }
    return v > max ? Level.ALARM : v > WARN_MARGIN * max ? Level.WARN : Level.OK;
  }

  /** One line for the legend under the table. */
  public String describe() {
    return String.format("Colours from this run's train.alarms: red = its alarm (entropy_norm < %s, cv_pct > %s, "
        + "max_load_frac >= %.3f); amber = within %.0f%% of it or an expert without tokens in the window; "
        + "dead_experts alarm after %d steps; no window alarm in the first %d steps", fmt(entropyNormMin),
        fmt(cvPctMax), maxLoadPinned, 100 * (1 - WARN_MARGIN), deadExpertSteps, graceSteps);
  }

  private static String fmt(double v) {
    return v <= 0 ? "off" : String.valueOf(v);
  }
}
