package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.AttentionScores;
import dev.roundhouse.tensor.Broadcast;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scaled-dot-product attention with an explicit visibility mask, optional logit soft-capping and a
 * value head dim that may differ from the query/key head dim (MLA), with its own backward.
 *
 * <p>Legend: B batch, H query heads, Hk key/value heads (H = G * Hk, query head h reads kv head
 * h / G), Tq queries, S keys, dk query/key head dim, dv value head dim. As in {@link AttentionOps}
 * the G query heads of a group are stacked so every product is one batched gemm over B * Hk.
 *
 * <p>Forward: Z = softcap(scale * q k^T) + mask, P = softmax(Z) * rowValid, out = P v, where
 * rowValid is 0 for a query that sees no key (its output is zero, its gradient zero). Backward as in
 * {@link AttentionOps}, with dS multiplied by 1 - tanh^2 when capped. Cost O(B H Tq S (dk + dv)).
 */
public final class MaskedAttention {
  private MaskedAttention() {}

  /** out [B, H, Tq, dv] (differentiable) and the probabilities P [B, H, Tq, S] (a plain array). */
  public record Result(Tensor out, INDArray probs) {}

  /**
   * q: [B, H, Tq, dk], k: [B, Hk, S, dk], v: [B, Hk, S, dv] (any strides).
   *
   * @param scale multiplies q k^T
   * @param softCap logit cap (Gemma-2 style cap * tanh(s / cap)); 0 for none
   * @param visible [Tq, S], nonzero (or true) where key j is visible from query i; shared by batch and heads;
   *     or [B, Tq, S], one mask per batch row (document masking, see {@link #documentVisible}), shared by heads
   */
  public static Result attend(Tensor q, Tensor k, Tensor v, double scale, double softCap, INDArray visible) {
    long[] qs = q.shape();
    long[] ks = k.shape();
    long[] vs = v.shape();
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4 || ks[0] != qs[0] || vs[0] != qs[0] || ks[1] != vs[1]
        || ks[2] != vs[2] || ks[3] != qs[3]) {
      throw new IllegalArgumentException("maskedAttention expects q [B,H,Tq,dk], k [B,Hk,S,dk], v [B,Hk,S,dv], got q "
          + Arrays.toString(qs) + ", k " + Arrays.toString(ks) + ", v " + Arrays.toString(vs));
    }
    long b = qs[0];
    long h = qs[1];
    long tq = qs[2];
    long dk = qs[3];
    long hk = ks[1];
    long s = ks[2];
    long dv = vs[3];
    if (h % hk != 0) {
      throw new IllegalArgumentException("maskedAttention: query heads (" + h + ") must be a multiple of kv heads ("
          + hk + ")");
    }
    boolean perRow = visible.rank() == 3;
    if (!Arrays.equals(visible.shape(), new long[] {tq, s}) && !Arrays.equals(visible.shape(), new long[] {b, tq, s})) {
      throw new IllegalArgumentException("maskedAttention: visible must be [Tq, S] = [" + tq + ", " + s
          + "] or [B, Tq, S] = [" + b + ", " + tq + ", " + s + "], got " + Arrays.toString(visible.shape()));
    }
    if (softCap < 0) {
      throw new IllegalArgumentException("maskedAttention: softCap must be >= 0 (0 = off), got " + softCap);
    }
    long g = h / hk;
    DataType dt = q.dataType();
    INDArray vis = visible.castTo(dt); // [Tq, S] or [B, Tq, S], 0/1
    INDArray rowValid = vis.max(true, vis.rank() - 1); // [Tq, 1] or [B, Tq, 1]
    // 0 or MASKED; rows without a visible key stay unmasked (a finite softmax, zeroed below)
    INDArray maskAdd = vis.rsub(1.0).muli(AttentionScores.MASKED).muli(Broadcast.expand(rowValid, vis.shape()));
    boolean emptyRows = rowValid.minNumber().doubleValue() == 0.0;
    // broadcast over heads: [Tq, S] against [B*H, Tq, S], or [B, 1, Tq, S] against [B, H, Tq, S]
    long[] scoreShape = perRow ? new long[] {b, h, tq, s} : new long[] {b * h, tq, s};
    INDArray maskView = perRow ? maskAdd.reshape(b, 1, tq, s) : maskAdd;
    INDArray validView = Broadcast.expand(rowValid, vis.shape()).reshape(perRow ? new long[] {b, 1, tq, s}
        : new long[] {tq, s});

    INDArray q3 = AttentionScores.batched(q.data(), b * hk, g * tq, dk); // [B*Hk, G*Tq, dk]
    INDArray k3 = AttentionScores.batched(k.data(), b * hk, s, dk); // [B*Hk, S, dk]
    INDArray v3 = AttentionScores.batched(v.data(), b * hk, s, dv); // [B*Hk, S, dv]
    INDArray p = MatOps.gemm(q3, k3, false, true).muli(scale); // [B*Hk, G*Tq, S]
    INDArray tanh = AttentionScores.softCap(p, softCap);
    INDArray p4 = p.reshape(scoreShape);
    inPlace("add", p4, maskView);
    AttentionScores.softmaxInPlace(p);
    if (emptyRows) {
      inPlace("multiply", p4, validView); // 1 in rows with a visible key, else 0
    }
    INDArray out3 = MatOps.gemm(p, v3, false, false); // [B*Hk, G*Tq, dv]
    INDArray out = out3.reshape(b, h, tq, dv);
    Tensor result = Tensor.result(out, dOut -> {
      INDArray dO3 = AttentionScores.batched(dOut, b * hk, g * tq, dv);
      AttentionScores.Grads gr = AttentionScores.backward(dO3, out3, p, q3, k3, v3, tanh, scale, q.requiresGrad(),
          k.requiresGrad(), v.requiresGrad());
      if (gr.dv() != null) {
        v.addGradOwned(gr.dv().reshape(vs));
      }
      if (gr.dq() != null) {
        q.addGradOwned(gr.dq().reshape(qs));
      }
      if (gr.dk() != null) {
        k.addGradOwned(gr.dk().reshape(ks));
      }
    }, q, k, v);
    return new Result(result, p.reshape(b, h, tq, s));
  }

  /** target op= operand with numpy broadcasting inside libnd4j's op (operand broadcasts to target's shape). */
  private static void inPlace(String op, INDArray target, INDArray operand) {
    org.nd4j.linalg.factory.Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder(op).addInputs(target, operand)
        .addOutputs(target).build());
  }

  /**
   * Document masking: visible [B, T, T] in {@code dtype}, 1 where key j is visible from query i of
   * row b: same document id, j <= i, and (window > 0) i - window < j. Whole-array ops: the id
   * difference [B, T, 1] - [B, 1, T] compared to 0, times the cached causal band [T, T].
   *
   * @param ids [B, T] document ids (floating point, see {@code dev.roundhouse.api.DocumentIds})
   * @param window 0 for full causal attention, else the sliding window W
   */
  public static INDArray documentVisible(INDArray ids, int window, DataType dtype) {
    if (ids.rank() != 2) {
      throw new IllegalArgumentException("documentVisible: ids must be [B, T], got " + Arrays.toString(ids.shape()));
    }
    long b = ids.size(0);
    long t = ids.size(1);
    INDArray id = ids.castTo(dtype);
    INDArray diff = Broadcast.binary("subtract", id.reshape(b, t, 1), id.reshape(b, 1, t)); // [B, T, T]
    INDArray same = diff.eq(0.0).castTo(dtype); // [B, T, T] 0/1
    inPlace("multiply", same, band(Math.toIntExact(t), window, dtype)); // [T, T] broadcast over B
    return same;
  }

  private record BandKey(int t, int window, DataType dtype) {}

  private static final java.util.Map<BandKey, INDArray> BANDS = new java.util.concurrent.ConcurrentHashMap<>();

  /** [T, T] 0/1: j <= i and (window > 0) i - window < j; built once per key outside any workspace. */
  private static INDArray band(int t, int window, DataType dtype) {
    return BANDS.computeIfAbsent(new BandKey(t, window, dtype), key -> {
      double[] m = new double[t * t];
      for (int i = 0; i < t; i++) {
        for (int j = 0; j <= i; j++) {
          m[i * t + j] = window == 0 || j > i - window ? 1.0 : 0.0;
        }
      }
      return StepArena.outside(() -> org.nd4j.linalg.factory.Nd4j.createFromArray(m).reshape(t, t).castTo(dtype));
    });
  }

  /** visible[i, j] = 1 iff j <= i: plain causal attention over T positions, as a [T, T] array of {@code dtype}. */
  public static INDArray causal(int t, DataType dtype) {
    double[] m = new double[t * t];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j <= i; j++) {
        m[i * t + j] = 1.0;
      }
    }
    return org.nd4j.linalg.factory.Nd4j.createFromArray(m).reshape(t, t).castTo(dtype);
  }
}
