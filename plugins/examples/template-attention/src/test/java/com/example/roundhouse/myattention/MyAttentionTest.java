package com.example.roundhouse.myattention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.api.Attention;
import dev.roundhouse.tensor.Tensor;
import dev.roundhouse.testing.DoublePrecision;
import dev.roundhouse.testing.GradChecks;
import dev.roundhouse.testing.TestContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** my-attention: shape, causality (a later position never changes an earlier output) and gradients. */
@ExtendWith(DoublePrecision.class)
class MyAttentionTest {
  private static Attention attention() {
    return new MyAttentionProvider().build(new MyAttentionConfig(null), TestContexts.attention(8, 2, 5, 0.5));
  }

  @Test
  void outputKeepsTheShapeAndIsCausal() {
    Attention a = attention();
    INDArray x = Nd4j.randn(2, 5, 8); // [B, T, d]
    INDArray y = a.forward(Tensor.constant(x)).data();
    assertArrayEquals(new long[] {2, 5, 8}, y.shape());
    INDArray changed = x.dup();
    changed.get(NDArrayIndex.all(), NDArrayIndex.point(4), NDArrayIndex.all()).addi(3.0); // only the last position
    INDArray y2 = a.forward(Tensor.constant(changed)).data();
    INDArray before = y.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4), NDArrayIndex.all());
    INDArray after = y2.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4), NDArrayIndex.all());
    assertEquals(0.0, before.sub(after).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Attention a = attention();
    INDArray x = Nd4j.randn(1, 4, 8);
    GradChecks.assertGradients(in -> a.forward(in.get(0)), 1e-6, x);
    GradChecks.assertParameterGradients(p -> a.forward(Tensor.constant(x)), a.parameters(), 1e-6);
  }
}
