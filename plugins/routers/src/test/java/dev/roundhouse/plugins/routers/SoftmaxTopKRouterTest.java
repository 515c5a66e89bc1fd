package dev.roundhouse.plugins.routers;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.routers.RouterFixtures.softmax;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Softmax;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class SoftmaxTopKRouterTest {
  static final int D = 6;
  static final int E = 5;

  static Router router(SoftmaxTopKConfig config, int k, double std) {
    return softmax(config, D, E, k, std);
  }

  static SoftmaxTopKConfig noisy(double jitter, double std) {
    return new SoftmaxTopKConfig(null, null, null, null, jitter, std, null, null);
  }

  @Test
  void assignmentsAreRowMajorTopKOfSoftmax() {
    Router r = router(SoftmaxTopKConfig.defaults(), 2, 1.0);
    Parameter w = r.parameters().get(0);
    assertEquals(ParamRole.ROUTER, w.role());
    assertEquals("weight", w.name());
    assertArrayEquals(new long[] {E, D}, w.shape());
    INDArray x = Nd4j.randn(4, D);
    Routing routing = r.route(Tensor.constant(x), 2);
    INDArray probs = Softmax.softmax(Tensor.constant(x.mmul(w.data().transpose())), 1).data();
    assertEquals(4, routing.numTokens());
    assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2, 3, 3}, routing.tokenIndex());
    for (int m = 0; m < 8; m++) {
      int n = m / 2;
      int e = routing.expertIndex()[m];
      assertEquals(probs.getDouble(n, e), routing.gates().data().getDouble(m), 1e-12);
      if (m % 2 == 0) { // the first choice is the row's arg max, the second the runner-up
        assertEquals(probs.getRow(n).maxNumber().doubleValue(), routing.gates().data().getDouble(m), 1e-12);
        assertTrue(routing.gates().data().getDouble(m) >= routing.gates().data().getDouble(m + 1));
      }
    }
    assertEquals(List.of("aux"), List.copyOf(routing.losses().keySet()));
    assertEquals(0.0, routing.stats().get("logits_nonfinite"));
  }

  @Test
  void gatesAndLossesPassGradientChecks() {
    for (boolean normalize : new boolean[] {false, true}) {
      Router r = router(new SoftmaxTopKConfig(0.5, null, 0.1, normalize, null, null, null, null), 2, 1.0);
      var in = List.of(GradCheck.leaves(Nd4j.randn(6, D)).get(0), r.parameters().get(0));
      double gates = GradCheck.check(p -> r.route(p.get(0), 3).gates(), in).max();
      assertTrue(gates < 1e-6, "gates, normalize=" + normalize + ": " + gates);
      double z = GradCheck.check(p -> r.route(p.get(0), 3).losses().get("z"), in).max();
      assertTrue(z < 1e-6, "z: " + z);
    }
    for (String scope : new String[] {"batch", "sequence", "global"}) {
      Router r = router(SoftmaxTopKConfig.losses(0.5, scope, null), 2, 1.0);
      var in = List.of(GradCheck.leaves(Nd4j.randn(6, D)).get(0), r.parameters().get(0));
      String name = BalanceLosses.Scope.of("t", scope).lossName();
      double aux = GradCheck.check(p -> r.route(p.get(0), 3).losses().get(name), in).max();
      assertTrue(aux < 1e-6, scope + " aux: " + aux);
    }
  }

  @Test
  void noisyAndJitteredGatesPassGradientChecks() {
    SoftmaxTopKRouter r = (SoftmaxTopKRouter) router(
        new SoftmaxTopKConfig(0.5, null, 0.1, true, 0.2, 0.5, null, null), 2, 1.0);
    r.pinNoise();
    var in = List.of(GradCheck.leaves(Nd4j.randn(6, D)).get(0), r.parameters().get(0));
    assertTrue(GradCheck.check(p -> r.route(p.get(0), 6).gates(), in).max() < 1e-6);
    assertTrue(GradCheck.check(p -> r.route(p.get(0), 6).losses().get("aux"), in).max() < 1e-6);
    assertTrue(GradCheck.check(p -> r.route(p.get(0), 6).losses().get("z"), in).max() < 1e-6);
  }

  @Test
  void noiseOnlyInTrainingSeededPerStepAndResumable() {
    INDArray x = Nd4j.randn(16, D);
    Router clean = router(SoftmaxTopKConfig.defaults(), 2, 1.0);
    Router noisy = router(noisy(0.3, 1.0), 2, 0.0);
    noisy.parameters().get(0).data().assign(clean.parameters().get(0).data());
    INDArray cleanGates = clean.route(Tensor.constant(x), 16).gates().data();
    try (NoGrad ng = NoGrad.enter()) { // evaluation: no noise
      assertEquals(cleanGates, noisy.route(Tensor.constant(x), 16).gates().data());
    }
    INDArray a = noisy.route(Tensor.constant(x), 16).gates().data().dup();
    assertNotEquals(cleanGates, a);
    INDArray b = noisy.route(Tensor.constant(x), 16).gates().data().dup(); // next micro-batch: new draw
    assertNotEquals(a, b);
    var saved = noisy.state();
    noisy.afterOptimizerStep(new long[E]);
    INDArray step1 = noisy.route(Tensor.constant(x), 16).gates().data().dup();
    // a fresh router resumed from the step-0 state, then stepped, draws the same noise
    Router resumed = router(noisy(0.3, 1.0), 2, 0.0);
    resumed.parameters().get(0).data().assign(clean.parameters().get(0).data());
    resumed.loadState(saved);
    assertEquals(a, resumed.route(Tensor.constant(x), 16).gates().data());
    resumed.afterOptimizerStep(new long[E]);
    assertEquals(step1, resumed.route(Tensor.constant(x), 16).gates().data());
    assertEquals(1L, noisy.state().get(GateNoise.STATE_KEY).getLong(0));
    assertTrue(router(SoftmaxTopKConfig.defaults(), 2, 1.0).state().isEmpty());
  }

  @Test
  void normalizedGatesSumToOnePerToken() {
    Router r = router(new SoftmaxTopKConfig(null, null, null, true, null, null, null, null), 3, 1.0);
    INDArray gates = r.route(Tensor.constant(Nd4j.randn(4, D)), 4).gates().data().reshape(4, 3);
    assertEquals(0, gates.sum(1).sub(1.0).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void auxLossIsCoefForUniformRouting() {
    // zero router weight -> logits 0 -> every probability 1/E: E * sum_i f_i / E = 1
    Router r = router(SoftmaxTopKConfig.losses(0.03, null, null), 2, 0.0);
    Routing routing = r.route(Tensor.constant(Nd4j.randn(8, D)), 8);
    assertEquals(0.03, routing.losses().get("aux").item(), 1e-12);
    assertFalse(routing.losses().containsKey("z"));
    // a skewed router scores higher than uniform
    Router skewed = router(SoftmaxTopKConfig.losses(1.0, null, null), 2, 0.0);
    skewed.parameters().get(0).data().getRow(0).assign(5.0);
    Routing s = skewed.route(Tensor.constant(Nd4j.rand(8, D).addi(0.5)), 8);
    assertTrue(s.losses().get("aux").item() > 1.0, "skewed aux " + s.losses().get("aux").item());
  }

  @Test
  void zLossMatchesFormulaAndLossesAreOffAtZero() {
    Router r = router(SoftmaxTopKConfig.losses(0.0, null, 0.2), 1, 1.0);
    INDArray x = Nd4j.randn(3, D);
    Routing routing = r.route(Tensor.constant(x), 3);
    INDArray logits = x.mmul(r.parameters().get(0).data().transpose());
    double expected = 0;
    for (int n = 0; n < 3; n++) {
      double s = 0;
      for (int e = 0; e < E; e++) {
        s += Math.exp(logits.getDouble(n, e));
      }
      expected += Math.pow(Math.log(s), 2) / 3;
    }
    assertEquals(0.2 * expected, routing.losses().get("z").item(), 1e-12);
    assertFalse(routing.losses().containsKey("aux"));
  }

  @Test
  void nonFiniteLogitsAreCounted() {
    Router r = router(SoftmaxTopKConfig.defaults(), 1, 1.0);
    r.parameters().get(0).data().putScalar(0, 0, Double.NaN);
    INDArray x = Nd4j.ones(3, D);
    assertEquals(3.0, r.route(Tensor.constant(x), 3).stats().get("logits_nonfinite"));
  }

  @Test
  void routesInsideAStepArena() {
    Router r = router(noisy(0.1, 0.1), 2, 1.0);
    INDArray kept;
    try (StepArena arena = StepArena.open("router-test")) {
      Routing routing = r.route(Tensor.constant(Nd4j.randn(8, D)), 8);
      kept = StepArena.keep(routing.gates().data());
      r.afterOptimizerStep(routing.tokensPerExpert());
    }
    assertEquals(16, kept.length());
    assertFalse(r.state().get(GateNoise.STATE_KEY).isAttached());
  }

  @Test
  void configDefaultsAndValidation() {
    SoftmaxTopKConfig c = SoftmaxTopKConfig.defaults();
    assertEquals(0.01, c.auxLossCoef());
    assertEquals("batch", c.auxLossScope());
    assertEquals(0.0, c.zLossCoef());
    assertFalse(c.normalizeTopK());
    assertEquals(0.0, c.jitterEps());
    assertEquals(1, c.groups());
    assertEquals(1, c.topGroups());
    var bad = assertThrows(IllegalArgumentException.class, () -> SoftmaxTopKConfig.losses(-1.0, null, null));
    assertTrue(bad.getMessage().startsWith("auxLossCoef:"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> SoftmaxTopKConfig.losses(null, null, Double.NaN));
    assertTrue(bad.getMessage().startsWith("zLossCoef:"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> SoftmaxTopKConfig.losses(null, "token", null));
    assertTrue(bad.getMessage().startsWith("auxLossScope:"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> noisy(1.0, 0));
    assertTrue(bad.getMessage().startsWith("jitterEps:"), bad.getMessage());
    assertEquals("softmax-topk", new SoftmaxTopKRouterProvider().id());
    assertThrows(IllegalArgumentException.class,
        () -> router(c, 2, 1.0).route(Tensor.constant(Nd4j.randn(3, D + 1)), 3));
    bad = assertThrows(IllegalArgumentException.class,
        () -> router(new SoftmaxTopKConfig(null, null, null, null, null, null, 2, null), 2, 1.0));
    assertTrue(bad.getMessage().startsWith("groups:"), bad.getMessage());
  }
}
