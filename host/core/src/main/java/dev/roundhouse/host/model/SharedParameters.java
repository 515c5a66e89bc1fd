package dev.roundhouse.host.model;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.tensor.Parameter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters for a data-parallel shard replica: each request returns a new {@link Parameter} (its
 * own gradient accumulator) whose value is the very array of the primary model's parameter of the
 * same name, so an optimizer step on the primary is seen by every replica without a copy. Nothing is
 * initialised and no RNG is drawn. A request the primary cannot answer (unknown name, other role
 * or shape) throws, naming the parameter: a component that builds different parameters on a second
 * build cannot be replicated.
 */
public final class SharedParameters implements ParameterScopes {
  private final Map<String, Parameter> primary = new LinkedHashMap<>();

  public SharedParameters(List<Parameter> primaryParameters) {
    for (Parameter p : primaryParameters) {
      primary.put(p.name(), p);
    }
  }

  @Override
  public ParameterFactory scoped(String prefix) {
    return new ParameterFactory() {
      @Override
      public Parameter normal(String name, ParamRole role, long... shape) {
        return share(prefix + name, role, shape);
      }

      @Override
      public Parameter residualOutput(String name, ParamRole role, long... shape) {
        return share(prefix + name, role, shape);
      }

      @Override
      public Parameter normalWithStd(String name, ParamRole role, double std, long... shape) {
        return share(prefix + name, role, shape);
      }

      @Override
      public Parameter constant(String name, ParamRole role, double value, long... shape) {
        return share(prefix + name, role, shape);
      }
    };
  }

  private Parameter share(String name, ParamRole role, long[] shape) {
    Parameter p = primary.get(name);
    if (p == null || p.role() != role || !Arrays.equals(p.shape(), shape)) {
      throw new IllegalStateException("shard replica asks for parameter " + name + " " + role + " "
          + Arrays.toString(shape) + ", the primary model has " + (p == null ? "none of that name" : p)
          + "; its component must build the same parameters every time it is built");
    }
    return new Parameter(name, role, p.data());
  }
}
