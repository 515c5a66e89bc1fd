package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.AttentionScores;
import dev.roundhouse.tensor.Broadcast;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Causal attention where each query reads only the key blocks selected for it (NSA's selected
 * branch): key j is visible from query i of group (b, kv head) iff block j / L is selected for that
 * query and j <= i.
 *
 * <p>Computed densely, never as per-query key copies: the scores q k^T of all keys (keys padded with
 * zeros to nS L when T is not a multiple of L), viewed as [B*Hk, G, T, nS, L], get two broadcast
 * additive masks: the shared causal mask [T, nS L] (cached) and the block mask [B*Hk, 1, T, nS, 1]
 * (MASKED where a block is not selected). No [T, T] mask per group is materialised. Cost O(B H T^2
 * (dk + dv)) in batched gemms, memory O(B H T^2) for P.
 *
 * <p>Legend: B batch, H query heads, Hk kv heads (G = H / Hk; a group shares its selection), T
 * positions, L block length, nS = ceil(T / L) blocks, dk, dv head dims. Forward: P = softmax(scale
 * q k^T + masks) * rowValid, out = P v, where rowValid is 0 for a query with no visible key (no
 * selected block at or before it; its output and gradient are 0). Backward as in {@link AttentionOps}.
 */
public final class SelectedBlockAttention {
  private SelectedBlockAttention() {}

  private record MaskKey(int t, int padded, DataType dtype) {}

  private static final Map<MaskKey, INDArray> CAUSAL = new ConcurrentHashMap<>();
  private static final Map<MaskKey, INDArray> BLOCK_CAUSAL = new ConcurrentHashMap<>();

  /**
   * q: [B, H, T, dk], k: [B, Hk, T, dk], v: [B, Hk, T, dv] (any strides) -> [B, H, T, dv].
   *
   * @param selected [B, Hk, T, nS], nonzero where block s is selected for query t (blocks after t
   *     are ignored: the causal mask hides them); not differentiated
   * @param blockLen L >= 1, with nS = ceil(T / L)
   */
  public static Tensor attend(Tensor q, Tensor k, Tensor v, INDArray selected, int blockLen, double scale) {
    long[] qs = q.shape();
    long[] ks = k.shape();
    long[] vs = v.shape();
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4 || ks[0] != qs[0] || ks[2] != qs[2] || ks[3] != qs[3]
        || vs[0] != qs[0] || vs[1] != ks[1] || vs[2] != qs[2] || qs[1] % ks[1] != 0) {
      throw new IllegalArgumentException("selectedBlockAttention expects q [B,H,T,dk], k [B,Hk,T,dk], v [B,Hk,T,dv] "
          + "with Hk dividing H, got q " + Arrays.toString(qs) + ", k " + Arrays.toString(ks) + ", v "
          + Arrays.toString(vs));
    }
    long b = qs[0];
    long h = qs[1];
    int t = Math.toIntExact(qs[2]);
    long dk = qs[3];
    long hk = ks[1];
    long dv = vs[3];
    long g = h / hk;
    if (blockLen < 1) {
      throw new IllegalArgumentException("selectedBlockAttention: blockLen must be >= 1, got " + blockLen);
    }
    int ns = (t + blockLen - 1) / blockLen;
    if (!Arrays.equals(selected.shape(), new long[] {b, hk, t, ns})) {
      throw new IllegalArgumentException("selectedBlockAttention: selected must be [B, Hk, T, nS] = [" + b + ", " + hk
          + ", " + t + ", " + ns + "], got " + Arrays.toString(selected.shape()));
    }
    int tp = ns * blockLen; // padded key count
    long bk = b * hk;
    DataType dt = q.dataType();

    INDArray sel = selected.castTo(dt).reshape('c', bk, 1, t, ns, 1);
    // rows with a selected block at or before them: max_s sel[., t, s] * [s L <= t]
    INDArray rowValid = Broadcast.binary("multiply", sel.reshape('c', bk, t, ns), blockCausal(t, blockLen, ns, dt))
        .max(true, 2).reshape('c', bk, 1, t, 1); // [B*Hk, 1, T, 1]
    boolean emptyRows = rowValid.minNumber().doubleValue() == 0.0;
    // MASKED where a block is not selected; rows without a visible key only get the causal mask (zeroed below)
    INDArray selAdd = sel.rsub(1.0).muli(AttentionScores.MASKED); // [B*Hk, 1, T, nS, 1]
    if (emptyRows) {
      inPlace("multiply", selAdd, rowValid.reshape('c', bk, 1, t, 1, 1));
    }

    INDArray q3 = AttentionScores.batched(q.data(), bk, g * t, dk); // [B*Hk, G*T, dk]
    INDArray k3 = padKeys(AttentionScores.batched(k.data(), bk, t, dk), tp); // [B*Hk, nS L, dk]
    INDArray v3 = padKeys(AttentionScores.batched(v.data(), bk, t, dv), tp); // [B*Hk, nS L, dv]
    INDArray p = MatOps.gemm(q3, k3, false, true).muli(scale); // [B*Hk, G*T, nS L]
    p.reshape(bk * g, t, tp).addi(causal(t, tp, dt)); // [T, nS L] shared
    inPlace("add", p.reshape(bk, g, t, ns, blockLen), selAdd);
    AttentionScores.softmaxInPlace(p);
    if (emptyRows) {
      inPlace("multiply", p.reshape(bk, g, t, tp), rowValid);
    }
    INDArray out3 = MatOps.gemm(p, v3, false, false); // [B*Hk, G*T, dv]
    INDArray out = out3.reshape(b, h, t, dv);
    return Tensor.result(out, dOut -> {
      INDArray dO3 = AttentionScores.batched(dOut, bk, g * t, dv);
      AttentionScores.Grads gr = AttentionScores.backward(dO3, out3, p, q3, k3, v3, null, scale, q.requiresGrad(),
          k.requiresGrad(), v.requiresGrad());
      if (gr.dv() != null) {
        v.addGradOwned(unpadKeys(gr.dv(), t).reshape(vs));
      }
      if (gr.dq() != null) {
        q.addGradOwned(gr.dq().reshape(qs));
      }
      if (gr.dk() != null) {
        k.addGradOwned(unpadKeys(gr.dk(), t).reshape(ks));
      }
    }, q, k, v);
  }

  /** x op= y in place, y broadcast onto x (libnd4j's broadcastable {@code add} / {@code multiply}). */
  private static void inPlace(String op, INDArray x, INDArray y) {
    Nd4j.exec(DynamicCustomOp.builder(op).addInputs(x, y).addOutputs(x).build());
  }

  /** x: [N, T, d] -> [N, tp, d], zero rows appended (x itself when tp == T). */
  private static INDArray padKeys(INDArray x, int tp) {
    long t = x.size(1);
    if (t == tp) {
      return x;
    }
    INDArray padded = Nd4j.zeros(x.dataType(), x.size(0), tp, x.size(2));
    padded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t), NDArrayIndex.all()).assign(x);
    return padded;
  }

  /** Gradient of {@link #padKeys}: [N, tp, d] -> [N, T, d]. */
  private static INDArray unpadKeys(INDArray x, int t) {
    return x.size(1) == t ? x : x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t), NDArrayIndex.all()).dup('c');
  }

  /** [T, tp] additive: 0 where key j <= query i, MASKED elsewhere (padded keys included); cached outside workspaces. */
  private static INDArray causal(int t, int tp, DataType dtype) {
    return CAUSAL.computeIfAbsent(new MaskKey(t, tp, dtype), key -> {
      double[] m = new double[t * tp];
      for (int i = 0; i < t; i++) {
        Arrays.fill(m, i * tp + i + 1, (i + 1) * tp, AttentionScores.MASKED);
      }
      return StepArena.outside(() -> Nd4j.createFromArray(m).reshape(t, tp).castTo(dtype));
    });
  }

  /** [T, nS] 1 where block s starts at or before query i (s L <= i); cached outside workspaces. */
  private static INDArray blockCausal(int t, int blockLen, int ns, DataType dtype) {
    return BLOCK_CAUSAL.computeIfAbsent(new MaskKey(t, blockLen, dtype), key -> {
      double[] m = new double[t * ns];
      for (int i = 0; i < t; i++) {
        Arrays.fill(m, i * ns, i * ns + i / blockLen + 1, 1.0);
      }
      return StepArena.outside(() -> Nd4j.createFromArray(m).reshape(t, ns).castTo(dtype));
    });
  }
}
