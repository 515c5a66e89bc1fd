package dev.roundhouse.host.train;

import dev.roundhouse.api.Routing;
import dev.roundhouse.host.config.AlarmsConfig;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.RunEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Router-health alarms with the thresholds of {@code train.alarms} ({@link AlarmsConfig}; defaults
 * and units in docs/routers.md). Window alarms are checked on each layer's {@link LayerLoad} when an
 * {@code expert_load} event is published: entropy collapse, load imbalance (CV), max load pinned at
 * 1/topK, and dead experts (no tokens in each of the last {@code deadExpertSteps} steps, tracked
 * per step from the counts the trainer hands the routers), none of them in the first
 * {@code graceSteps} steps after the trainer starts or resumes. Non-finite router output (the router's
 * "logits_nonfinite" stat, or NaN/infinite gates from any router) is alarmed at once, per micro-batch.
 *
 * <p>Not thread-safe: the training thread only.
 */
final class RouterAlarms {
  /** CV of the load above the threshold. */
  static final String LOAD_IMBALANCE = "load_imbalance";
  /** The busiest expert is chosen by (almost) every token. */
  static final String MAX_LOAD_PINNED = "max_load_pinned";
  /** NaN or infinite router logits or gates. */
  static final String ROUTER_NON_FINITE = "router_non_finite";

  private final AlarmsConfig config;
  private final int topK;
  private final int quietUntil; // window alarms start after this step (grace period)
  private final Map<Integer, long[]> lastActiveStep = new HashMap<>(); // layer -> [E] last step with tokens

  RouterAlarms(AlarmsConfig config, Iterable<Integer> layers, int numExperts, int topK, int startStep) {
    this.config = config;
    this.topK = topK;
    this.quietUntil = startStep + config.graceStepsOrZero();
    for (int l : layers) {
      long[] last = new long[numExperts];
      java.util.Arrays.fill(last, startStep);
      lastActiveStep.put(l, last);
    }
  }

  /** Counts of one optimizer step (applied or skipped) for {@code layer}; {@code step} is 1-based. */
  void observeStep(int layer, long[] tokensPerExpert, int step) {
    long[] last = lastActiveStep.get(layer);
    for (int e = 0; e < last.length; e++) {
      if (tokensPerExpert[e] > 0) {
        last[e] = step;
      }
    }
  }

  /** Alarms for one micro-batch's routing: non-finite logits (router stat) or gates. */
  List<RunEvent.Alarm> checkRouting(int step, int layer, String routerId, Routing r) {
    return checkRouting(step, layer, routerId, RoutingRecord.of(r));
  }

  List<RunEvent.Alarm> checkRouting(int step, int layer, String routerId, RoutingRecord r) {
    double logits = r.stats().getOrDefault("logits_nonfinite", 0.0);
    double gateSum = r.gateSum();
    if (logits > 0 || !Double.isFinite(gateSum)) {
      return List.of(new RunEvent.Alarm(step, layer, ROUTER_NON_FINITE, String.format(
          "router '%s' produced non-finite values: %s", routerId,
          logits > 0 ? (long) logits + " NaN/infinite logits" : "gates sum to " + gateSum)));
    }
    return List.of();
  }

  /** Window alarms for one layer's load at {@code step}; none within the grace period after the start. */
  List<RunEvent.Alarm> checkWindow(int step, LayerLoad load) {
    List<RunEvent.Alarm> out = new ArrayList<>();
    if (step <= quietUntil) {
      return out;
    }
    int layer = load.layer();
    long total = java.util.Arrays.stream(load.tokensPerExpert()).sum();
    if (config.deadExpertSteps() > 0) {
      List<Integer> dead = new ArrayList<>();
      long[] last = lastActiveStep.get(layer);
      for (int e = 0; e < last.length; e++) {
        if (step - last[e] >= config.deadExpertSteps()) {
          dead.add(e);
        }
      }
      if (!dead.isEmpty()) {
        out.add(new RunEvent.Alarm(step, layer, RunEvent.Alarm.DEAD_EXPERTS, dead.size() + " experts got no tokens in "
            + "the last " + config.deadExpertSteps() + " steps: " + dead));
      }
    }
    if (total == 0) {
      return out;
    }
    if (config.entropyNormMin() > 0 && load.entropyNorm() < config.entropyNormMin()) {
      out.add(new RunEvent.Alarm(step, layer, RunEvent.Alarm.ENTROPY_COLLAPSE, String.format(
          "normalised load entropy %.3f < %.3f (train.alarms.entropyNormMin)", load.entropyNorm(),
          config.entropyNormMin())));
    }
    if (config.cvPctMax() > 0 && load.cvPct() > config.cvPctMax()) {
      out.add(new RunEvent.Alarm(step, layer, LOAD_IMBALANCE, String.format(
          "load cv %.1f%% > %.1f%% (train.alarms.cvPctMax)", load.cvPct(), config.cvPctMax())));
    }
    double pinned = config.maxLoadPinnedRatio() / topK;
    if (config.maxLoadPinnedRatio() > 0 && load.maxLoadFrac() >= pinned) {
      out.add(new RunEvent.Alarm(step, layer, MAX_LOAD_PINNED, String.format(
          "busiest expert has %.3f of the load, at the 1/topK = %.3f ceiling (threshold %.3f, "
              + "train.alarms.maxLoadPinnedRatio)", load.maxLoadFrac(), 1.0 / topK, pinned)));
    }
    return out;
  }
}
