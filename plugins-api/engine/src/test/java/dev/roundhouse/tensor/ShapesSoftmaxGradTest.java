package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

@ExtendWith(DoublePrecision.class)
class ShapesSoftmaxGradTest {
  @Test
  void sliceConcatSplit() {
    var in = GradCheck.leaves(Nd4j.randn(new long[] {2, 5, 3}), Nd4j.randn(new long[] {2, 2, 3}));
    Tensor s = Shapes.slice(Tensor.constant(in.get(0).data()), 1, 1, 4);
    assertArrayEquals(new long[] {2, 3, 3}, s.shape());
    assertEquals(in.get(0).data().getDouble(1, 2, 0), s.data().getDouble(1, 1, 0), 0);
    assertGrad(GradCheck.check(x -> Shapes.slice(x.get(0), 1, 1, 4), in.subList(0, 1)));
    assertGrad(GradCheck.check(x -> Shapes.slice(x.get(0), -1, 2, 3), in.subList(0, 1)));
    // slice of a transposed (non-contiguous) view
    assertGrad(GradCheck.check(x -> Shapes.slice(Shapes.transpose(x.get(0), 0, 2), 0, 0, 2), in.subList(0, 1)));
    assertGrad(GradCheck.check(x -> Shapes.concat(1, x.get(0), x.get(1), x.get(0)), in));
    Tensor cat = Shapes.concat(1, Tensor.constant(in.get(0).data()), Tensor.constant(in.get(1).data()));
    assertEquals(in.get(1).data().getDouble(1, 1, 2), cat.data().getDouble(1, 6, 2), 0);
    assertGrad(GradCheck.check(x -> {
      List<Tensor> parts = Shapes.split(x.get(0), 1, 2, 1, 2);
      return Shapes.concat(1, parts.get(2), parts.get(0).mul(parts.get(2)));
    }, in.subList(0, 1)));
    // pieces of an intermediate (first piece allocates its gradient, the others add into it),
    // overlapping slices, a piece used twice, and reshape/permute views passed on as gradients
    assertGrad(GradCheck.check(x -> {
      Tensor h = Shapes.permute(Shapes.reshape(x.get(0).mul(x.get(0)), 2, 3, 5), 0, 2, 1); // [2, 5, 3]
      List<Tensor> parts = Shapes.split(h, 1, 1, 3, 1);
      Tensor over = Shapes.slice(h, 1, 0, 2);
      return Shapes.concat(1, parts.get(1).mul(parts.get(1)), parts.get(0).add(parts.get(2)),
          over, parts.get(1).add(Shapes.slice(h.mul(h), 1, 2, 5)).mul(2.0));
    }, in.subList(0, 1)));
    assertThrows(IllegalArgumentException.class, () -> Shapes.split(in.get(0), 1, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> Shapes.slice(in.get(0), 1, 3, 6));
  }

  @Test
  void softmaxRowsSumToOneAndMatchNaive() {
    INDArray x = Nd4j.randn(4, 6).muli(5);
    INDArray s = Softmax.softmax(Tensor.constant(x), 1).data();
    INDArray ones = Nd4j.ones(4);
    assertEquals(0, s.sum(1).sub(ones).amaxNumber().doubleValue(), 1e-12);
    INDArray e = Transforms.exp(x, true);
    INDArray naive = e.divColumnVector(e.sum(1));
    assertEquals(0, s.sub(naive).amaxNumber().doubleValue(), 1e-12);
    INDArray ls = Softmax.logSoftmax(Tensor.constant(x), -1).data();
    assertEquals(0, ls.sub(Transforms.log(naive, true)).amaxNumber().doubleValue(), 1e-12);
    // stable for huge logits
    INDArray big = Nd4j.createFromArray(new double[][] {{1000, 1000, -1000}});
    INDArray sb = Softmax.softmax(Tensor.constant(big), 1).data();
    assertEquals(0.5, sb.getDouble(0, 0), 1e-12);
    assertEquals(Math.log(0.5), Softmax.logSoftmax(Tensor.constant(big), 1).data().getDouble(0, 1), 1e-12);
  }

  @Test
  void softmaxLogSoftmaxLogSumExpGradients() {
    var in = GradCheck.leaves(Nd4j.randn(new long[] {2, 3, 4}), Nd4j.randn(new long[] {1, 3, 1}));
    for (int axis : new int[] {0, 1, 2}) {
      assertGrad(GradCheck.check(x -> Softmax.softmax(x.get(0), axis), in.subList(0, 1)));
      assertGrad(GradCheck.check(x -> Softmax.logSoftmax(x.get(0), axis), in.subList(0, 1)));
      assertGrad(GradCheck.check(x -> Reductions.logSumExp(x.get(0), axis, false), in.subList(0, 1)));
      assertGrad(GradCheck.check(x -> Reductions.logSumExp(x.get(0), axis, true), in.subList(0, 1)));
    }
    // broadcast input and a non-contiguous (permuted) input
    assertGrad(GradCheck.check(x -> Softmax.softmax(x.get(0).add(x.get(1)), 1), in));
    assertGrad(GradCheck.check(x -> Softmax.logSoftmax(Shapes.permute(x.get(0), 2, 0, 1), 2), in.subList(0, 1)));
    assertGrad(GradCheck.check(x -> Reductions.logSumExp(Shapes.transpose(x.get(0), 1, 2), 1, false), in.subList(0, 1)));
  }

  @Test
  void logSumExpValues() {
    INDArray x = Nd4j.randn(3, 5);
    INDArray got = Reductions.logSumExp(Tensor.constant(x), 1, false).data();
    assertArrayEquals(new long[] {3}, got.shape());
    INDArray naive = Transforms.log(Transforms.exp(x, true).sum(1), false);
    assertEquals(0, got.sub(naive).amaxNumber().doubleValue(), 1e-12);
  }
}
