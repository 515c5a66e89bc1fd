package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The gemm-with-beta=1 gradient path of MatOps: accumulation into existing gradients. */
@ExtendWith(DoublePrecision.class)
class MatOpsAccumulateTest {

  @Test
  void parameterGradientsAccumulateAcrossBackwardPasses() {
    Parameter a = new Parameter("a", ParamRole.OTHER, Nd4j.randn(3, 4));
    Parameter w = new Parameter("w", ParamRole.OTHER, Nd4j.randn(5, 4));
    INDArray seed = Nd4j.randn(3, 5);
    MatOps.linearT(a, w).backward(seed);
    INDArray ga = a.grad().dup();
    INDArray gw = w.grad().dup();
    assertEquals(0, ga.sub(seed.mmul(w.data())).amaxNumber().doubleValue(), 1e-12); // dA = g W
    assertEquals(0, gw.sub(seed.transpose().mmul(a.data())).amaxNumber().doubleValue(), 1e-12); // dW = g^T A
    MatOps.linearT(a, w).backward(seed);
    assertEquals(0, a.grad().sub(ga.mul(2)).amaxNumber().doubleValue(), 1e-12);
    assertEquals(0, w.grad().sub(gw.mul(2)).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void intermediateUsedByTwoProductsGetsBothContributions() {
    // h = x * 1.5 (non-leaf) feeds two matmuls; its gradient arrives twice.
    var in = GradCheck.leaves(Nd4j.randn(3, 4), Nd4j.randn(4, 2), Nd4j.randn(4, 2), Nd4j.randn(6, 3));
    GradCheck.Result r = GradCheck.check(p -> {
      Tensor h = p.get(0).mul(1.5);
      Tensor y1 = MatOps.matmul(h, p.get(1));
      Tensor y2 = MatOps.matmul(h, p.get(2)).mul(y1);
      Tensor z = MatOps.matmul(p.get(3), h); // h as the right operand too: [6, 4]
      return Reductions.sumAll(y2).add(Reductions.sumAll(z.mul(z)));
    }, in);
    assertTrue(r.max() < 1e-6, "relative errors " + r.relativeErrors());
  }
}
