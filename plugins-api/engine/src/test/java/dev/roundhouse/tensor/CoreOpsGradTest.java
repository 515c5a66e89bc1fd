package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class CoreOpsGradTest {
  static final double TOL = 1e-6;

  static void assertGrad(GradCheck.Result r) {
    assertTrue(r.max() < TOL, "relative errors " + r.relativeErrors());
  }

  @Test
  void matmul2d() {
    var in = GradCheck.leaves(Nd4j.randn(3, 4), Nd4j.randn(4, 5));
    assertGrad(GradCheck.check(x -> MatOps.matmul(x.get(0), x.get(1)), in));
  }

  @Test
  void matmulOfTransposedViewMatchesDense() {
    var a = Nd4j.randn(4, 3);
    var b = Nd4j.randn(4, 5);
    var expected = a.transpose().dup().mmul(b);
    var got = MatOps.matmul(Tensor.constant(a.transpose()), Tensor.constant(b)).data();
    assertEquals(0, expected.sub(got).amaxNumber().doubleValue(), 1e-12);
    var in = GradCheck.leaves(a, b);
    assertGrad(GradCheck.check(x -> MatOps.matmul(Shapes.transpose(x.get(0), 0, 1), x.get(1)), in));
  }

  @Test
  void batchedMatmul() {
    var in = GradCheck.leaves(Nd4j.randn(new long[] {2, 3, 4}), Nd4j.randn(new long[] {2, 4, 5}));
    assertGrad(GradCheck.check(x -> MatOps.matmul(x.get(0), x.get(1)), in));
    var a = in.get(0).data();
    var b = in.get(1).data();
    var out = MatOps.matmul(Tensor.constant(a), Tensor.constant(b)).data();
    var slice1 = a.slice(1).mmul(b.slice(1));
    assertEquals(0, out.slice(1).sub(slice1).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void rank3TimesMatrixAndLinearT() {
    var in = GradCheck.leaves(Nd4j.randn(new long[] {2, 3, 4}), Nd4j.randn(4, 5), Nd4j.randn(5, 4));
    assertGrad(GradCheck.check(x -> MatOps.matmul(x.get(0), x.get(1)), in.subList(0, 2)));
    assertGrad(GradCheck.check(x -> MatOps.linearT(x.get(0), x.get(1)), java.util.List.of(in.get(0), in.get(2))));
  }

  @Test
  void broadcastArithmetic() {
    var in = GradCheck.leaves(Nd4j.randn(3, 4), Nd4j.randn(1, 4), Nd4j.rand(3, 1).addi(1));
    assertGrad(GradCheck.check(x -> x.get(0).add(x.get(1)).mul(x.get(2)), in));
    assertGrad(GradCheck.check(x -> Elementwise.div(x.get(0).sub(x.get(1)), x.get(2)), in));
    var rank1 = GradCheck.leaves(Nd4j.randn(3, 4), Nd4j.randn(4));
    assertGrad(GradCheck.check(x -> x.get(0).mul(x.get(1)), rank1));
  }

  @Test
  void reductions() {
    var in = GradCheck.leaves(Nd4j.randn(new long[] {2, 3, 4}));
    assertGrad(GradCheck.check(x -> Reductions.sum(x.get(0), false, 1), in));
    assertGrad(GradCheck.check(x -> Reductions.mean(x.get(0), true, 0, 2), in));
    assertGrad(GradCheck.check(x -> Reductions.meanAll(x.get(0)), in));
  }

  @Test
  void gradientAccumulatesAcrossBackwardCalls() {
    var p = GradCheck.leaves(Nd4j.randn(2, 2)).get(0);
    Reductions.sumAll(p).backward();
    Reductions.sumAll(p).backward();
    assertEquals(8.0, p.grad().sumNumber().doubleValue(), 1e-12);
    p.zeroGrad();
    assertEquals(0.0, p.grad().sumNumber().doubleValue(), 0);
  }

  @Test
  void noGradRecordsNothing() {
    var p = GradCheck.leaves(Nd4j.randn(2, 2)).get(0);
    try (NoGrad g = NoGrad.enter()) {
      assertTrue(!p.mul(2).requiresGrad());
    }
    assertTrue(p.mul(2).requiresGrad());
  }
}
