package dev.roundhouse.api;

import dev.roundhouse.tensor.Parameter;
import java.util.List;
import java.util.function.Predicate;

/**
 * What an optimizer gets: its group's name and parameters, and which of them take weight decay
 * (by default matrices, never norms, biases or router weights).
 */
public record OptimizerContext(String group, List<Parameter> params, Predicate<Parameter> decays) {
  public OptimizerContext {
    params = List.copyOf(params);
  }
}
