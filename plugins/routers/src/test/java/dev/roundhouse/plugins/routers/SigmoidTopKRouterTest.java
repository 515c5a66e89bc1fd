package dev.roundhouse.plugins.routers;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.routers.RouterFixtures.sigmoid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

@ExtendWith(DoublePrecision.class)
class SigmoidTopKRouterTest {
  static final int D = 6;
  static final int E = 6;

  static SigmoidTopKConfig cfg(Double rate, Double aux, String scope, Double z, Double scale) {
    return new SigmoidTopKConfig(scale, null, rate, null, aux, scope, z, null, null);
  }

  @Test
  void choosesOnBiasedScoresButGatesUseUnbiasedNormalisedScores() {
    Router r = sigmoid(cfg(null, null, null, null, 2.5), D, E, 2, 1.0);
    r.expertBias().assign(Nd4j.createFromArray(0.0, 0.0, 0.0, 0.0, 0.0, 10.0)); // expert 5 always chosen
    INDArray x = Nd4j.randn(5, D);
    Routing routing = r.route(Tensor.constant(x), 5);
    INDArray s = Transforms.sigmoid(x.mmul(r.parameters().get(0).data().transpose()));
    for (int n = 0; n < 5; n++) {
      int first = routing.expertIndex()[2 * n];
      int second = routing.expertIndex()[2 * n + 1];
      assertEquals(5, first);
      assertEquals(Nd4j.argMax(s.getRow(n).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5))).getInt(0),
          second);
      double sum = s.getDouble(n, first) + s.getDouble(n, second);
      assertEquals(2.5 * s.getDouble(n, first) / sum, routing.gates().data().getDouble(2 * n), 1e-12);
      assertEquals(2.5 * s.getDouble(n, second) / sum, routing.gates().data().getDouble(2 * n + 1), 1e-12);
    }
    assertTrue(routing.losses().isEmpty(), "no losses by default: " + routing.losses().keySet());
  }

  @Test
  void gatesAndLossesPassGradientChecks() {
    for (String scope : new String[] {"batch", "sequence", "global"}) {
      Router r = sigmoid(cfg(null, 0.3, scope, 0.1, 1.7), D, E, 2, 1.0);
      r.expertBias().assign(Nd4j.randn(E).muli(0.3));
      var in = List.of(GradCheck.leaves(Nd4j.randn(6, D)).get(0), r.parameters().get(0));
      String name = BalanceLosses.Scope.of("t", scope).lossName();
      double aux = GradCheck.check(p -> r.route(p.get(0), 3).losses().get(name), in).max();
      assertTrue(aux < 1e-6, scope + ": " + aux);
      if (scope.equals("batch")) {
        assertTrue(GradCheck.check(p -> r.route(p.get(0), 3).gates(), in).max() < 1e-6, "gates");
        assertTrue(GradCheck.check(p -> r.route(p.get(0), 3).losses().get("z"), in).max() < 1e-6, "z");
      }
    }
    Router raw = sigmoid(new SigmoidTopKConfig(null, false, null, null, null, null, null, null, null), D, E, 3, 1.0);
    var in = List.of(GradCheck.leaves(Nd4j.randn(4, D)).get(0), raw.parameters().get(0));
    assertTrue(GradCheck.check(p -> raw.route(p.get(0), 4).gates(), in).max() < 1e-6, "unnormalised gates");
  }

  /** Shrinking every score (all logits shifted down) must not make the aux loss vanish. */
  @Test
  void auxLossUsesNormalisedScoresSoShrinkingScoresDoesNotLowerIt() {
    Router r = sigmoid(cfg(0.0, 1.0, null, null, null), D, E, 2, 0.0);
    INDArray x = Nd4j.randn(32, D);
    x.getColumn(0).assign(1.0);
    INDArray w = r.parameters().get(0).data();
    w.assign(Nd4j.randn(E, D).muli(0.5));
    w.getColumn(0).assign(0.0);
    double base = r.route(Tensor.constant(x), 32).losses().get("aux").item();
    w.getColumn(0).assign(-20.0); // every score ~ e^-20 * ...
    double shrunk = r.route(Tensor.constant(x), 32).losses().get("aux").item();
    // on raw sigmoid scores the loss would fall by ~e^-20; on normalised scores it stays near 1 (= coef)
    assertTrue(base > 0.5 && shrunk > 0.5 && shrunk > 0.5 * base, base + " -> " + shrunk);
  }

  @Test
  void biasUpdateFollowsTheSignRuleCentredAndClamped() {
    Router r = sigmoid(cfg(0.1, null, null, null, null), D, 4, 1, 1.0);
    r.afterOptimizerStep(new long[] {10, 0, 5, 5}); // mean 5: signs +1, -1, 0, 0; mean sign 0
    assertArrayEquals(new double[] {-0.1, 0.1, 0, 0}, r.expertBias().toDoubleVector(), 1e-12);
    r.afterOptimizerStep(new long[] {9, 1, 1, 1}); // signs +1, -1, -1, -1; mean -0.5
    assertArrayEquals(new double[] {-0.25, 0.15, 0.05, 0.05}, r.expertBias().toDoubleVector(), 1e-12);
    r.afterOptimizerStep(new long[4]); // no tokens: unchanged
    assertArrayEquals(new double[] {-0.25, 0.15, 0.05, 0.05}, r.expertBias().toDoubleVector(), 1e-12);
    Router clamped = sigmoid(new SigmoidTopKConfig(null, null, 0.1, 0.15, null, null, null, null, null), D, 4, 1, 1.0);
    for (int i = 0; i < 5; i++) {
      clamped.afterOptimizerStep(new long[] {10, 0, 5, 5});
    }
    assertArrayEquals(new double[] {-0.15, 0.15, 0, 0}, clamped.expertBias().toDoubleVector(), 1e-12);
  }

  @Test
  void biasIsCheckpointedStateOutsideWorkspacesAndNotAParameter() {
    Router r = sigmoid(cfg(0.01, null, null, null, null), D, E, 2, 1.0);
    assertEquals(1, r.parameters().size());
    try (StepArena arena = StepArena.open("sigmoid-test")) {
      Routing routing = r.route(Tensor.constant(Nd4j.randn(12, D)), 12);
      r.afterOptimizerStep(routing.tokensPerExpert());
    }
    INDArray bias = r.expertBias();
    assertFalse(bias.isAttached(), "bias must live outside workspaces");
    assertTrue(bias.amaxNumber().doubleValue() > 0);
    Map<String, INDArray> state = r.state();
    assertEquals(bias, state.get(ExpertBias.STATE_KEY));
    Router fresh = sigmoid(cfg(0.01, null, null, null, null), D, E, 2, 1.0);
    fresh.loadState(Map.of(ExpertBias.STATE_KEY, bias.dup()));
    assertEquals(bias, fresh.expertBias());
    var missing = assertThrows(IllegalStateException.class, () -> fresh.loadState(Map.of()));
    assertTrue(missing.getMessage().contains("expert_bias"), missing.getMessage());
    assertNull(RouterFixtures.softmax(SoftmaxTopKConfig.defaults(), D, E, 2, 1.0).expertBias());
  }

  /**
   * Aux-loss-free balancing alone: a router whose logits favour expert 0 for every token starts with
   * cv_pct > 100; bias updates bring it under 30 within 100 steps; with rate 0 it stays skewed.
   */
  @Test
  void biasAloneBalancesASkewedRouter() {
    int e = 8;
    int n = 128;
    Nd4j.getRandom().setSeed(7);
    INDArray x = Nd4j.randn(n, D);
    x.getColumn(0).assign(1.0); // a constant feature
    INDArray w = Nd4j.randn(e, D).muli(0.5);
    w.getColumn(0).assign(0.0);
    w.putScalar(0, 0, 3.0); // expert 0's logit +3 for every token
    double[] finalCv = new double[2];
    double[] startCv = new double[2];
    int[] reachedAt = {-1, -1};
    double[] rates = {0.01, 0.0};
    int[] stepsRun = {150, 50};
    for (int run = 0; run < 2; run++) {
      Router r = sigmoid(cfg(rates[run], null, null, null, null), D, e, 2, 1.0);
      r.parameters().get(0).data().assign(w);
      for (int step = 0; step < stepsRun[run]; step++) {
        long[] load = r.route(Tensor.constant(x), n).tokensPerExpert();
        double cv = RouterFixtures.cvPct(load);
        if (step == 0) {
          startCv[run] = cv;
        }
        if (cv < 30 && reachedAt[run] < 0) {
          reachedAt[run] = step;
        }
        finalCv[run] = cv;
        r.afterOptimizerStep(load);
      }
    }
    assertTrue(startCv[0] > 100, "start cv " + startCv[0]);
    assertTrue(reachedAt[0] >= 0 && reachedAt[0] <= 100 && finalCv[0] < 30, "balanced: reached < 30 at step " + reachedAt[0]
        + ", final cv " + finalCv[0]);
    assertTrue(finalCv[1] > 100, "rate 0 must stay skewed, cv " + finalCv[1]);
  }

  @Test
  void configDefaultsAndValidation() {
    SigmoidTopKConfig c = SigmoidTopKConfig.defaults();
    assertEquals(1.0, c.routeScale());
    assertTrue(c.normalizeTopK());
    assertEquals(1e-3, c.biasUpdateRate());
    assertNull(c.biasClamp());
    assertEquals(0.0, c.auxLossCoef());
    var bad = assertThrows(IllegalArgumentException.class, () -> cfg(-1e-3, null, null, null, null));
    assertTrue(bad.getMessage().startsWith("biasUpdateRate:"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> cfg(null, null, null, null, 0.0));
    assertTrue(bad.getMessage().startsWith("routeScale:"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class,
        () -> new SigmoidTopKConfig(null, null, null, 0.0, null, null, null, null, null));
    assertTrue(bad.getMessage().startsWith("biasClamp:"), bad.getMessage());
    assertEquals("sigmoid-topk", new SigmoidTopKRouterProvider().id());
  }
}
