package dev.roundhouse.host.model;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.tensor.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The run's initialisation scheme (one place, documented in docs/model.md):
 * weights ~ normal(0, initStd); weights that write into the residual stream (attention output,
 * FFN/expert down projections) ~ normal(0, initStd / sqrt(2 * nLayers)); norm gains 1.
 * One seeded RNG for the whole model, consumed in construction order, so a seed fixes the weights.
 *
 * <p>{@link #scoped} gives a component its own name prefix; all parameters made are recorded.
 */
public final class InitScheme implements ParameterScopes {
  private final double initStd;
  private final int nLayers;
  private final DataType dtype;
  private final Random rng;
  private final List<Parameter> created = new ArrayList<>();

  public InitScheme(double initStd, int nLayers, DataType dtype, long seed) {
    this.initStd = initStd;
    this.nLayers = nLayers;
    this.dtype = dtype;
    this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
  }

  /** Every parameter created so far, in creation order. */
  public List<Parameter> created() {
    return Collections.unmodifiableList(created);
  }

  public DataType dtype() {
    return dtype;
  }

  @Override
  public ParameterFactory scoped(String prefix) {
    return new ParameterFactory() {
      @Override
      public Parameter normal(String name, ParamRole role, long... shape) {
        return normalWithStd(name, role, initStd, shape);
      }

      @Override
      public Parameter residualOutput(String name, ParamRole role, long... shape) {
        return normalWithStd(name, role, initStd / Math.sqrt(2.0 * nLayers), shape);
      }

      @Override
      public Parameter normalWithStd(String name, ParamRole role, double std, long... shape) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
          INDArray v = Nd4j.createUninitialized(dtype, shape);
          Nd4j.getExecutioner().exec(
              new org.nd4j.linalg.api.ops.random.impl.GaussianDistribution(v, 0.0, std), rng);
          return record(new Parameter(prefix + name, role, v));
        }
      }

      @Override
      public Parameter constant(String name, ParamRole role, double value, long... shape) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
          return record(new Parameter(prefix + name, role, Nd4j.valueArrayOf(shape, value, dtype)));
        }
      }
    };
  }

  private Parameter record(Parameter p) {
    created.add(p);
    return p;
  }
}
