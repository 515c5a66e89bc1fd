package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.AttentionScores;
import dev.roundhouse.tensor.Broadcast;
import dev.roundhouse.tensor.Indexing;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention where each query group reads its own list of key rows (sparse attention, e.g. NSA's
 * selected blocks): keys and values are gathered per query group, then attended with batched gemms.
 *
 * <p>Legend: N query groups (e.g. B * Hk * T: one per batch, kv head and position), G query heads
 * per group, R key/value rows, S keys per group, dk, dv head dims. Cost O(N G S (dk + dv)) plus the
 * gather of N * S rows; memory O(N S (dk + dv)).
 *
 * <p>Forward: K_n = k[idx[n, :]], V_n = v[idx[n, :]], P = softmax(scale q_n K_n^T + mask) * rowValid,
 * out_n = P V_n, where mask is 0 for valid entries and very negative for invalid ones, and rowValid
 * zeroes groups without a valid key. Backward: as {@link AttentionOps} per group, then the key and
 * value gradients scatter-add back onto their rows (duplicate rows accumulate).
 */
public final class GatheredAttention {
  private GatheredAttention() {}

  /**
   * q: [N, G, dk], k: [R, dk], v: [R, dv] -> [N, G, dv].
   *
   * @param idx N * S row indices into k and v, row-major (group n uses idx[n*S .. n*S + S - 1])
   * @param valid [N, S], nonzero where the gathered key counts; invalid entries are ignored
   */
  public static Tensor attend(Tensor q, Tensor k, Tensor v, int[] idx, INDArray valid, double scale) {
    if (q.rank() != 3 || k.rank() != 2 || v.rank() != 2 || k.size(1) != q.size(2) || v.size(0) != k.size(0)) {
      throw new IllegalArgumentException("gatheredAttention expects q [N,G,dk], k [R,dk], v [R,dv], got q "
          + Arrays.toString(q.shape()) + ", k " + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
    }
    long n = q.size(0);
    long g = q.size(1);
    long dk = q.size(2);
    long dv = v.size(1);
    int r = (int) k.size(0);
    if (valid.rank() != 2 || valid.size(0) != n || (long) idx.length != n * valid.size(1)) {
      throw new IllegalArgumentException("gatheredAttention: valid must be [N=" + n + ", S] and idx N * S long, got valid "
          + Arrays.toString(valid.shape()) + ", idx " + idx.length);
    }
    long s = valid.size(1);
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= r) {
        throw new IllegalArgumentException("gatheredAttention: idx[" + i + "] = " + idx[i] + " is outside [0, " + r + ")");
      }
    }
    INDArray vis = valid.castTo(q.dataType()); // [N, S]
    INDArray rowValid2 = vis.max(true, 1); // [N, 1]
    // 0 or MASKED; groups without a valid key stay unmasked (a finite softmax, zeroed below)
    INDArray maskAdd = vis.rsub(1.0).muli(AttentionScores.MASKED).muli(Broadcast.expand(rowValid2, new long[] {n, s}))
        .reshape(n, 1, s);
    INDArray rowValid = rowValid2.reshape(n, 1, 1); // [N, 1, 1]
    boolean emptyRows = rowValid.minNumber().doubleValue() == 0.0;

    INDArray q3 = AttentionScores.batched(q.data(), n, g, dk);
    INDArray kSel = Indexing.gatherRows(contiguous(k.data()), Indexing.indexVector(idx)).reshape('c', n, s, dk); // [N, S, dk]
    INDArray vSel = Indexing.gatherRows(contiguous(v.data()), Indexing.indexVector(idx)).reshape('c', n, s, dv); // [N, S, dv]
    INDArray p = MatOps.gemm(q3, kSel, false, true).muli(scale); // [N, G, S]
    p.addi(Broadcast.expand(maskAdd, p.shape()));
    AttentionScores.softmaxInPlace(p);
    if (emptyRows) {
      p.muli(Broadcast.expand(rowValid, p.shape()));
    }
    INDArray out = MatOps.gemm(p, vSel, false, false); // [N, G, dv]
    return Tensor.result(out, dOut -> {
      INDArray dO = AttentionScores.batched(dOut, n, g, dv);
      AttentionScores.Grads gr = AttentionScores.backward(dO, out, p, q3, kSel, vSel, null, scale, q.requiresGrad(),
          k.requiresGrad(), v.requiresGrad());
      if (gr.dv() != null) {
        v.addGradOwned(Indexing.scatterAddRows(gr.dv().reshape('c', n * s, dv), Indexing.indexVector(idx), r));
      }
      if (gr.dq() != null) {
        q.addGradOwned(gr.dq().reshape(q.shape()));
      }
      if (gr.dk() != null) {
        k.addGradOwned(Indexing.scatterAddRows(gr.dk().reshape('c', n * s, dk), Indexing.indexVector(idx), r));
      }
    }, q, k, v);
  }

  private static INDArray contiguous(INDArray x) {
    return AttentionScores.rowMajor(x) && x.offset() == 0 ? x : x.dup('c');
  }
}
