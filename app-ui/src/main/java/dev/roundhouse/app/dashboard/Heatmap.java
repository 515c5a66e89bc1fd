package dev.roundhouse.app.dashboard;

import java.util.List;

/**
 * Expert load of one reporting window: {@code share[i][e]} = share of layer {@code layers.get(i)}'s
 * routed tokens that went to expert {@code e} (each row sums to 1, or 0 when the layer saw none).
 *
 * @param step the training step the window ends at
 * @param domain the domain shown, or null for all tokens
 */
public record Heatmap(long step, List<Integer> layers, double[][] share, String domain) {

  /** Number of cells with a non-zero share. */
  public int nonZeroCells() {
    int n = 0;
    for (double[] row : share) {
      for (double v : row) {
        n += v > 0 ? 1 : 0;
      }
    }
    return n;
  }

  public int experts() {
    return share.length == 0 ? 0 : share[0].length;
  }
}
