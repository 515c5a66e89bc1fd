package dev.roundhouse.plugins.routers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Softmax;
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

  /** Plain parameter factory for tests: normal(0, std) in the default dtype, or a constant. */
  record TestParams(double std) implements ParameterFactory {
    @Override
    public Parameter normal(String name, ParamRole role, long... shape) {
      return normalWithStd(name, role, std, shape);
    }

    @Override
    public Parameter residualOutput(String name, ParamRole role, long... shape) {
      return normalWithStd(name, role, std, shape);
    }

    @Override
    public Parameter normalWithStd(String name, ParamRole role, double s, long... shape) {
      return new Parameter(name, role, Nd4j.randn(shape).muli(s));
    }

    @Override
    public Parameter constant(String name, ParamRole role, double value, long... shape) {
      return new Parameter(name, role, Nd4j.valueArrayOf(shape, value));
    }
  }

  static Router router(SoftmaxTopKConfig config, int k, double std) {
    return new SoftmaxTopKRouterProvider().build(config, new RouterContext(D, E, k, 0, new TestParams(std), 1L));
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
  }

  @Test
  void gatesAndLossesPassGradientChecks() {
    for (boolean normalize : new boolean[] {false, true}) {
      Router r = router(new SoftmaxTopKConfig(0.5, 0.1, normalize), 2, 1.0);
      var in = List.of(GradCheck.leaves(Nd4j.randn(7, D)).get(0), r.parameters().get(0));
      double gates = GradCheck.check(p -> r.route(p.get(0), 7).gates(), in).max();
      assertTrue(gates < 1e-6, "gates, normalize=" + normalize + ": " + gates);
      double aux = GradCheck.check(p -> r.route(p.get(0), 7).losses().get("aux"), in).max();
      assertTrue(aux < 1e-6, "aux: " + aux);
      double z = GradCheck.check(p -> r.route(p.get(0), 7).losses().get("z"), in).max();
      assertTrue(z < 1e-6, "z: " + z);
    }
  }

  @Test
  void normalizedGatesSumToOnePerToken() {
    Router r = router(new SoftmaxTopKConfig(null, null, true), 3, 1.0);
    INDArray gates = r.route(Tensor.constant(Nd4j.randn(4, D)), 4).gates().data().reshape(4, 3);
    assertEquals(0, gates.sum(1).sub(1.0).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void auxLossIsCoefForUniformRouting() {
    // zero router weight -> logits 0 -> every probability 1/E: E * sum_i f_i / E = 1
    Router r = router(new SoftmaxTopKConfig(0.03, null, null), 2, 0.0);
    Routing routing = r.route(Tensor.constant(Nd4j.randn(8, D)), 8);
    assertEquals(0.03, routing.losses().get("aux").item(), 1e-12);
    assertFalse(routing.losses().containsKey("z"));
    // a skewed router scores higher than uniform
    Router skewed = router(new SoftmaxTopKConfig(1.0, null, null), 2, 0.0);
    skewed.parameters().get(0).data().getRow(0).assign(5.0);
    Routing s = skewed.route(Tensor.constant(Nd4j.rand(8, D).addi(0.5)), 8);
    assertTrue(s.losses().get("aux").item() > 1.0, "skewed aux " + s.losses().get("aux").item());
  }

  @Test
  void zLossMatchesFormulaAndLossesAreOffAtZero() {
    Router r = router(new SoftmaxTopKConfig(0.0, 0.2, null), 1, 1.0);
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
  void configDefaultsAndValidation() {
    SoftmaxTopKConfig c = SoftmaxTopKConfig.defaults();
    assertEquals(0.01, c.auxLossCoef());
    assertEquals(0.0, c.zLossCoef());
    assertFalse(c.normalizeTopK());
    var bad = assertThrows(IllegalArgumentException.class, () -> new SoftmaxTopKConfig(-1.0, null, null));
    assertTrue(bad.getMessage().contains("auxLossCoef"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> new SoftmaxTopKConfig(null, Double.NaN, null));
    assertTrue(bad.getMessage().contains("zLossCoef"), bad.getMessage());
    assertEquals("softmax-topk", new SoftmaxTopKRouterProvider().id());
    assertThrows(IllegalArgumentException.class,
        () -> router(c, 2, 1.0).route(Tensor.constant(Nd4j.randn(3, D + 1)), 3));
  }
}
