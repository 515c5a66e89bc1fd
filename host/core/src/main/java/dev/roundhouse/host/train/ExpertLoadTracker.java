package dev.roundhouse.host.train;

import dev.roundhouse.host.model.DispatchPlan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accumulates routed-token counts per MoE layer: since the last optimizer step (for router state
 * updates), since the last report (for expert_load events), and per data domain when the batch
 * carries domain ids; plus, per report window, the router's losses (sum and micro-batch count, for a
 * mean) and stats (sums). Plain bookkeeping on the host; no tensor math beyond reading scalars.
 */
public final class ExpertLoadTracker {
  private final int numExperts;
  private final int numDomains;
  private final Map<Integer, long[]> sinceStep = new LinkedHashMap<>();
  private final Map<Integer, long[]> sinceReport = new LinkedHashMap<>();
  private final Map<Integer, long[][]> domainSinceReport = new LinkedHashMap<>();
  private final Map<Integer, Long> droppedSinceReport = new LinkedHashMap<>();
  private final Map<Integer, Map<String, Double>> lossSums = new LinkedHashMap<>();
  private final Map<Integer, Map<String, Double>> statSums = new LinkedHashMap<>();
  private final Map<Integer, Integer> microBatches = new LinkedHashMap<>();

  public ExpertLoadTracker(Iterable<Integer> layers, int numExperts, int numDomains) {
    this.numExperts = numExperts;
    this.numDomains = numDomains;
    for (int l : layers) {
      sinceStep.put(l, new long[numExperts]);
      sinceReport.put(l, new long[numExperts]);
      domainSinceReport.put(l, new long[Math.max(numDomains, 0)][numExperts]);
      droppedSinceReport.put(l, 0L);
      lossSums.put(l, new TreeMap<>());
      statSums.put(l, new TreeMap<>());
      microBatches.put(l, 0);
    }
  }

  /** Records one micro-batch's routing; tokenDomains: [N] domain id per token row, or null. */
  public void record(int layer, RoutingRecord r, int[] tokenDomains) {
    long[] counts = r.tokensPerExpert();
    add(sinceStep.get(layer), counts);
    add(sinceReport.get(layer), counts);
    droppedSinceReport.merge(layer, (long) r.dropped(), Long::sum);
    microBatches.merge(layer, 1, Integer::sum);
    r.losses().forEach((k, v) -> lossSums.get(layer).merge(k, v, Double::sum));
    r.stats().forEach((k, v) -> statSums.get(layer).merge(k, v, Double::sum));
    if (tokenDomains != null && numDomains > 0 && r.plan() != null) {
      DispatchPlan plan = r.plan();
      long[][] perDomain = domainSinceReport.get(layer);
      for (int e = 0; e < numExperts; e++) {
        for (int i = plan.offsets()[e]; i < plan.offsets()[e + 1]; i++) {
          perDomain[tokenDomains[plan.tokens()[i]]][e]++;
        }
      }
    }
  }

  /** Counts since the last optimizer step for {@code layer}, then resets them. */
  public long[] takeStepCounts(int layer) {
    long[] c = sinceStep.get(layer).clone();
    java.util.Arrays.fill(sinceStep.get(layer), 0);
    return c;
  }

  public long[] reportCounts(int layer) {
    return sinceReport.get(layer).clone();
  }

  public long[][] reportDomainCounts(int layer) {
    return numDomains > 0 ? deepCopy(domainSinceReport.get(layer)) : null;
  }

  public long reportDropped(int layer) {
    return droppedSinceReport.get(layer);
  }

  /** Router loss name to its mean per micro-batch in the window. */
  public Map<String, Double> reportLosses(int layer) {
    int n = Math.max(1, microBatches.get(layer));
    Map<String, Double> out = new TreeMap<>();
    lossSums.get(layer).forEach((k, v) -> out.put(k, v / n));
    return out;
  }

  /** Router stat name to its sum over the window's micro-batches. */
  public Map<String, Double> reportStats(int layer) {
    return new TreeMap<>(statSums.get(layer));
  }

  /** Starts a new reporting window. */
  public void resetReport() {
    sinceReport.values().forEach(a -> java.util.Arrays.fill(a, 0));
    domainSinceReport.values().forEach(a -> {
      for (long[] row : a) {
        java.util.Arrays.fill(row, 0);
      }
    });
    droppedSinceReport.replaceAll((k, v) -> 0L);
    lossSums.values().forEach(Map::clear);
    statSums.values().forEach(Map::clear);
    microBatches.replaceAll((k, v) -> 0);
  }

  private static void add(long[] acc, long[] c) {
    for (int i = 0; i < acc.length; i++) {
      acc[i] += c[i];
    }
  }

  private static long[][] deepCopy(long[][] a) {
    long[][] out = new long[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }
}
