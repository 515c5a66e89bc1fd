package dev.roundhouse.host.model;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.tensor.Parameter;

/** Adds a name prefix to every parameter made by {@code parent}. */
record PrefixedParameterFactory(ParameterFactory parent, String prefix) implements ParameterFactory {
  @Override
  public Parameter normal(String name, ParamRole role, long... shape) {
    return parent.normal(prefix + name, role, shape);
  }

  @Override
  public Parameter residualOutput(String name, ParamRole role, long... shape) {
    return parent.residualOutput(prefix + name, role, shape);
  }

  @Override
  public Parameter normalWithStd(String name, ParamRole role, double std, long... shape) {
    return parent.normalWithStd(prefix + name, role, std, shape);
  }

  @Override
  public Parameter constant(String name, ParamRole role, double value, long... shape) {
    return parent.constant(prefix + name, role, value, shape);
  }
}
