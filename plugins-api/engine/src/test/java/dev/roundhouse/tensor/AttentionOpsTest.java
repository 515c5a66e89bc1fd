package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(DoublePrecision.class)
class AttentionOpsTest {
  static final int B = 2;
  static final int T = 5;
  static final int HD = 4;

  /** Explicit per-(batch, head, query) softmax over visible keys. q: [B,H,T,hd], k, v: [B,Hk,T,hd]. */
  static INDArray naive(INDArray q, INDArray k, INDArray v, double scale, int window, INDArray bias) {
    long h = q.size(1);
    long groups = h / k.size(1);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, q.shape());
    for (int b = 0; b < q.size(0); b++) {
      for (int head = 0; head < h; head++) {
        int kvHead = (int) (head / groups);
        for (int i = 0; i < q.size(2); i++) {
          double[] s = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            if (window > 0 && j <= i - window) {
              s[j] = Double.NEGATIVE_INFINITY;
              continue;
            }
            double dot = 0;
            for (int c = 0; c < q.size(3); c++) {
              dot += q.getDouble(b, head, i, c) * k.getDouble(b, kvHead, j, c);
            }
            s[j] = dot * scale + (bias == null ? 0 : bias.getDouble(i, j));
            max = Math.max(max, s[j]);
          }
          double z = 0;
          for (int j = 0; j <= i; j++) {
            s[j] = Math.exp(s[j] - max);
            z += s[j];
          }
          for (int c = 0; c < q.size(3); c++) {
            double acc = 0;
            for (int j = 0; j <= i; j++) {
              acc += s[j] / z * v.getDouble(b, kvHead, j, c);
            }
            out.putScalar(new long[] {b, head, i, c}, acc);
          }
        }
      }
    }
    return out;
  }

  static INDArray[] qkv(int h, int hk) {
    return new INDArray[] {
      Nd4j.randn(new long[] {B, h, T, HD}), Nd4j.randn(new long[] {B, hk, T, HD}), Nd4j.randn(new long[] {B, hk, T, HD})
    };
  }

  static INDArray attend(INDArray[] x, int window, INDArray bias) {
    return AttentionOps.causalAttention(Tensor.constant(x[0]), Tensor.constant(x[1]), Tensor.constant(x[2]),
        0.5, window, bias).data();
  }

  static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  @Test
  void matchesNaiveFullWindowedGqaAndBias() {
    INDArray[] mha = qkv(2, 2);
    INDArray[] gqa = qkv(4, 2);
    INDArray[] mqa = qkv(3, 1);
    INDArray bias = Nd4j.randn(T, T);
    assertEquals(0, maxDiff(attend(mha, 0, null), naive(mha[0], mha[1], mha[2], 0.5, 0, null)), 1e-12);
    assertEquals(0, maxDiff(attend(mha, 2, null), naive(mha[0], mha[1], mha[2], 0.5, 2, null)), 1e-12);
    assertEquals(0, maxDiff(attend(mha, 1, null), mha[2].reshape(B, 2, T, HD)), 1e-12); // window 1: self only
    assertEquals(0, maxDiff(attend(gqa, 0, null), naive(gqa[0], gqa[1], gqa[2], 0.5, 0, null)), 1e-12);
    assertEquals(0, maxDiff(attend(gqa, 3, bias), naive(gqa[0], gqa[1], gqa[2], 0.5, 3, bias)), 1e-12);
    assertEquals(0, maxDiff(attend(mqa, 2, null), naive(mqa[0], mqa[1], mqa[2], 0.5, 2, null)), 1e-12);
  }

  @Test
  void windowAtLeastTIsFullCausal() {
    INDArray[] x = qkv(4, 2);
    INDArray full = attend(x, 0, null);
    assertEquals(0, maxDiff(attend(x, T, null), full), 0);
    assertEquals(0, maxDiff(attend(x, T + 3, null), full), 0);
    assertTrue(maxDiff(attend(x, T - 1, null), full) > 1e-3, "a window shorter than T must change the output");
  }

  @Test
  void gqaEqualsMhaWithRepeatedKv() {
    INDArray[] gqa = qkv(4, 2);
    // kv head j serves query heads 2j and 2j+1
    INDArray kRep = Nd4j.concat(1, slice(gqa[1], 0), slice(gqa[1], 0), slice(gqa[1], 1), slice(gqa[1], 1));
    INDArray vRep = Nd4j.concat(1, slice(gqa[2], 0), slice(gqa[2], 0), slice(gqa[2], 1), slice(gqa[2], 1));
    INDArray expected = attend(new INDArray[] {gqa[0], kRep, vRep}, 0, null);
    assertEquals(0, maxDiff(attend(gqa, 0, null), expected), 1e-12);
  }

  private static INDArray slice(INDArray x, int head) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.interval(head, head + 1), NDArrayIndex.all(), NDArrayIndex.all());
  }

  @Test
  void causality() {
    INDArray[] x = qkv(4, 2);
    for (int window : new int[] {0, 2}) {
      INDArray base = attend(x, window, null);
      for (int t = 0; t < T - 1; t++) {
        INDArrayIndex[] future = {
          NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t + 1, T), NDArrayIndex.all()};
        INDArrayIndex[] past = {
          NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, t + 1), NDArrayIndex.all()};
        for (int which = 0; which < 3; which++) {
          INDArray[] y = {x[0].dup(), x[1].dup(), x[2].dup()};
          y[which].get(future).addi(Nd4j.randn(y[which].get(future).shape()).muli(3));
          INDArray out = attend(y, window, null);
          assertEquals(0, maxDiff(out.get(past), base.get(past)), 0, "input " + which + " at > " + t);
          assertTrue(maxDiff(out.get(future), base.get(future)) > 1e-6, "future must change");
        }
      }
    }
  }

  @Test
  void gradients() {
    INDArray bias = Nd4j.randn(T, T);
    var mha = GradCheck.leaves(qkv(2, 2));
    assertGrad(GradCheck.check(x -> AttentionOps.causalAttention(x.get(0), x.get(1), x.get(2), 0.5, 0, null), mha));
    var gqa = GradCheck.leaves(qkv(4, 2));
    assertGrad(GradCheck.check(x -> AttentionOps.causalAttention(x.get(0), x.get(1), x.get(2), 0.7, 3, bias), gqa));
  }

  @Test
  void gradientsThroughNonContiguousInputs() {
    // q, k, v stored [B, T, H, hd] and permuted to [B, H, T, hd], as a block's projections are
    var in = GradCheck.leaves(Nd4j.randn(new long[] {B, T, 4, HD}), Nd4j.randn(new long[] {B, T, 2, HD}),
        Nd4j.randn(new long[] {B, T, 2, HD}));
    assertGrad(GradCheck.check(x -> AttentionOps.causalAttention(Shapes.permute(x.get(0), 0, 2, 1, 3),
        Shapes.permute(x.get(1), 0, 2, 1, 3), Shapes.permute(x.get(2), 0, 2, 1, 3), 0.5, 2, null), in));
    INDArray q = in.get(0).data().permute(0, 2, 1, 3);
    INDArray k = in.get(1).data().permute(0, 2, 1, 3);
    INDArray v = in.get(2).data().permute(0, 2, 1, 3);
    assertEquals(0, maxDiff(attend(new INDArray[] {q, k, v}, 0, null), naive(q, k, v, 0.5, 0, null)), 1e-12);
  }

  @Test
  void onlyRequestedGradientsAndFloat() {
    var q = GradCheck.leaves(Nd4j.randn(new long[] {1, 2, 3, 4})).get(0);
    Tensor k = Tensor.constant(Nd4j.randn(new long[] {1, 1, 3, 4}));
    Reductions.sumAll(AttentionOps.causalAttention(q, k, k, 1.0, 0, null)).backward();
    assertTrue(q.grad().amaxNumber().doubleValue() > 0);
    Tensor f = Tensor.constant(Nd4j.randn(DataType.FLOAT, 1, 2, 3, 4));
    Tensor out = AttentionOps.causalAttention(f, f, f, 0.5, 0, null);
    assertEquals(DataType.FLOAT, out.dataType());
    assertArrayEquals(new long[] {1, 2, 3, 4}, out.shape());
  }

  @Test
  void rejectsBadShapes() {
    Tensor q = Tensor.constant(Nd4j.randn(new long[] {1, 3, 4, 2}));
    Tensor k = Tensor.constant(Nd4j.randn(new long[] {1, 2, 4, 2}));
    var e = assertThrows(IllegalArgumentException.class, () -> AttentionOps.causalAttention(q, k, k, 1, 0, null));
    assertTrue(e.getMessage().contains("multiple of kv heads"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AttentionOps.causalAttention(q, q, q, 1, -1, null));
    assertThrows(IllegalArgumentException.class,
        () -> AttentionOps.causalAttention(q, q, q, 1, 0, Nd4j.zeros(3, 3)));
  }
}
