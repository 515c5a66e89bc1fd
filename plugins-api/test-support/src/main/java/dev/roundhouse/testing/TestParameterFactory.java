package dev.roundhouse.testing;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.tensor.Parameter;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link ParameterFactory} for unit tests, drawing from ND4J's global RNG (seed it, e.g. with {@link
 * DoublePrecision}) in ND4J's default dtype: {@code normal} is normal(0, std), {@code residualOutput} is
 * normal(0, std / sqrt(2 * layers)) like the host's init scheme, names are {@code prefix + name}.
 *
 * <p>Not thread-safe (like the host's factory, it is used only inside {@code build}).
 *
 * @param prefix put before every parameter name, e.g. {@code "layers.0.router."}; may be empty
 * @param std standard deviation of {@code normal} weights
 * @param layers model depth for the residual-output scaling; at least 1
 */
public record TestParameterFactory(String prefix, double std, int layers) implements ParameterFactory {
  public TestParameterFactory {
    if (prefix == null) {
      prefix = "";
    }
    if (!(std >= 0) || layers < 1) {
      throw new IllegalArgumentException("std must be >= 0 and layers >= 1, got " + std + ", " + layers);
    }
  }

  /** No prefix, one layer. */
  public static TestParameterFactory withStd(double std) {
    return new TestParameterFactory("", std, 1);
  }

  @Override
  public Parameter normal(String name, ParamRole role, long... shape) {
    return normalWithStd(name, role, std, shape);
  }

  @Override
  public Parameter residualOutput(String name, ParamRole role, long... shape) {
    return normalWithStd(name, role, std / Math.sqrt(2.0 * layers), shape);
  }

  @Override
  public Parameter normalWithStd(String name, ParamRole role, double s, long... shape) {
    return new Parameter(prefix + name, role, Nd4j.randn(Nd4j.dataType(), shape).muli(s));
  }

  @Override
  public Parameter constant(String name, ParamRole role, double value, long... shape) {
    return new Parameter(prefix + name, role, Nd4j.valueArrayOf(shape, value, Nd4j.dataType()));
  }
}
