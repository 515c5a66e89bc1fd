package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.testing.TestContexts;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helpers: router builders over the plugin test support's contexts. */
final class RouterFixtures {
  private RouterFixtures() {}

  static RouterContext context(int d, int e, int k, double std) {
    return TestContexts.router(d, e, k, std);
  }

  static Router softmax(SoftmaxTopKConfig c, int d, int e, int k, double std) {
    return new SoftmaxTopKRouterProvider().build(c, context(d, e, k, std));
  }

  static Router sigmoid(SigmoidTopKConfig c, int d, int e, int k, double std) {
    return new SigmoidTopKRouterProvider().build(c, context(d, e, k, std));
  }

  static Router expertChoice(ExpertChoiceConfig c, int d, int e, int k, double std) {
    return new ExpertChoiceRouterProvider().build(c, context(d, e, k, std));
  }

  /** Coefficient of variation of a load vector in percent (population std), as the host reports it. */
  static double cvPct(long[] load) {
    double mean = 0;
    for (long l : load) {
      mean += l / (double) load.length;
    }
    double var = 0;
    for (long l : load) {
      var += (l - mean) * (l - mean) / load.length;
    }
    return 100 * Math.sqrt(var) / mean;
  }

  static double[] row(INDArray a, int r) {
    return a.getRow(r).toDoubleVector();
  }
}
