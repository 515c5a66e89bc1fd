package dev.roundhouse.plugins.attention;

import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.StepArena;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NSA's block bookkeeping for one sequence length T (no gradients flow through it).
 *
 * <p>Compressed block j covers positions [j d, j d + l) (nC = floor((T - l) / d) + 1 blocks, 0 when
 * T < l) and is visible from query t once complete: j d + l - 1 <= t. Selection block s covers
 * [s l', (s+1) l') (nS = ceil(T / l')); its importance for a query is the sum of the compressed
 * attention probabilities of the compressed blocks overlapping it, summed over the query heads of a
 * GQA group. Each query takes the top n causal blocks (s l' <= t), its own block always first; its
 * tokens after t are masked (by {@code SelectedBlockAttention}, which takes the picks as block flags).
 */
final class NsaSelection {
  final int t;
  final int l;
  final int d;
  final int lSel;
  final int n;
  final int nC;
  final int nS;
  final int nPick;
  /** [T, nC] 1 where compressed block j is visible from query t. */
  final INDArray compressedVisible;
  /** [T, nC] mean-pooling matrix transposed: pool[p, j] = 1/l for p in block j. */
  final INDArray poolT;
  /** [nC, nS] 1 where compressed block j overlaps selection block s. */
  final INDArray overlap;
  private final DataType dtype;

  NsaSelection(int t, int l, int d, int lSel, int n, DataType dtype) {
    this.t = t;
    this.l = l;
    this.d = d;
    this.lSel = lSel;
    this.n = n;
    this.nC = t >= l ? (t - l) / d + 1 : 0;
    this.nS = (t + lSel - 1) / lSel;
    this.nPick = Math.min(n, nS);
    double[] vis = new double[t * nC];
    double[] pool = new double[t * nC];
    double[] ov = new double[nC * nS];
    for (int j = 0; j < nC; j++) {
      int start = j * d;
      for (int p = start; p < start + l; p++) {
        pool[p * nC + j] = 1.0 / l;
      }
      for (int q = start + l - 1; q < t; q++) {
        vis[q * nC + j] = 1.0;
      }
      for (int s = start / lSel; s <= (start + l - 1) / lSel && s < nS; s++) {
        ov[j * nS + s] = 1.0;
      }
    }
    this.compressedVisible = StepArena.outside(() -> matrix(vis, t, nC, dtype));
    this.poolT = StepArena.outside(() -> matrix(pool, t, nC, dtype));
    this.overlap = StepArena.outside(() -> matrix(ov, nC, nS, dtype));
    this.dtype = dtype;
  }

  private static INDArray matrix(double[] v, int rows, int cols, DataType dtype) {
    return rows * cols == 0 ? Nd4j.zeros(dtype, rows, cols) : Nd4j.createFromArray(v).reshape(rows, cols).castTo(dtype);
  }

  /**
   * The picked selection blocks per row (b, kv head, t): {@code blocks[row * nPick + p]}, own block
   * first, -1 for a spare slot; and the same as a 0/1 matrix {@code selected} [rows, nS].
   */
  record Picked(int[] blocks, INDArray selected) {}

  /**
   * Picks, per row (b, kv head, t), the query's own block and then the nPick - 1 causal blocks of
   * highest importance (ties go to the later block; with fewer causal blocks the spare slots are
   * -1). A plain scan over int/double arrays (O(rows nPick nS)): libnd4j's top_k was seen to repeat
   * an index among tied values.
   *
   * @param importance [B*Hk*T, nS] block importances (summed over the group's heads), or null when
   *     there is no compressed block yet (all ties: the most recent blocks are picked)
   */
  Picked pick(INDArray importance, int groups) {
    int rows = groups * t;
    double[] imp = importance == null ? new double[rows * nS]
        : importance.castTo(DataType.DOUBLE).dup('c').reshape((long) rows * nS).toDoubleVector();
    int[] blocks = new int[rows * nPick];
    double[] selected = new double[rows * nS];
    for (int row = 0; row < rows; row++) {
      int own = (row % t) / lSel;
      int base = row * nS;
      blocks[row * nPick] = own;
      selected[base + own] = 1.0;
      for (int p = 1; p < nPick; p++) {
        int best = -1;
        for (int s = 0; s < own; s++) {
          if (selected[base + s] == 0.0 && (best < 0 || imp[base + s] >= imp[base + best])) {
            best = s;
          }
        }
        blocks[row * nPick + p] = best;
        if (best >= 0) {
          selected[base + best] = 1.0;
        }
      }
    }
    return new Picked(blocks, Nd4j.createFromArray(selected).reshape(rows, nS).castTo(dtype));
  }

  /** probs [B, H, T, nC] of the compressed branch -> importances [B*Hk*T, nS]. */
  INDArray importance(INDArray probs, int b, int hk, int g) {
    INDArray grouped = probs.reshape('c', b, hk, g, t, nC).sum(2); // [B, Hk, T, nC]
    return MatOps.gemm(grouped.reshape('c', (long) b * hk * t, nC), overlap, false, false);
  }
}
