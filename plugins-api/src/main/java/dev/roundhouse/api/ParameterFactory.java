package dev.roundhouse.api;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;

/**
 * Creates a component's parameters with the run's initialisation scheme and seeded RNG, under the
 * component's name prefix (e.g. {@code layers.2.attn.}). Plugins never pick their own random init,
 * so runs are reproducible and init is documented in one place (the host's init scheme).
 *
 * <p>Not thread-safe; used only inside {@code build}. A component must ask for the same parameters
 * (names, roles, shapes) every time it is built: the host builds data-parallel shard replicas with
 * a factory that returns the primary model's values instead of new ones.
 */
public interface ParameterFactory {
  /** A weight ~ normal(0, initStd); shape e.g. [out, in]. */
  Parameter normal(String name, ParamRole role, long... shape);

  /** A weight that writes into the residual stream: normal(0, initStd / sqrt(2 * layers)). */
  Parameter residualOutput(String name, ParamRole role, long... shape);

  /** A weight ~ normal(0, std) with an explicit std. */
  Parameter normalWithStd(String name, ParamRole role, double std, long... shape);

  /** Filled with a constant (norm gains use 1, biases 0). */
  Parameter constant(String name, ParamRole role, double value, long... shape);
}
