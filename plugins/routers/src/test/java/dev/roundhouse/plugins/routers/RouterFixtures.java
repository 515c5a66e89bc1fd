package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.tensor.Parameter;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helpers: a plain parameter factory and router builders. */
final class RouterFixtures {
  private RouterFixtures() {}

  /** normal(0, std) in the default dtype, or a constant. */
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
      return new Parameter(name, role, org.nd4j.linalg.factory.Nd4j.randn(shape).muli(s));
    }

    @Override
    public Parameter constant(String name, ParamRole role, double value, long... shape) {
      return new Parameter(name, role, org.nd4j.linalg.factory.Nd4j.valueArrayOf(shape, value));
    }
  }

  static RouterContext context(int d, int e, int k, double std) {
    return new RouterContext(d, e, k, 0, new TestParams(std), 1L);
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
