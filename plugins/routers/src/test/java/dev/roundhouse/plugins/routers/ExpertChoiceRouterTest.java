package dev.roundhouse.plugins.routers;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.routers.RouterFixtures.expertChoice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Softmax;
import dev.roundhouse.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class ExpertChoiceRouterTest {
  static final int D = 6;
  static final int E = 4;

  @Test
  void everyExpertGetsExactlyCapacityTokensWithTheirProbabilitiesAsGates() {
    Router r = expertChoice(new ExpertChoiceConfig(1.25, null), D, E, 2, 1.0);
    int n = 24;
    int c = (int) Math.ceil(24 * 2 / 4.0 * 1.25); // 15
    INDArray x = Nd4j.randn(n, D);
    x.getColumn(0).assign(2.0);
    r.parameters().get(0).data().putScalar(0, 0, 3.0); // skewed: every token prefers expert 0
    Routing routing = r.route(Tensor.constant(x), 8);
    INDArray probs = Softmax.softmax(Tensor.constant(x.mmul(r.parameters().get(0).data().transpose())), 1).data();
    assertEquals(E * c, routing.tokenIndex().length);
    long[] load = routing.tokensPerExpert();
    Set<Integer> routed = new HashSet<>();
    for (int e = 0; e < E; e++) {
      assertEquals(c, load[e], "expert " + e);
      Set<Integer> mine = new HashSet<>();
      double lowestTaken = Double.MAX_VALUE;
      for (int j = 0; j < c; j++) {
        int m = e * c + j;
        assertEquals(e, routing.expertIndex()[m]);
        int t = routing.tokenIndex()[m];
        assertTrue(mine.add(t), "expert " + e + " took token " + t + " twice");
        assertEquals(probs.getDouble(t, e), routing.gates().data().getDouble(m), 1e-12);
        lowestTaken = Math.min(lowestTaken, probs.getDouble(t, e));
      }
      for (int t = 0; t < n; t++) { // the C best: nobody left out scores higher
        if (!mine.contains(t)) {
          assertTrue(probs.getDouble(t, e) <= lowestTaken + 1e-15);
        }
      }
      routed.addAll(mine);
    }
    assertEquals(n - routed.size(), routing.stats().get("tokens_unrouted"), 0.0);
    assertTrue(routing.losses().isEmpty());
  }

  @Test
  void capacityIsClampedToTheTokenCount() {
    ExpertChoiceRouter r = (ExpertChoiceRouter) expertChoice(new ExpertChoiceConfig(8.0, null), D, E, 2, 1.0);
    assertEquals(10, r.capacity(10));
    assertEquals(1, ((ExpertChoiceRouter) expertChoice(new ExpertChoiceConfig(0.01, null), D, E, 1, 1.0)).capacity(10));
    Routing all = r.route(Tensor.constant(Nd4j.randn(10, D)), 10);
    assertEquals(0.0, all.stats().get("tokens_unrouted"));
    assertEquals(E * 10, all.tokenIndex().length);
  }

  @Test
  void gatesAndZLossPassGradientChecks() {
    Router r = expertChoice(new ExpertChoiceConfig(null, 0.2), D, E, 2, 1.0);
    var in = List.of(GradCheck.leaves(Nd4j.randn(7, D)).get(0), r.parameters().get(0));
    assertTrue(GradCheck.check(p -> r.route(p.get(0), 7).gates(), in).max() < 1e-6);
    assertTrue(GradCheck.check(p -> r.route(p.get(0), 7).losses().get("z"), in).max() < 1e-6);
  }

  @Test
  void configValidation() {
    assertEquals(1.0, ExpertChoiceConfig.defaults().capacityFactor());
    var bad = assertThrows(IllegalArgumentException.class, () -> new ExpertChoiceConfig(0.0, null));
    assertTrue(bad.getMessage().startsWith("capacityFactor:"), bad.getMessage());
    assertEquals("expert-choice", new ExpertChoiceRouterProvider().id());
  }
}
