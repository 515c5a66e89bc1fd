package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import org.nd4j.linalg.factory.Nd4j;

/** Test doubles: a parameter factory on ND4J's seeded RNG (default dtype) and the fp32 identity policy. */
final class TestContexts {
  private TestContexts() {}

  static final PrecisionPolicy FP32 = new PrecisionPolicy() {
    @Override
    public Tensor weight(Parameter p) {
      return p;
    }
  };

  /** normal(0, std) weights named {@code prefix + name}; residual outputs scaled by 1 / sqrt(2 * layers). */
  record Params(String prefix, double std, int layers) implements ParameterFactory {
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

  /** One layer of a model with width d, H heads and sequence length T; weights ~ normal(0, 0.5). */
  static AttentionContext context(int d, int heads, int seqLen) {
    return new AttentionContext(d, heads, seqLen, 0, 1, 10000.0, new Params("layers.0.attn.", 0.5, 1), FP32);
  }
}
