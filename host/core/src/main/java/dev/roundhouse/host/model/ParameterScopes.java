package dev.roundhouse.host.model;

import dev.roundhouse.api.ParameterFactory;

/**
 * Where a model's parameters come from while it is built: a {@link ParameterFactory} per name
 * prefix. {@link InitScheme} makes new, initialised parameters; {@link SharedParameters} hands a
 * data-parallel shard replica parameters that share their values with the primary model's.
 */
public interface ParameterScopes {
  /** A factory whose parameter names start with {@code prefix} (e.g. "layers.1.attn."). */
  ParameterFactory scoped(String prefix);
}
