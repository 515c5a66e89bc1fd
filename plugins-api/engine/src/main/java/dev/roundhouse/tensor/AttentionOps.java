package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fused causal scaled-dot-product attention with its own backward.
 *
 * <p>Legend: B batch, H query heads, Hk key/value heads (H = G * Hk, GQA group size G), T positions,
 * hd head dim. Query head h reads kv head h / G. Queries of one group are stacked so every product is
 * one batched gemm over B * Hk without copying k or v per query head: q as [B*Hk, G*T, hd], k and v
 * as [B*Hk, T, hd], scores and probabilities P as [B*Hk, G*T, T] (= [B, H, T, T]).
 *
 * <p>Forward: S = scale * q k^T + mask (+ bias), P = softmax(S) over keys, out = P v. Backward from
 * dO: dV = P^T dO, dP = dO V^T, dS = P * (dP - rowsum(dP * P)) * scale, dQ = dS K, dK = dS^T Q; the
 * group stacking sums dK and dV over the query heads of a group. P and the output O are kept from the
 * forward pass; rowsum(dP * P) is computed as rowsum(dO * O), which is equal and cheaper.
 *
 * <p>Full causal attention (window 0 or >= T) longer than {@link BlockCausalAttention#DEFAULT_CHUNK}
 * positions is delegated to {@link BlockCausalAttention}: the same math over query chunks and their
 * key prefixes, so the key blocks above the diagonal are never computed.
 */
public final class AttentionOps {
  private AttentionOps() {}

  /**
   * q: [B, H, T, hd], k and v: [B, Hk, T, hd] (any strides) -> [B, H, T, hd].
   *
   * @param scale multiplies q k^T, usually 1 / sqrt(hd)
   * @param window 0 for full causal attention; otherwise key j is visible from query i iff i - window
   *     < j <= i (window >= T is full causal)
   * @param additiveBias [T, T] added to the scores (e.g. ALiBi), or null; not differentiated
   */
  public static Tensor causalAttention(Tensor q, Tensor k, Tensor v, double scale, int window, INDArray additiveBias) {
    long[] qs = q.shape();
    long[] ks = k.shape();
    if (q.rank() != 4 || k.rank() != 4 || !Arrays.equals(ks, v.shape())) {
      throw new IllegalArgumentException("causalAttention expects q [B,H,T,hd] and k, v [B,Hk,T,hd], got q "
          + Arrays.toString(qs) + ", k " + Arrays.toString(ks) + ", v " + Arrays.toString(v.shape()));
    }
    long b = qs[0];
    long h = qs[1];
    long t = qs[2];
    long hd = qs[3];
    long hk = ks[1];
    if (ks[0] != b || ks[2] != t || ks[3] != hd) {
      throw new IllegalArgumentException("causalAttention: k/v " + Arrays.toString(ks)
          + " do not match q " + Arrays.toString(qs) + " in batch, positions or head dim");
    }
    if (hk <= 0 || h % hk != 0) {
      throw new IllegalArgumentException("causalAttention: query heads (" + h + ") must be a multiple of kv heads ("
          + hk + ")");
    }
    if (window < 0) {
      throw new IllegalArgumentException("causalAttention: window must be >= 0 (0 = full causal), got " + window);
    }
    if (additiveBias != null && !Arrays.equals(additiveBias.shape(), new long[] {t, t})) {
      throw new IllegalArgumentException("causalAttention: additiveBias must be [T, T] = [" + t + ", " + t
          + "], got " + Arrays.toString(additiveBias.shape()));
    }
    if ((window == 0 || window >= t) && t > BlockCausalAttention.DEFAULT_CHUNK) {
      return BlockCausalAttention.attend(q, k, v, scale, additiveBias, BlockCausalAttention.DEFAULT_CHUNK);
    }
    long g = h / hk;
    INDArray q3 = AttentionScores.batched(q.data(), b * hk, g * t, hd); // [B*Hk, G*T, hd]
    INDArray k3 = AttentionScores.batched(k.data(), b * hk, t, hd); // [B*Hk, T, hd]
    INDArray v3 = AttentionScores.batched(v.data(), b * hk, t, hd); // [B*Hk, T, hd]

    INDArray scores = MatOps.gemm(q3, k3, false, true).muli(scale); // [B*Hk, G*T, T]
    INDArray mask = mask(t, window, q.dataType(), additiveBias); // [T, T]
    scores.reshape(b * h, t, t).addi(mask);
    INDArray p = Nd4j.exec(new SoftMax(scores, scores, -1))[0]; // in place: P [B*Hk, G*T, T]
    INDArray out3 = MatOps.gemm(p, v3, false, false); // [B*Hk, G*T, hd]
    INDArray out = out3.reshape(b, h, t, hd);

    return Tensor.result(out, dOut -> {
      INDArray dO3 = AttentionScores.batched(dOut, b * hk, g * t, hd); // [B*Hk, G*T, hd]
      if (v.requiresGrad()) {
        v.addGradOwned(MatOps.gemm(p, dO3, true, false).reshape(ks)); // dV = P^T dO
      }
      if (!q.requiresGrad() && !k.requiresGrad()) {
        return;
      }
      INDArray ds = MatOps.gemm(dO3, v3, false, true); // dP = dO V^T: [B*Hk, G*T, T]
      // rowsum(dP * P) = rowsum(dO * O): the same value from [.., hd] instead of [.., T] arrays
      INDArray rowDot = dO3.mul(out3).sum(true, 2); // [B*Hk, G*T, 1]
      ds.subi(rowDot).muli(p).muli(scale); // dS
      if (q.requiresGrad()) {
        q.addGradOwned(MatOps.gemm(ds, k3, false, false).reshape(qs)); // dQ = dS K
      }
      if (k.requiresGrad()) {
        k.addGradOwned(MatOps.gemm(ds, q3, true, false).reshape(ks)); // dK = dS^T Q
      }
    }, q, k, v);
  }

  /**
   * [T, T] additive mask in {@code dtype}: 0 where key j is visible from query i, -inf elsewhere,
   * plus the bias when given.
   */
  static INDArray mask(long t, int window, org.nd4j.linalg.api.buffer.DataType dtype, INDArray bias) {
    INDArray mask = MASKS.computeIfAbsent(new MaskKey(Math.toIntExact(t), window, dtype), AttentionOps::buildMask);
    return bias == null ? mask : mask.add(bias.castTo(dtype));
  }

  private record MaskKey(int t, int window, org.nd4j.linalg.api.buffer.DataType dtype) {}

  /** Masks are tiny and reused every step: built once, outside any workspace, and cached. */
  private static final java.util.Map<MaskKey, INDArray> MASKS = new java.util.concurrent.ConcurrentHashMap<>();

  private static INDArray buildMask(MaskKey key) {
    int n = key.t();
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        boolean visible = j <= i && (key.window() == 0 || j > i - key.window());
        m[i * n + j] = visible ? 0.0 : Double.NEGATIVE_INFINITY;
      }
    }
    // Not Nd4j.tri: it reads uninitialized memory inside a workspace (measured: NaN / garbage sums).
    try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return Nd4j.createFromArray(m).reshape(n, n).castTo(key.dtype());
    }
  }
}
