package com.example.roundhouse.learned;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import dev.roundhouse.testing.DoublePrecision;
import dev.roundhouse.testing.GradChecks;
import dev.roundhouse.testing.TestContexts;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The learned top-k router against a naive reference, and its gradients against finite differences. */
@ExtendWith(DoublePrecision.class)
class LearnedRouterTest {
  private static final int D = 6;
  private static final int E = 5;
  private static final int K = 2;

  private static Router router(double temperature) {
    return new LearnedRouterProvider().build(new LearnedRouterConfig(temperature, 0.5), TestContexts.router(D, E, K, 0.5));
  }

  @Test
  void picksTheKLargestLogitsAndSoftmaxesThem() {
    Router r = router(0.7);
    INDArray w = r.parameters().get(0).data(); // [E, d]
    INDArray x = Nd4j.randn(4, D); // [N, d]
    Routing routing = r.route(Tensor.constant(x), 4);
    double[] gates = routing.gates().data().toDoubleVector();
    for (int n = 0; n < 4; n++) {
      double[] logits = new double[E]; // naive reference: loops over x W^T / t
      for (int e = 0; e < E; e++) {
        for (int i = 0; i < D; i++) {
          logits[e] += x.getDouble(n, i) * w.getDouble(e, i) / 0.7;
        }
      }
      Integer[] order = {0, 1, 2, 3, 4};
      java.util.Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));
      double z = Math.exp(logits[order[0]]) + Math.exp(logits[order[1]]);
      for (int j = 0; j < K; j++) {
        assertEquals(n, routing.tokenIndex()[n * K + j]);
        assertEquals(order[j], routing.expertIndex()[n * K + j]);
        assertEquals(Math.exp(logits[order[j]]) / z, gates[n * K + j], 1e-12);
      }
    }
  }

  @Test
  void gatesAreDifferentiableInTheWeightAndTheInput() {
    Router r = router(1.0);
    INDArray x = Nd4j.randn(3, D);
    GradChecks.assertParameterGradients(p -> r.route(Tensor.constant(x), 3).gates(), r.parameters(), 1e-6);
    GradChecks.assertGradients(in -> r.route(in.get(0), 3).gates(), 1e-6, x);
  }

  @Test
  void oneParameterForTheOptimizerAndBadConfigNamesTheField() {
    List<Parameter> params = router(1.0).parameters();
    assertEquals(1, params.size());
    assertEquals(List.of((long) E, (long) D), java.util.Arrays.stream(params.get(0).shape()).boxed().toList());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LearnedRouterConfig(0.0, null));
    assertTrue(e.getMessage().startsWith("temperature:"), e.getMessage());
  }
}
