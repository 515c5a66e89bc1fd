package dev.roundhouse.plugins.routers;

import dev.roundhouse.testing.DoublePrecision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

@ExtendWith(DoublePrecision.class)
class GroupLimitTest {
  static final int D = 8;
  static final int E = 12;
  static final int G = 4;
  static final int KEPT = 2;

  /** Groups whose best score is among the token's top KEPT, recomputed independently. */
  static boolean[] keptGroups(double[] scores) {
    int per = E / G;
    double[] best = new double[G];
    Arrays.fill(best, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < E; i++) {
      best[i / per] = Math.max(best[i / per], scores[i]);
    }
    double[] sorted = best.clone();
    Arrays.sort(sorted);
    double threshold = sorted[G - KEPT];
    boolean[] kept = new boolean[G];
    for (int g = 0; g < G; g++) {
      kept[g] = best[g] >= threshold;
    }
    return kept;
  }

  @Test
  void neverSelectsExpertsOutsideTheKeptGroups() {
    int n = 200;
    for (int variant = 0; variant < 2; variant++) {
      Router r = variant == 0
          ? RouterFixtures.softmax(new SoftmaxTopKConfig(null, null, null, null, null, null, G, KEPT), D, E, 4, 1.0)
          : RouterFixtures.sigmoid(new SigmoidTopKConfig(null, null, null, null, null, null, null, G, KEPT), D, E, 4, 1.0);
      if (variant == 1) {
        r.expertBias().assign(Nd4j.randn(E).muli(0.5));
      }
      INDArray x = Nd4j.randn(n, D);
      Routing routing = r.route(Tensor.constant(x), n);
      INDArray logits = x.mmul(r.parameters().get(0).data().transpose());
      INDArray sel = variant == 0 ? Transforms.softmax(logits, true)
          : Transforms.sigmoid(logits).addRowVector(r.expertBias());
      int outsideBest = 0;
      for (int t = 0; t < n; t++) {
        boolean[] kept = keptGroups(sel.getRow(t).toDoubleVector());
        for (int j = 0; j < 4; j++) {
          int e = routing.expertIndex()[t * 4 + j];
          assertTrue(kept[e / (E / G)], "token " + t + " got expert " + e + " from a dropped group");
        }
        // the unrestricted top-4 would often leave the kept groups: the limit really binds
        double[] s = sel.getRow(t).toDoubleVector();
        int[] order = java.util.stream.IntStream.range(0, E).boxed()
            .sorted((a, b) -> Double.compare(s[b], s[a])).mapToInt(Integer::intValue).toArray();
        for (int j = 0; j < 4; j++) {
          outsideBest += kept[order[j] / (E / G)] ? 0 : 1;
        }
      }
      assertTrue(outsideBest > 0, "test data never exercised the group limit");
    }
  }

  @Test
  void groupLimitedGatesPassGradientChecks() {
    Router r = RouterFixtures.softmax(new SoftmaxTopKConfig(0.2, null, null, true, null, null, G, KEPT), D, E, 3, 1.0);
    var in = List.of(GradCheck.leaves(Nd4j.randn(3, D)).get(0), r.parameters().get(0));
    assertTrue(GradCheck.check(p -> r.route(p.get(0), 3).gates(), in).max() < 1e-6);
  }

  @Test
  void invalidGroupSettingsNameTheField() {
    var bad = assertThrows(IllegalArgumentException.class, () -> new GroupLimit("r", 12, 2, 5, null));
    assertTrue(bad.getMessage().startsWith("groups:"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> new GroupLimit("r", 12, 2, 4, 5));
    assertTrue(bad.getMessage().startsWith("topGroups:"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> new GroupLimit("r", 12, 4, 4, 1));
    assertTrue(bad.getMessage().startsWith("topGroups:"), bad.getMessage());
    assertEquals(false, new GroupLimit("r", 12, 2, 4, null).active());
  }
}
