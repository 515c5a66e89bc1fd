package dev.roundhouse.tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sliding-window causal attention in O(T * W): key j is visible from query i iff i - W < j <= i.
 *
 * <p>Blocked, never a T x T matrix: positions are cut into nB = ceil(T / W) blocks of W (the last
 * padded with zeros); the queries of block c attend to the 2W keys of blocks c - 1 and c (block -1
 * is zero padding, always masked). Scores are [B*Hk*nB, G*W, 2W]: about 2 T W per head. A band mask
 * [W, 2W] (local query r sees local key j iff r < j <= W + r) is cached per (W, dtype).
 *
 * <p>Legend: B batch, H query heads, Hk kv heads (G = H / Hk), T positions, hd = dk, dv value dim.
 * Windows W >= T are full causal attention (computed with one block of T). Backward as in {@link
 * AttentionOps}; the gradients of the 2W-key blocks fold back onto the two blocks they came from.
 */
public final class BandedAttention {
  private BandedAttention() {}

  private record MaskKey(int w, DataType dtype) {}

  private static final Map<MaskKey, INDArray> MASKS = new ConcurrentHashMap<>();

  /**
   * q: [B, H, T, dk], k: [B, Hk, T, dk], v: [B, Hk, T, dv] (any strides) -> [B, H, T, dv].
   *
   * @param window W >= 1; W >= T is full causal attention
   * @param softCap logit cap (cap * tanh(s / cap)); 0 for none
   */
  public static Tensor attend(Tensor q, Tensor k, Tensor v, double scale, int window, double softCap) {
    long[] qs = q.shape();
    long[] ks = k.shape();
    long[] vs = v.shape();
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4 || ks[0] != qs[0] || ks[2] != qs[2] || ks[3] != qs[3]
        || vs[0] != qs[0] || vs[1] != ks[1] || vs[2] != qs[2]) {
      throw new IllegalArgumentException("bandedAttention expects q [B,H,T,dk], k [B,Hk,T,dk], v [B,Hk,T,dv], got q "
          + Arrays.toString(qs) + ", k " + Arrays.toString(ks) + ", v " + Arrays.toString(vs));
    }
    if (window < 1) {
      throw new IllegalArgumentException("bandedAttention: window must be >= 1, got " + window);
    }
    if (softCap < 0) {
      throw new IllegalArgumentException("bandedAttention: softCap must be >= 0 (0 = off), got " + softCap);
    }
    long b = qs[0];
    long h = qs[1];
    long t = qs[2];
    long dk = qs[3];
    long hk = ks[1];
    long dv = vs[3];
    if (h % hk != 0) {
      throw new IllegalArgumentException("bandedAttention: query heads (" + h + ") must be a multiple of kv heads ("
          + hk + ")");
    }
    long g = h / hk;
    long w = Math.min(window, t);
    long nb = (t + w - 1) / w;
    long bk = b * hk;
    DataType dt = q.dataType();

    INDArray q3 = toBlocks(q.data(), b, hk, g, t, nb, w, dk); // [B*Hk*nB, G*W, dk]
    INDArray k3 = keyBlocks(k.data(), bk, t, nb, w, dk); // [B*Hk*nB, 2W, dk]
    INDArray v3 = keyBlocks(v.data(), bk, t, nb, w, dv); // [B*Hk*nB, 2W, dv]
    INDArray p = MatOps.gemm(q3, k3, false, true).muli(scale); // [B*Hk*nB, G*W, 2W]
    INDArray tanh = AttentionScores.softCap(p, softCap);
    INDArray p5 = p.reshape(bk, nb, g, w, 2 * w);
    p5.addi(bandMask((int) w, dt)); // broadcast [W, 2W]
    p5.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all(),
        NDArrayIndex.interval(0, w)).assign(AttentionScores.MASKED); // block 0 has no previous block
    AttentionScores.softmaxInPlace(p);
    INDArray out3 = MatOps.gemm(p, v3, false, false); // [B*Hk*nB, G*W, dv]
    INDArray out = fromBlocks(out3, b, hk, g, t, nb, w, dv); // [B, H, T, dv]

    return Tensor.result(out, dOut -> {
      INDArray dO3 = toBlocks(dOut, b, hk, g, t, nb, w, dv); // [B*Hk*nB, G*W, dv]
      AttentionScores.Grads gr = AttentionScores.backward(dO3, out3, p, q3, k3, v3, tanh, scale, q.requiresGrad(),
          k.requiresGrad(), v.requiresGrad());
      if (gr.dv() != null) {
        v.addGradOwned(foldKeyBlocks(gr.dv(), bk, t, nb, w, dv).reshape(vs));
      }
      if (gr.dq() != null) {
        q.addGradOwned(fromBlocks(gr.dq(), b, hk, g, t, nb, w, dk));
      }
      if (gr.dk() != null) {
        k.addGradOwned(foldKeyBlocks(gr.dk(), bk, t, nb, w, dk).reshape(ks));
      }
    }, q, k, v);
  }

  /** x: [B, H, T, d] -> zero-padded to nB*W positions -> [B*Hk*nB, G*W, d] (group heads stacked per block). */
  private static INDArray toBlocks(INDArray x, long b, long hk, long g, long t, long nb, long w, long d) {
    INDArray padded = Nd4j.zeros(x.dataType(), b, hk * g, nb * w, d);
    padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, t), NDArrayIndex.all()).assign(x);
    return padded.reshape('c', b, hk, g, nb, w, d).permute(0, 1, 3, 2, 4, 5).dup('c').reshape('c', b * hk * nb, g * w, d);
  }

  /** Inverse of {@link #toBlocks}: [B*Hk*nB, G*W, d] -> [B, H, T, d] (a new contiguous array). */
  private static INDArray fromBlocks(INDArray x3, long b, long hk, long g, long t, long nb, long w, long d) {
    INDArray full = x3.reshape('c', b, hk, nb, g, w, d).permute(0, 1, 3, 2, 4, 5).dup('c')
        .reshape('c', b, hk * g, nb * w, d);
    if (nb * w == t) {
      return full;
    }
    return full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, t), NDArrayIndex.all()).dup('c');
  }

  /** k: [B, Hk, T, d] -> [B*Hk*nB, 2W, d]: block c holds positions (c-1)W .. (c+1)W - 1 (zeros outside 0..T-1). */
  private static INDArray keyBlocks(INDArray k, long bk, long t, long nb, long w, long d) {
    INDArray padded = Nd4j.zeros(k.dataType(), bk, (nb + 1) * w, d);
    padded.get(NDArrayIndex.all(), NDArrayIndex.interval(w, w + t), NDArrayIndex.all())
        .assign(k.reshape('c', bk, t, d));
    INDArray byBlock = padded.reshape('c', bk, nb + 1, w, d);
    INDArray prev = byBlock.get(NDArrayIndex.all(), NDArrayIndex.interval(0, nb), NDArrayIndex.all(), NDArrayIndex.all());
    INDArray cur = byBlock.get(NDArrayIndex.all(), NDArrayIndex.interval(1, nb + 1), NDArrayIndex.all(),
        NDArrayIndex.all());
    return Nd4j.concat(2, prev, cur).reshape('c', bk * nb, 2 * w, d);
  }

  /** Backward of {@link #keyBlocks}: [B*Hk*nB, 2W, d] -> [B*Hk, T, d], summing the two copies of each position. */
  private static INDArray foldKeyBlocks(INDArray g3, long bk, long t, long nb, long w, long d) {
    INDArray g4 = g3.reshape('c', bk, nb, 2 * w, d);
    INDArray padded = Nd4j.zeros(g3.dataType(), bk, nb + 1, w, d);
    padded.get(all4(0, nb)).addi(g4.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, w),
        NDArrayIndex.all()));
    padded.get(all4(1, nb + 1)).addi(g4.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(w, 2 * w),
        NDArrayIndex.all()));
    return padded.reshape('c', bk, (nb + 1) * w, d)
        .get(NDArrayIndex.all(), NDArrayIndex.interval(w, w + t), NDArrayIndex.all()).dup('c');
  }

  private static INDArrayIndex[] all4(long from, long to) {
    return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all(),
        NDArrayIndex.all()};
  }

  /** [W, 2W]: 0 where local key j is visible from local query r (r < j <= W + r), MASKED elsewhere. */
  static INDArray bandMask(int w, DataType dtype) {
    return MASKS.computeIfAbsent(new MaskKey(w, dtype), key -> {
      double[] m = new double[2 * w * w];
      for (int r = 0; r < w; r++) {
        for (int j = 0; j < 2 * w; j++) {
          m[r * 2 * w + j] = (j > r && j <= w + r) ? 0.0 : AttentionScores.MASKED;
        }
      }
      return StepArena.outside(() -> Nd4j.createFromArray(m).reshape(w, 2 * w).castTo(dtype));
    });
  }
}
