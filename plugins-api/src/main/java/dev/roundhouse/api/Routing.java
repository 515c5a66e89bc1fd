package dev.roundhouse.api;

import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The result of routing N tokens over E experts as M (token, expert, gate) assignments. Token
 * choice gives M = N * k; expert choice gives M = E * capacity with tokens appearing 0..E times.
 *
 * @param numTokens N
 * @param numExperts E
 * @param tokenIndex [M] row of x each assignment reads
 * @param expertIndex [M] expert of each assignment, in [0, E)
 * @param gates [M] differentiable weight of each assignment's expert output
 * @param losses named scalar losses, coefficients already applied (e.g. "aux", "z"); added to the
 *     training loss
 * @param stats named scalar diagnostics (not differentiated), e.g. "tokens_unrouted"
 */
public record Routing(
    int numTokens,
    int numExperts,
    int[] tokenIndex,
    int[] expertIndex,
    Tensor gates,
    Map<String, Tensor> losses,
    Map<String, Double> stats) {
  public Routing {
    if (tokenIndex.length != expertIndex.length || gates.data().length() != tokenIndex.length) {
      throw new IllegalArgumentException("routing arrays differ in length: tokens " + tokenIndex.length
          + ", experts " + expertIndex.length + ", gates " + Arrays.toString(gates.shape()));
    }
  }

  /** Assignments per expert: [E]. */
  public long[] tokensPerExpert() {
    long[] counts = new long[numExperts];
    for (int e : expertIndex) {
      counts[e]++;
    }
    return counts;
  }
}
