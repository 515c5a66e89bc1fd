package dev.roundhouse.host.model;

/**
 * Groups M (token, expert) assignments by expert for dropless (or capacity-limited) dispatch.
 *
 * <p>A stable counting sort by expert keeps assignments of one expert in token order, so capacity
 * dropping "by position" keeps each expert's first {@code capacity} tokens. This is O(M) integer
 * bookkeeping on the host; all tensor math stays in whole-array ops.
 *
 * @param order [M'] kept assignment indices, grouped by expert
 * @param tokens [M'] token row of each kept assignment (tokenIndex[order[i]])
 * @param offsets [E + 1] expert e owns positions offsets[e] .. offsets[e+1] - 1
 * @param dropped assignments dropped by the capacity limit (0 when dropless)
 */
public record DispatchPlan(int[] order, int[] tokens, int[] offsets, int dropped) {

  /**
   * @param capacity max assignments per expert, or -1 for dropless
   */
  public static DispatchPlan build(int[] tokenIndex, int[] expertIndex, int numExperts, int capacity) {
    int m = expertIndex.length;
    int[] counts = new int[numExperts];
    for (int e : expertIndex) {
      counts[e]++;
    }
    int[] kept = new int[numExperts];
    int dropped = 0;
    for (int e = 0; e < numExperts; e++) {
      kept[e] = capacity < 0 ? counts[e] : Math.min(counts[e], capacity);
      dropped += counts[e] - kept[e];
    }
    int[] offsets = new int[numExperts + 1];
    for (int e = 0; e < numExperts; e++) {
      offsets[e + 1] = offsets[e] + kept[e];
    }
    int[] cursor = offsets.clone();
    int[] order = new int[offsets[numExperts]];
    int[] tokens = new int[order.length];
    for (int i = 0; i < m; i++) {
      int e = expertIndex[i];
      if (cursor[e] < offsets[e + 1]) {
        order[cursor[e]] = i;
        tokens[cursor[e]] = tokenIndex[i];
        cursor[e]++;
      }
    }
    return new DispatchPlan(order, tokens, offsets, dropped);
  }

  /** Tokens expert e processes. */
  public int count(int e) {
    return offsets[e + 1] - offsets[e];
  }

  /** [E] kept assignments per expert. */
  public long[] tokensPerExpert() {
    long[] out = new long[offsets.length - 1];
    for (int e = 0; e < out.length; e++) {
      out[e] = count(e);
    }
    return out;
  }

  /** Capacity for a factor: ceil(factor * M / E), at least 1. */
  public static int capacity(double factor, int assignments, int numExperts) {
    return Math.max(1, (int) Math.ceil(factor * assignments / numExperts));
  }
}
