package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.AttentionOpsTest.maxDiff;
import static dev.roundhouse.tensor.AttentionOpsTest.naive;
import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The chunked causal path against the naive reference, its gradients, and its use by causalAttention. */
@ExtendWith(DoublePrecision.class)
class BlockCausalAttentionTest {
  static INDArray[] qkv(int b, int h, int hk, int t, int hd) {
    return new INDArray[] {
      Nd4j.randn(new long[] {b, h, t, hd}), Nd4j.randn(new long[] {b, hk, t, hd}), Nd4j.randn(new long[] {b, hk, t, hd})
    };
  }

  static INDArray chunked(INDArray[] x, INDArray bias, int chunk) {
    return BlockCausalAttention.attend(Tensor.constant(x[0]), Tensor.constant(x[1]), Tensor.constant(x[2]), 0.5,
        bias, chunk).data();
  }

  @Test
  void everyChunkLengthMatchesNaiveWithGqaAndBias() {
    INDArray[] x = qkv(2, 4, 2, 7, 3); // T = 7: chunks of 2 leave a last chunk of 1
    INDArray bias = Nd4j.randn(7, 7);
    for (int chunk : new int[] {1, 2, 3, 7, 9}) {
      assertEquals(0, maxDiff(chunked(x, null, chunk), naive(x[0], x[1], x[2], 0.5, 0, null)), 1e-12, "chunk " + chunk);
      assertEquals(0, maxDiff(chunked(x, bias, chunk), naive(x[0], x[1], x[2], 0.5, 0, bias)), 1e-12, "bias, chunk " + chunk);
    }
  }

  @Test
  void gradientsAcrossChunks() {
    var in = GradCheck.leaves(qkv(2, 4, 2, 5, 3));
    INDArray bias = Nd4j.randn(5, 5);
    assertGrad(GradCheck.check(x -> BlockCausalAttention.attend(x.get(0), x.get(1), x.get(2), 0.7, bias, 2), in));
    // q, k, v stored [B, T, H, hd] and permuted, as the attention block's projections are
    var perm = GradCheck.leaves(Nd4j.randn(new long[] {1, 5, 2, 3}), Nd4j.randn(new long[] {1, 5, 2, 3}),
        Nd4j.randn(new long[] {1, 5, 2, 3}));
    assertGrad(GradCheck.check(x -> BlockCausalAttention.attend(Shapes.permute(x.get(0), 0, 2, 1, 3),
        Shapes.permute(x.get(1), 0, 2, 1, 3), Shapes.permute(x.get(2), 0, 2, 1, 3), 0.5, null, 3), perm));
  }

  @Test
  void onlyRequestedGradientsAreComputed() {
    INDArray[] x = qkv(1, 2, 1, 6, 2);
    var p = GradCheck.leaves(x[1]);
    Tensor q = Tensor.constant(x[0]);
    Reductions.sumAll(BlockCausalAttention.attend(q, p.get(0), Tensor.constant(x[2]), 1.0, null, 4)).backward();
    assertEquals(null, q.grad());
    assertEquals(true, p.get(0).grad().amaxNumber().doubleValue() > 0);
  }

  @Test
  void causalAttentionUsesChunksBeyondTheDefaultChunkAndStaysExact() {
    int t = BlockCausalAttention.DEFAULT_CHUNK + 3;
    INDArray[] x = qkv(1, 2, 1, t, 2);
    INDArray full = AttentionOps.causalAttention(Tensor.constant(x[0]), Tensor.constant(x[1]),
        Tensor.constant(x[2]), 0.5, 0, null).data();
    assertEquals(0, maxDiff(full, naive(x[0], x[1], x[2], 0.5, 0, null)), 1e-12);
    INDArray wide = AttentionOps.causalAttention(Tensor.constant(x[0]), Tensor.constant(x[1]),
        Tensor.constant(x[2]), 0.5, t + 5, null).data(); // window >= T is full causal attention
    assertEquals(0, maxDiff(wide, full), 1e-12);
  }
}
