package dev.roundhouse.plugins.attention.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.GradCheck;

/** The kernels' gradient-check tolerance (relative error, DOUBLE), as in the engine's own op tests. */
final class GradAssert {
  private GradAssert() {}

  static final double TOL = 1e-6;

  static void assertGrad(GradCheck.Result r) {
    assertTrue(r.max() < TOL, "relative errors " + r.relativeErrors());
  }
}
