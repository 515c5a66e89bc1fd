package dev.roundhouse.plugins.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Attention;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Checks every attention variant must pass: DOUBLE gradient check of the whole block, causality. */
final class Checks {
  private Checks() {}

  static INDArray run(Attention a, INDArray x) {
    return a.forward(Tensor.constant(x)).data();
  }

  static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  /** Finite differences on x [b, t, d] and every parameter; relative error < tol. */
  static void gradOk(Attention block, long b, long t, long d, double tol) {
    List<Parameter> inputs = new ArrayList<>(GradCheck.leaves(Nd4j.randn(new long[] {b, t, d})));
    inputs.addAll(block.parameters());
    GradCheck.Result r = GradCheck.check(in -> block.forward(in.get(0)), inputs);
    List<String> names = new ArrayList<>(List.of("x"));
    block.parameters().forEach(p -> names.add(p.name()));
    assertTrue(r.max() < tol, "relative errors " + names + " " + r.relativeErrors());
  }

  /** Changing tokens after position t leaves outputs at positions <= t unchanged (and changes later ones). */
  static void causal(Attention block, long b, long t, long d) {
    INDArray x = Nd4j.randn(new long[] {b, t, d});
    INDArray base = run(block, x);
    for (int p = 0; p < t - 1; p++) {
      INDArrayIndex[] future = {NDArrayIndex.all(), NDArrayIndex.interval(p + 1, t), NDArrayIndex.all()};
      INDArrayIndex[] past = {NDArrayIndex.all(), NDArrayIndex.interval(0, p + 1), NDArrayIndex.all()};
      INDArray y = x.dup();
      y.get(future).addi(Nd4j.randn(y.get(future).shape()));
      INDArray out = run(block, y);
      assertEquals(0, maxDiff(out.get(past), base.get(past)), 1e-12, "positions <= " + p);
      assertTrue(maxDiff(out.get(future), base.get(future)) > 1e-9, "positions > " + p + " should change");
    }
  }

  static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
    var ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
  }
}
