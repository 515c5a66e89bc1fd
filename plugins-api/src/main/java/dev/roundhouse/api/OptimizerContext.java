package dev.roundhouse.api;

import dev.roundhouse.tensor.Parameter;
import java.util.List;
import java.util.function.Predicate;

/**
 * What an optimizer gets: its group's name and parameters, which of them take weight decay (by
 * default matrices, never norms, biases or router weights), and a {@link ParallelLoop} over the
 * host's idle threads for per-parameter updates ({@link ParallelLoop#SEQUENTIAL} unless the run has
 * data-parallel shards). An optimizer whose update of one parameter depends only on that parameter's
 * gradient and state may run its parameters through it; others ignore it.
 */
public record OptimizerContext(String group, List<Parameter> params, Predicate<Parameter> decays,
    ParallelLoop parallel) {
  public OptimizerContext {
    params = List.copyOf(params);
    parallel = parallel == null ? ParallelLoop.SEQUENTIAL : parallel;
  }

  /** A context whose loop is sequential. */
  public OptimizerContext(String group, List<Parameter> params, Predicate<Parameter> decays) {
    this(group, params, decays, ParallelLoop.SEQUENTIAL);
  }
}
