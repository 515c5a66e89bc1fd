package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class PointwiseGradTest {
  /** Values away from 0 so the ReLU kink never lies inside a finite-difference step. */
  private static INDArray awayFromZero(long... shape) {
    INDArray r = Nd4j.randn(shape);
    return r.add(Nd4j.math().sign(r).muli(0.1));
  }

  private static void checkAll(Function<Tensor, Tensor> op, INDArray value) {
    var in = GradCheck.leaves(value);
    assertGrad(GradCheck.check(x -> op.apply(x.get(0)), in));
    // non-contiguous input: a transposed view
    var inT = GradCheck.leaves(value.transpose());
    assertGrad(GradCheck.check(x -> op.apply(Shapes.transpose(x.get(0), 0, 1)), inT));
    // broadcast: op(x) * w with w [1, n]
    var inB = GradCheck.leaves(value, Nd4j.randn(1, value.size(1)));
    assertGrad(GradCheck.check(x -> op.apply(x.get(0).mul(x.get(1))), inB));
  }

  @Test
  void gradientsOfFunctionsDefinedEverywhere() {
    INDArray v = awayFromZero(3, 4);
    List<Function<Tensor, Tensor>> ops = List.of(Pointwise::exp, Pointwise::square, Pointwise::tanh,
        Pointwise::sigmoid, Pointwise::silu, Pointwise::gelu, Pointwise::relu, Pointwise::relu2);
    for (Function<Tensor, Tensor> op : ops) {
      checkAll(op, v);
    }
  }

  @Test
  void gradientsOfFunctionsOfPositiveInputs() {
    INDArray v = Nd4j.rand(3, 4).addi(0.5);
    List<Function<Tensor, Tensor>> ops = List.of(Pointwise::log, Pointwise::sqrt, Pointwise::rsqrt,
        x -> Pointwise.pow(x, 3.0), x -> Pointwise.pow(x, -1.5), x -> Pointwise.pow(x, 0.7));
    for (Function<Tensor, Tensor> op : ops) {
      var in = GradCheck.leaves(v);
      assertGrad(GradCheck.check(x -> op.apply(x.get(0)), in));
      var inT = GradCheck.leaves(v.transpose());
      assertGrad(GradCheck.check(x -> op.apply(Shapes.transpose(x.get(0), 0, 1)), inT));
    }
  }

  private static void assertMatches(Function<Tensor, Tensor> op, DoubleUnaryOperator f, INDArray v) {
    INDArray got = op.apply(Tensor.constant(v)).data();
    for (long i = 0; i < v.length(); i++) {
      double x = v.getDouble(i);
      assertEquals(f.applyAsDouble(x), got.getDouble(i), 1e-12, "at x = " + x);
    }
  }

  @Test
  void valuesMatchScalarFormulas() {
    INDArray v = Nd4j.linspace(-4, 4, 17).reshape(17);
    double c = Math.sqrt(2 / Math.PI);
    assertMatches(Pointwise::gelu, x -> 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x))), v);
    assertMatches(Pointwise::silu, x -> x / (1 + Math.exp(-x)), v);
    assertMatches(Pointwise::relu2, x -> x > 0 ? x * x : 0, v);
    assertMatches(Pointwise::relu, x -> Math.max(x, 0), v);
    assertMatches(Pointwise::sigmoid, x -> 1 / (1 + Math.exp(-x)), v);
    INDArray pos = Nd4j.linspace(1, 16, 16).divi(4.0).reshape(16);
    assertMatches(Pointwise::rsqrt, x -> 1 / Math.sqrt(x), pos);
    assertMatches(x -> Pointwise.pow(x, 1.5), x -> Math.pow(x, 1.5), pos);
    assertEquals(0.5 * 1.0 * (1 + Math.tanh(c * 1.044715)), Pointwise.gelu(Tensor.constant(Nd4j.scalar(1.0))).item(), 1e-12);
  }
}
