package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Tensor#straightThrough}: products accumulate a cast node's gradient straight into its
 * source's gradient. The gradients equal those of a plain cast node that makes its own gradient
 * and hands it over (same products, the sum done in the product call instead of by an add), for a
 * dense product, grouped products and a chain of two straight-through nodes; and an fp32
 * straight-through node passes the finite-difference check.
 */
class StraightThroughTest {
  /** A cast node of the old form: its own gradient, handed to the source by its backward. */
  private static Tensor plainCast(Tensor source) {
    return Tensor.result(Bf16.convert(source.data(), DataType.BFLOAT16), source::addGrad, source);
  }

  private static INDArray[] gradients(boolean straight, INDArray x0, INDArray w0, INDArray e0, INDArray r) {
    Parameter x = new Parameter("x", ParamRole.OTHER, x0.dup());
    Parameter w = new Parameter("w", ParamRole.OTHER, w0.dup());
    Parameter e = new Parameter("e", ParamRole.OTHER, e0.dup()); // one expert weight
    try (StepArena arena = StepArena.open("test")) {
      Tensor h = x.mul(1.0); // a plain activation, as a norm's output
      Tensor h16 = straight ? Bf16.cast(h) : plainCast(h);
      Tensor w16 = straight ? Tensor.straightThrough(Bf16.convert(w.data(), DataType.BFLOAT16), w) : plainCast(w);
      Tensor e16 = straight ? Tensor.straightThrough(Bf16.convert(e.data(), DataType.BFLOAT16), e) : plainCast(e);
      Tensor again = straight ? Tensor.straightThrough(w16.data(), w16) : plainCast(w16); // a node of a node
      Tensor y = Elementwise.add(MatOps.linearT(h16, w16), MatOps.linearT(h16, again)); // [8, 6]
      Tensor z = GroupedProducts.linearT(h16, new int[] {0, 8}, List.of(e16)); // [8, 6]
      Reductions.sumAll(Elementwise.mul(Elementwise.add(y, z), Tensor.constant(r))).backward();
      return new INDArray[] {x.grad(), w.grad(), e.grad()}; // parameter gradients live outside the arena
    }
  }

  @Test
  void productsAccumulateIntoTheSourceGradientWithTheSameValues() {
    Nd4j.getRandom().setSeed(11);
    INDArray x0 = Nd4j.randn(DataType.FLOAT, 8, 12);
    INDArray w0 = Nd4j.randn(DataType.FLOAT, 6, 12);
    INDArray e0 = Nd4j.randn(DataType.FLOAT, 6, 12);
    INDArray r = Nd4j.randn(DataType.FLOAT, 8, 6);
    INDArray[] plain = gradients(false, x0, w0, e0, r);
    INDArray[] straight = gradients(true, x0, w0, e0, r);
    String[] names = {"x", "w", "e"};
    for (int i = 0; i < 3; i++) {
      assertEquals(DataType.FLOAT, straight[i].dataType(), names[i]);
      double scale = plain[i].amaxNumber().doubleValue();
      double err = straight[i].sub(plain[i]).amaxNumber().doubleValue();
      // the same fp32 terms summed in another order (accumulated in the product call): a few fp32 ulps
      assertTrue(err <= 1e-6 * Math.max(1.0, scale), names[i] + " gradient differs by " + err + " (largest " + scale + ")");
    }
  }

  @Test
  void fp32StraightThroughNodePassesTheGradientCheck() {
    Nd4j.getRandom().setSeed(12);
    INDArray r = Nd4j.randn(DataType.DOUBLE, 5, 4);
    GradCheck.Result check = GradCheck.check(p -> {
      Tensor alias = Tensor.straightThrough(p.get(1).data(), p.get(1)); // same values, gradient to the weight
      return Reductions.sumAll(MatOps.linearT(p.get(0), alias).mul(Tensor.constant(r)));
    }, GradCheck.leaves(Nd4j.randn(DataType.DOUBLE, 5, 3), Nd4j.randn(DataType.DOUBLE, 4, 3)), 1e-6);
    assertTrue(check.max() < 1e-7, check.relativeErrors().toString());
  }
}
