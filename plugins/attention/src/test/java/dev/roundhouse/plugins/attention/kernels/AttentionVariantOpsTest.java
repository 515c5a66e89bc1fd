package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.BandedAttention;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import dev.roundhouse.tensor.Unstack;
import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.attention.kernels.GradAssert.assertGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** MaskedAttention, BandedAttention, GatheredAttention: identities against AttentionOps and DOUBLE grad checks. */
@ExtendWith(DoublePrecision.class)
class AttentionVariantOpsTest {
  static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  static INDArray randn(long... shape) {
    return Nd4j.randn(DataType.DOUBLE, shape);
  }

  static INDArray causalRef(INDArray q, INDArray k, INDArray v, int window) {
    return AttentionOps.causalAttention(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v),
        1.0 / Math.sqrt(q.size(3)), window, null).data();
  }

  @Test
  void maskedWithCausalMaskEqualsCausalAttention() {
    INDArray q = randn(2, 4, 6, 3);
    INDArray k = randn(2, 2, 6, 3);
    INDArray v = randn(2, 2, 6, 3);
    INDArray got = MaskedAttention.attend(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v),
        1.0 / Math.sqrt(3), 0, MaskedAttention.causal(6, DataType.DOUBLE)).out().data();
    assertEquals(0, maxDiff(got, causalRef(q, k, v, 0)), 1e-12);
  }

  @Test
  void maskedSoftCapMatchesExplicitCappedScores() {
    INDArray q = randn(1, 1, 3, 2).muli(4);
    INDArray k = randn(1, 1, 3, 2).muli(4);
    INDArray v = randn(1, 1, 3, 5);
    double cap = 2.0;
    INDArray p = MaskedAttention.attend(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v), 0.5, cap,
        MaskedAttention.causal(3, DataType.DOUBLE)).probs();
    // row 2 sees all three keys: softmax(cap * tanh(0.5 q k^T / cap))
    INDArray s = q.get(NDArrayIndex.point(0), NDArrayIndex.point(0)).mmul(
        k.get(NDArrayIndex.point(0), NDArrayIndex.point(0)).transpose()).muli(0.5 / cap);
    INDArray z = Transforms.tanh(s, true).muli(cap).getRow(2);
    INDArray e = Transforms.exp(z.sub(z.maxNumber()), true);
    INDArray expected = e.div(e.sumNumber());
    assertEquals(0, maxDiff(p.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.point(2)), expected), 1e-12);
    assertTrue(p.getDouble(0, 0, 0, 1) == 0 && p.getDouble(0, 0, 0, 2) == 0, "future keys get no mass");
  }

  @Test
  void maskedGradCheckWithCapGqaWiderValuesAndAnEmptyRow() {
    // 3 queries over 4 keys; query 0 sees nothing (its output must be 0)
    INDArray vis = Nd4j.createFromArray(new double[][] {{0, 0, 0, 0}, {1, 1, 0, 0}, {1, 0, 1, 1}});
    var in = GradCheck.leaves(randn(2, 4, 3, 3), randn(2, 2, 4, 3), randn(2, 2, 4, 5));
    assertGrad(GradCheck.check(x -> MaskedAttention.attend(x.get(0), x.get(1), x.get(2), 0.7, 1.5, vis).out(), in));
    INDArray out = MaskedAttention.attend(in.get(0), in.get(1), in.get(2), 0.7, 0, vis).out().data();
    assertEquals(0, out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).amaxNumber().doubleValue(), 0);
    assertTrue(Double.isFinite(out.sumNumber().doubleValue()));
  }

  @Test
  void bandedEqualsWindowedCausalAttentionForManyLengths() {
    int[][] cases = {{7, 3}, {8, 4}, {5, 8}, {9, 1}, {6, 6}, {10, 4}};
    for (int[] c : cases) {
      int t = c[0];
      int w = c[1];
      INDArray q = randn(2, 4, t, 3);
      INDArray k = randn(2, 2, t, 3);
      INDArray v = randn(2, 2, t, 3);
      INDArray got = BandedAttention.attend(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v),
          1.0 / Math.sqrt(3), w, 0).data();
      INDArray expected = causalRef(q, k, v, w >= t ? 0 : w);
      assertEquals(0, maxDiff(got, expected), 1e-12, "T=" + t + " W=" + w);
    }
  }

  @Test
  void bandedWithCapEqualsMaskedWithBandMask() {
    int t = 7;
    int w = 3;
    double[][] m = new double[t][t];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < t; j++) {
        m[i][j] = j <= i && j > i - w ? 1 : 0;
      }
    }
    INDArray q = randn(1, 2, t, 4).muli(3);
    INDArray k = randn(1, 1, t, 4).muli(3);
    INDArray v = randn(1, 1, t, 2);
    INDArray got = BandedAttention.attend(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v), 0.5, w, 1.0).data();
    INDArray expected = MaskedAttention.attend(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v), 0.5, 1.0,
        Nd4j.createFromArray(m)).out().data();
    assertEquals(0, maxDiff(got, expected), 1e-12);
  }

  @Test
  void bandedGradCheck() {
    var in = GradCheck.leaves(randn(1, 4, 7, 2), randn(1, 2, 7, 2), randn(1, 2, 7, 3));
    assertGrad(GradCheck.check(x -> BandedAttention.attend(x.get(0), x.get(1), x.get(2), 0.6, 3, 0), in));
    assertGrad(GradCheck.check(x -> BandedAttention.attend(x.get(0), x.get(1), x.get(2), 0.6, 2, 1.2), in));
  }

  @Test
  void bandedInsideAStepArenaMatchesOutside() {
    INDArray q = randn(1, 2, 9, 4);
    INDArray k = randn(1, 2, 9, 4);
    INDArray v = randn(1, 2, 9, 4);
    INDArray outside = BandedAttention.attend(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v), 0.5, 4, 0).data();
    for (int step = 0; step < 5; step++) {
      try (StepArena arena = StepArena.open("banded-test")) {
        var in = GradCheck.leaves(q, k, v);
        Tensor out = BandedAttention.attend(in.get(0), in.get(1), in.get(2), 0.5, 4, 0);
        Reductions.sumAll(out).backward();
        assertEquals(0, maxDiff(out.data(), outside), 1e-12);
        assertTrue(Double.isFinite(in.get(1).grad().sumNumber().doubleValue()));
      }
    }
  }

  /** idx/valid that let every (b, kv head, t) group read keys 0..t of its own sequence: full causal attention. */
  static Object[] causalGather(int b, int hk, int t) {
    int n = b * hk * t;
    int[] idx = new int[n * t];
    double[][] valid = new double[n][t];
    for (int row = 0; row < n; row++) {
      int pos = row % t;
      int seqStart = row - pos;
      for (int j = 0; j < t; j++) {
        // keys listed in reverse order to show order does not matter; invalid ones point at row 0
        int key = t - 1 - j;
        idx[row * t + j] = key <= pos ? seqStart + key : 0;
        valid[row][j] = key <= pos ? 1 : 0;
      }
    }
    return new Object[] {idx, Nd4j.createFromArray(valid)};
  }

  /** q: [B, H, T, hd] -> [B*Hk*T, G, hd] (the grouping GatheredAttention expects). */
  static Tensor groupQueries(Tensor q, int hk) {
    long b = q.size(0);
    long h = q.size(1);
    long t = q.size(2);
    long hd = q.size(3);
    Tensor q5 = Shapes.permute(Shapes.reshape(q, b, hk, h / hk, t, hd), 0, 1, 3, 2, 4);
    return Shapes.reshape(Shapes.contiguous(q5), b * hk * t, h / hk, hd);
  }

  @Test
  void gatheredOverAllCausalKeysEqualsCausalAttention() {
    int b = 2;
    int h = 4;
    int hk = 2;
    int t = 5;
    INDArray q = randn(b, h, t, 3);
    INDArray k = randn(b, hk, t, 3);
    INDArray v = randn(b, hk, t, 3);
    Object[] sel = causalGather(b, hk, t);
    Tensor out3 = GatheredAttention.attend(groupQueries(Tensor.constant(q), hk), Tensor.constant(k.reshape(b * hk * t, 3)),
        Tensor.constant(v.reshape(b * hk * t, 3)), (int[]) sel[0], (INDArray) sel[1], 1.0 / Math.sqrt(3));
    INDArray got = out3.data().reshape(b, hk, t, h / hk, 3).permute(0, 1, 3, 2, 4).dup('c').reshape(b, h, t, 3);
    assertEquals(0, maxDiff(got, causalRef(q, k, v, 0)), 1e-12);
  }

  @Test
  void gatheredGradCheckWithInvalidEntriesAndSharedRows() {
    int[] idx = {0, 2, 2, 5, 1, 3, 4, 4, 0}; // rows used by several groups accumulate
    INDArray valid = Nd4j.createFromArray(new double[][] {{1, 1, 0}, {1, 0, 1}, {0, 1, 1}});
    var in = GradCheck.leaves(randn(3, 2, 4), randn(6, 4), randn(6, 3));
    assertGrad(GradCheck.check(x -> GatheredAttention.attend(x.get(0), x.get(1), x.get(2), idx, valid, 0.8), in));
    assertThrows(IllegalArgumentException.class, () -> GatheredAttention.attend(in.get(0), in.get(1), in.get(2),
        new int[] {0, 1, 2, 3, 4, 5, 6, 0, 0}, valid, 1.0));
  }

  @Test
  void unstackStackRoundTripAndGradCheck() {
    var in = GradCheck.leaves(randn(4, 2, 3), randn(2, 3));
    assertGrad(GradCheck.check(x -> {
      List<Tensor> parts = Unstack.unstack(x.get(0));
      List<Tensor> outs = new ArrayList<>();
      Tensor state = x.get(1);
      for (Tensor p : parts) {
        state = Pointwise.tanh(state.mul(p).add(p)); // a recurrence reading each slice once
        outs.add(state);
      }
      outs.add(Unstack.unstack(x.get(0)).get(1)); // a second unstack of the same tensor
      return Unstack.stack(outs);
    }, in));
    INDArray x = randn(3, 2, 2);
    assertEquals(0, maxDiff(Unstack.stack(Unstack.unstack(Tensor.constant(x))).data(), x), 0);
  }

  @Test
  void causalConvValuesCausalityAndGradCheck() {
    INDArray x = randn(2, 6, 3);
    INDArray w = randn(4, 3);
    INDArray y = CausalConv.depthwise(Tensor.constant(x), Tensor.constant(w)).data();
    for (int t = 0; t < 6; t++) {
      for (int c = 0; c < 3; c++) {
        double acc = 0;
        for (int j = 0; j < 4 && j <= t; j++) {
          acc += w.getDouble(j, c) * x.getDouble(1, t - j, c);
        }
        assertEquals(acc, y.getDouble(1, t, c), 1e-12);
      }
    }
    var in = GradCheck.leaves(x, w);
    assertGrad(GradCheck.check(a -> CausalConv.depthwise(a.get(0), a.get(1)), in));
    var shortSeq = GradCheck.leaves(randn(1, 2, 3), w); // kernel longer than the sequence
    assertGrad(GradCheck.check(a -> CausalConv.depthwise(a.get(0), a.get(1)), shortSeq));
  }
}
