package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Shared score arithmetic of the attention kernels ({@link AttentionOps}, {@link BandedAttention} here, and
 * the attention plugin's own kernels): optional logit soft-capping, masked softmax and the softmax backward.
 * Public for those plugin kernels; a helper for writing attention kernels, not one of the {@link F} ops.
 *
 * <p>Soft-capping (Gemma 2): z = cap * tanh(s / cap), so dz/ds = 1 - tanh^2. Masked entries get
 * {@link #MASKED} added, a large finite negative. A row with no visible key must not be masked at all
 * (libnd4j's softmax of an all-masked row is NaN): the ops leave such rows unmasked and zero them.
 */
public final class AttentionScores {
  private AttentionScores() {}

  /** Added to the scores of invisible keys. */
  public static final double MASKED = -1e30;

  /** s (already scaled) soft-capped in place when cap > 0; returns tanh(s / cap), or null when cap <= 0. */
  public static INDArray softCap(INDArray s, double cap) {
    if (cap <= 0) {
      return null;
    }
    Transforms.tanh(s.divi(cap), false);
    INDArray t = s.dup();
    s.muli(cap);
    return t;
  }

  /** Softmax over the last dim, in place. */
  public static INDArray softmaxInPlace(INDArray s) {
    return Nd4j.exec(new SoftMax(s, s, -1))[0];
  }

  /**
   * dS (already multiplied by scale) from dP = dO V^T, in place on dP: P * (dP - rowDot), times
   * (1 - t^2) when soft-capped, times scale. rowDot = rowsum(dO * O) (equal to rowsum(dP * P)).
   */
  static INDArray scoreGrad(INDArray dp, INDArray p, INDArray rowDot, INDArray tanh, double scale) {
    dp.subi(rowDot).muli(p);
    if (tanh != null) {
      dp.muli(tanh.mul(tanh).rsubi(1.0));
    }
    return dp.muli(scale);
  }

  /** The gradients of one batched attention product, in its [N, rows, d] layout; null where not asked for. */
  public record Grads(INDArray dq, INDArray dk, INDArray dv) {}

  /**
   * Backward of out = P V with P = softmax(scale * Q K^T, masked, optionally soft-capped), all
   * batched over N: dO, out: [N, Rq, dv]; p: [N, Rq, Rk]; q: [N, Rq, dk]; k: [N, Rk, dk]; v: [N, Rk, dv];
   * tanh: the soft-cap's tanh, or null. dV = P^T dO, dQ = dS K, dK = dS^T Q (dS from {@link
   * #scoreGrad}); dS is computed only when dQ or dK is wanted. Callers map the results back to
   * their tensors' layouts.
   */
  public static Grads backward(INDArray dO, INDArray out, INDArray p, INDArray q, INDArray k, INDArray v, INDArray tanh,
      double scale, boolean wantQ, boolean wantK, boolean wantV) {
    INDArray dv = wantV ? MatOps.gemm(p, dO, true, false) : null;
    if (!wantQ && !wantK) {
      return new Grads(null, null, dv);
    }
    INDArray rowDot = dO.mul(out).sum(true, 2); // [N, Rq, 1]
    INDArray ds = scoreGrad(MatOps.gemm(dO, v, false, true), p, rowDot, tanh, scale);
    return new Grads(wantQ ? MatOps.gemm(ds, k, false, false) : null, wantK ? MatOps.gemm(ds, q, true, false) : null,
        dv);
  }

  /** x viewed as [batch, rows, cols] with row-major strides (copied only when x is not). */
  public static INDArray batched(INDArray x, long batch, long rows, long cols) {
    INDArray c = rowMajor(x) ? x : x.dup('c');
    return c.reshape('c', batch, rows, cols);
  }

  public static boolean rowMajor(INDArray x) {
    long[] shape = x.shape();
    long[] stride = x.stride();
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }
}
