package dev.roundhouse.host.model;

import java.util.Arrays;

/**
 * Groups M (token, expert) assignments by expert for dropless (or capacity-limited) dispatch.
 *
 * <p>A stable counting sort by expert keeps assignments of one expert in assignment order. With a
 * capacity, an expert over it keeps {@code capacity} assignments and drops the rest: by position
 * (its first assignments in assignment order, i.e. earliest tokens) or by gate (its assignments
 * with the largest gate values; ties keep the earlier assignment). This is O(M log M) integer
 * bookkeeping on the host; all tensor math stays in whole-array ops.
 *
 * @param order [M'] kept assignment indices, grouped by expert, in assignment order within an expert
 * @param tokens [M'] token row of each kept assignment (tokenIndex[order[i]])
 * @param offsets [E + 1] expert e owns positions offsets[e] .. offsets[e+1] - 1
 * @param dropped assignments dropped by the capacity limit (0 when dropless)
 */
public record DispatchPlan(int[] order, int[] tokens, int[] offsets, int dropped) {
  /** Which assignments an expert over capacity keeps. */
  public enum DropPolicy {
    /** Keep the earliest assignments (lowest token positions). */
    POSITION,
    /** Keep the assignments with the largest gates. */
    GATE;

    /** "position" or "gate". */
    public static DropPolicy of(String name) {
      return switch (name) {
        case "position" -> POSITION;
        case "gate" -> GATE;
        default -> throw new IllegalArgumentException("drop policy must be \"position\" or \"gate\", got \"" + name + "\"");
      };
    }
  }

  /**
   * Dropless, or capacity-limited dropping by position.
   *
   * @param capacity max assignments per expert, or -1 for dropless
   */
  public static DispatchPlan build(int[] tokenIndex, int[] expertIndex, int numExperts, int capacity) {
    return build(tokenIndex, expertIndex, numExperts, capacity, DropPolicy.POSITION, null);
  }

  /**
   * @param capacity max assignments per expert, or -1 for dropless
   * @param gates [M] gate of each assignment; needed only for {@link DropPolicy#GATE} with a capacity
   */
  public static DispatchPlan build(int[] tokenIndex, int[] expertIndex, int numExperts, int capacity,
      DropPolicy policy, double[] gates) {
    int m = expertIndex.length;
    int[] counts = new int[numExperts];
    for (int e : expertIndex) {
      counts[e]++;
    }
    int[] start = new int[numExperts + 1]; // all assignments grouped by expert, stable
    for (int e = 0; e < numExperts; e++) {
      start[e + 1] = start[e] + counts[e];
    }
    int[] cursor = Arrays.copyOf(start, numExperts);
    int[] grouped = new int[m];
    for (int i = 0; i < m; i++) {
      grouped[cursor[expertIndex[i]]++] = i;
    }
    int[] offsets = new int[numExperts + 1];
    int[] order = new int[m];
    int dropped = 0;
    for (int e = 0; e < numExperts; e++) {
      int kept = capacity < 0 ? counts[e] : Math.min(counts[e], capacity);
      dropped += counts[e] - kept;
      int[] mine = Arrays.copyOfRange(grouped, start[e], start[e + 1]);
      if (kept < counts[e] && policy == DropPolicy.GATE) {
        mine = largestGates(mine, gates, kept);
      }
      System.arraycopy(mine, 0, order, offsets[e], kept);
      offsets[e + 1] = offsets[e] + kept;
    }
    order = Arrays.copyOf(order, offsets[numExperts]);
    int[] tokens = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      tokens[i] = tokenIndex[order[i]];
    }
    return new DispatchPlan(order, tokens, offsets, dropped);
  }

  /** The {@code keep} assignments of {@code mine} with the largest gates, back in assignment order. */
  private static int[] largestGates(int[] mine, double[] gates, int keep) {
    if (gates == null || gates.length <= Arrays.stream(mine).max().orElse(0)) {
      throw new IllegalArgumentException("drop policy \"gate\" needs a gate per assignment");
    }
    Integer[] byGate = Arrays.stream(mine).boxed().toArray(Integer[]::new);
    Arrays.sort(byGate, (a, b) -> gates[a] != gates[b] ? Double.compare(gates[b], gates[a]) : Integer.compare(a, b));
    int[] out = new int[keep];
    for (int i = 0; i < keep; i++) {
      out[i] = byGate[i];
    }
    Arrays.sort(out);
    return out;
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
